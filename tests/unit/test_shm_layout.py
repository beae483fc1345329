"""The shared-memory segment layout: snapshot round trips, limits, header validation. No shared memory here."""

from __future__ import annotations

from array import array

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aerospike.shm import layout
from aerospike.shm.layout import (
    GENERATION_OFFSET,
    HEADER_SIZE,
    MAX_REPLICAS,
    LayoutError,
    SegmentLayout,
    fit_snapshot,
    read_header,
    read_u64,
    seeds_digest,
    write_u64,
)
from aerospike.snapshot import (
    N_PARTITIONS,
    NO_NODE,
    ClusterSnapshot,
    NamespacePartitions,
    NodeRecord,
    empty_owners,
    empty_regimes,
)

DIGEST = seeds_digest([("127.0.0.1", 3000, None)])


def _buffer(segment_layout: SegmentLayout) -> memoryview:
    buffer = memoryview(bytearray(segment_layout.size))
    segment_layout.write_header(buffer, "demo", DIGEST, 1.0)
    return buffer


def _nodes(count: int) -> tuple[NodeRecord, ...]:
    return tuple(NodeRecord(f"BB9{index:012X}", f"10.0.0.{index}", 3000 + index) for index in range(count))


def _partitions(node_count: int, replica_count: int, seed: int = 0) -> NamespacePartitions:
    owners = tuple(
        array("h", [((pid + seed + replica) % (node_count + 1)) - 1 for pid in range(N_PARTITIONS)])
        for replica in range(replica_count)
    )
    regimes = array("I", [(pid * 7 + seed) % 5 for pid in range(N_PARTITIONS)])
    return NamespacePartitions(replica_count, owners, regimes)


def test_round_trip_keeps_everything():
    segment_layout = SegmentLayout(16, 8)
    nodes = (
        NodeRecord("A1", "127.0.0.1", 3000),
        NodeRecord("A2", "::1", 3001, ""),
        NodeRecord("A3", "host.example", 4333, "tls-name"),
    )
    snapshot = ClusterSnapshot(42, nodes, {"test": _partitions(3, 2), "bar": _partitions(3, 1, seed=3)})
    buffer = _buffer(segment_layout)
    segment_layout.pack(buffer, snapshot)
    decoded = segment_layout.unpack(buffer)
    assert decoded == snapshot
    assert [node.tls_name for node in decoded.nodes] == [None, "", "tls-name"]
    assert list(decoded.namespaces) == ["test", "bar"]


def test_wide_owner_slots_when_max_nodes_exceeds_one_byte():
    segment_layout = SegmentLayout(300, 2)
    assert segment_layout.owner_width == 2
    snapshot = ClusterSnapshot(2, _nodes(280), {"test": _partitions(280, 2)})
    buffer = _buffer(segment_layout)
    segment_layout.pack(buffer, snapshot)
    assert segment_layout.unpack(buffer) == snapshot


