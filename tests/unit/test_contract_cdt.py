"""Contract of the list and map methods (area cdt) that needs no server: 3.0.0's order of checks on a client
that is not connected (the list methods parse their arguments first, the map methods check the connection
first)."""

from __future__ import annotations

import pytest

import aerospike
from aerospike import exception

SET = "cdt_contract"


def test_unconnected_list_methods_raise_type_error_first_and_map_methods_cluster_error() -> None:
    client = aerospike.client({"hosts": [("127.0.0.1", 1)]})
    with pytest.raises(TypeError):
        client.list_get(("test", SET, "k"), "l", "0")
    with pytest.raises(exception.ClusterError) as caught:
        client.map_get_by_key(("test", SET, "k"), "m", "a", "7")
    assert (caught.value.code, caught.value.msg) == (11, "No connection to aerospike cluster")