def test_narrow_owner_slots_hold_the_largest_index():
    segment_layout = SegmentLayout(254, 1)
    assert segment_layout.owner_width == 1
    owners = (array("h", [253, NO_NODE] * (N_PARTITIONS // 2)),)
    snapshot = ClusterSnapshot(2, _nodes(254), {"test": NamespacePartitions(1, owners, empty_regimes())})
    buffer = _buffer(segment_layout)
    segment_layout.pack(buffer, snapshot)
    assert segment_layout.unpack(buffer).namespaces["test"].owners[0][:4] == array("h", [253, -1, 253, -1])


@st.composite
def snapshots(draw):
    node_count = draw(st.integers(0, 6))
    nodes = tuple(
        NodeRecord(
            draw(st.text(min_size=1, max_size=16)),
            draw(st.text(max_size=40)),
            draw(st.integers(0, 65535)),
            draw(st.one_of(st.none(), st.text(max_size=20))),
        )
        for _ in range(node_count)
    )
    names = draw(st.lists(st.text(min_size=1, max_size=8), max_size=3, unique=True))
    namespaces = {}
    for name in names:
        replica_count = draw(st.integers(0, MAX_REPLICAS))
        # A few distinct values spread over the partitions: drawing 4096 values each would be slow.
        values = draw(st.lists(st.integers(NO_NODE, node_count - 1), min_size=1, max_size=5))
        owners = tuple(
            array("h", [values[(pid * (replica + 3)) % len(values)] for pid in range(N_PARTITIONS)])
            for replica in range(replica_count)
        )
        regime = draw(st.integers(0, 2**32 - 1))
        namespaces[name] = NamespacePartitions(replica_count, owners, array("I", [regime]) * N_PARTITIONS)
    return ClusterSnapshot(draw(st.integers(0, 2**63)), nodes, namespaces)


@settings(max_examples=60, deadline=None)
@given(snapshots())
def test_property_round_trip(snapshot):
    segment_layout = SegmentLayout(6, 3)
    buffer = _buffer(segment_layout)
    segment_layout.pack(buffer, snapshot)
    assert segment_layout.unpack(buffer) == snapshot


def test_pack_overwrites_a_bigger_previous_snapshot():
    segment_layout = SegmentLayout(8, 4)
    buffer = _buffer(segment_layout)
    segment_layout.pack(
        buffer, ClusterSnapshot(2, _nodes(5), {"a": _partitions(5, 2), "b": _partitions(5, 2)})
    )
    smaller = ClusterSnapshot(4, _nodes(2), {"b": _partitions(2, 1)})
    segment_layout.pack(buffer, smaller)
    assert segment_layout.unpack(buffer) == smaller


def test_overflow_past_max_nodes_is_an_error_and_writes_nothing():
    segment_layout = SegmentLayout(4, 8)
    buffer = _buffer(segment_layout)
    before = bytes(buffer)
    with pytest.raises(LayoutError, match="5 nodes exceed shm max_nodes 4"):
        segment_layout.pack(buffer, ClusterSnapshot(2, _nodes(5), {"test": _partitions(5, 2)}))
    assert bytes(buffer) == before


@pytest.mark.parametrize(
    "snapshot, message",
    [
        (
            ClusterSnapshot(2, _nodes(1), {str(index): _partitions(1, 1) for index in range(3)}),
            "max_namespaces 2",
        ),
        (ClusterSnapshot(2, _nodes(1), {"test": _partitions(1, MAX_REPLICAS + 1)}), "at most 4"),
        (ClusterSnapshot(2, (NodeRecord("x" * 65, "h", 1),), {}), "node name"),
        (ClusterSnapshot(2, (NodeRecord("n", "h" * 257, 1),), {}), "node host"),
        (ClusterSnapshot(2, (NodeRecord("n", "h", 70000),), {}), "port"),
        (ClusterSnapshot(2, _nodes(1), {"n" * 33: _partitions(1, 1)}), "namespace name"),
        (ClusterSnapshot(2, _nodes(1), {"test": _partitions(2, 1)}), "node index not in the snapshot"),
        (
            ClusterSnapshot(2, _nodes(1), {"test": NamespacePartitions(1, empty_owners(1), array("I", [0]))}),
            "regimes",
        ),
    ],
)
def test_snapshots_that_do_not_fit(snapshot, message):
    segment_layout = SegmentLayout(4, 2)
    buffer = _buffer(segment_layout)
    before = bytes(buffer)
    with pytest.raises(LayoutError, match=message):
        segment_layout.pack(buffer, snapshot)
    assert bytes(buffer) == before


def test_fit_snapshot_drops_what_does_not_fit_and_says_so():
    snapshot = ClusterSnapshot(
        9, _nodes(5), {"c": _partitions(5, MAX_REPLICAS + 1), "a": _partitions(5, 2), "b": _partitions(5, 1)}
    )
    fitted, problems = fit_snapshot(snapshot, 3, 2)
    assert len(fitted.nodes) == 3 and list(fitted.namespaces) == ["a", "b"]
    assert all(max(owners) < 3 for part in fitted.namespaces.values() for owners in part.owners)
    assert any("5 nodes exceed shm max_nodes 3" in problem for problem in problems)
    assert any("not shared: c" in problem for problem in problems)
    segment_layout = SegmentLayout(3, 2)
    buffer = _buffer(segment_layout)
    segment_layout.pack(buffer, fitted)
    assert segment_layout.unpack(buffer) == fitted
    unchanged, none = fit_snapshot(ClusterSnapshot(1, _nodes(2), {"a": _partitions(2, 2)}), 3, 2)
    assert none == [] and unchanged.nodes == _nodes(2)


def test_fit_snapshot_keeps_the_first_replicas():
    fitted, problems = fit_snapshot(
        ClusterSnapshot(1, _nodes(2), {"a": _partitions(2, MAX_REPLICAS + 2)}), 4, 4
    )
    assert fitted.namespaces["a"].replica_count == MAX_REPLICAS
    assert problems == [f"namespace 'a': replicas past {MAX_REPLICAS} not shared"]


def test_header_round_trip_and_no_mismatch():
    segment_layout = SegmentLayout(16, 8)
    buffer = _buffer(segment_layout)
    header = read_header(buffer)
    assert (header.max_nodes, header.max_namespaces, header.total_size) == (16, 8, segment_layout.size)
    assert header.cluster_name == "demo"
    assert segment_layout.mismatches(header, "demo", DIGEST) == []
    assert read_u64(buffer, GENERATION_OFFSET) == 0


def test_mismatches_name_what_differs():
    buffer = _buffer(SegmentLayout(16, 8))
    header = read_header(buffer)
    problems = SegmentLayout(32, 8).mismatches(header, "other", seeds_digest([("10.0.0.1", 3000)]))
    text = "; ".join(problems)
    assert "max_nodes is 16 in the segment, 32 in this process" in text
    assert "cluster_name is 'demo' in the segment, 'other' in this process" in text
    assert "seed hosts differ" in text
    assert "max_namespaces" not in text


def test_foreign_bytes_and_other_versions_are_refused():
    segment_layout = SegmentLayout(16, 8)
    garbage = memoryview(bytearray(b"\x01" * segment_layout.size))
    assert (
        "not an aerospike shm segment" in segment_layout.mismatches(read_header(garbage), "demo", DIGEST)[0]
    )
    buffer = _buffer(segment_layout)
    buffer[8:12] = (99).to_bytes(4, "little")
    assert segment_layout.mismatches(read_header(buffer), "demo", DIGEST) == [
        f"layout version 99, this client uses {layout.LAYOUT_VERSION}"
    ]
    short = memoryview(bytearray(16))
    assert segment_layout.mismatches(read_header(short), "demo", DIGEST)


def test_seed_digest_ignores_order_duplicates_and_host_case():
    one = seeds_digest([("A.example", 3000, None), ("b.example", 3001, None)])
    assert one == seeds_digest([("b.example", 3001), ("a.example", 3000, ""), ("a.example", 3000, None)])
    assert one != seeds_digest([("a.example", 3000, None)])
    assert one != seeds_digest([("a.example", 3000, "tls"), ("b.example", 3001, None)])


def test_unpack_refuses_counts_beyond_the_layout():
    segment_layout = SegmentLayout(4, 2)
    buffer = _buffer(segment_layout)
    buffer[HEADER_SIZE + 8 : HEADER_SIZE + 12] = (5).to_bytes(4, "little")
    with pytest.raises(LayoutError, match="exceed the layout"):
        segment_layout.unpack(buffer)


def test_unpack_refuses_owner_slots_beyond_the_node_count():
    segment_layout = SegmentLayout(4, 2)
    buffer = _buffer(segment_layout)
    segment_layout.pack(buffer, ClusterSnapshot(2, _nodes(3), {"test": _partitions(3, 1)}))
    buffer[HEADER_SIZE + 8 : HEADER_SIZE + 12] = (1).to_bytes(4, "little")  # now fewer nodes than owners name
    with pytest.raises(LayoutError, match="beyond"):
        segment_layout.unpack(buffer)


def test_generation_field_is_independent_of_the_payload():
    segment_layout = SegmentLayout(4, 2)
    buffer = _buffer(segment_layout)
    write_u64(buffer, GENERATION_OFFSET, 7)
    segment_layout.pack(buffer, ClusterSnapshot(8, _nodes(1), {}))
    assert read_u64(buffer, GENERATION_OFFSET) == 7
    assert segment_layout.unpack(buffer).generation == 8


def test_layout_sizes_are_bounded():
    with pytest.raises(LayoutError):
        SegmentLayout(0, 1)
    assert SegmentLayout(16, 8).size < 300_000
