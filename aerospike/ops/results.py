"""The shape of a list/map operation's result: turning the decoded reply value into what the spec returns.

Owns: which results the spec reshapes (map ``MAP_RETURN_KEY_VALUE`` results become a list of ``(key, value)``
tuples, spec/aerospike.rst "Map Return Types"), and what the reply parser must know to decode a CDT op's
reply (a server "preserve order" map is a flat ``[k1, v1, ...]`` list, as 3.0.0's C core read it, so that
entry order survives) and to frame the request (does the op write; does it ask for one reply op per request op).
Must not know sockets, policies or how the client decodes particles; it receives values already decoded.
"""

from __future__ import annotations

from typing import Any

from .._constants import MAP_RETURN_KEY_VALUE
from ..exception import ClientError

__all__ = [
    "RETURN_TYPE_INVERTED",
    "ResultShape",
    "key_value_pairs",
]

# Later clients OR this into a return type to select everything the operation does *not* select.
RETURN_TYPE_INVERTED = 0x10000

KIND_VALUE = "value"  # the decoded value as it is
KIND_KEY_VALUE = "key_value"  # flat [k1, v1, ...] or {k: v} -> [(k1, v1), ...]


def flat_key_values(value: Any) -> Any:
    """``[k1, v1, k2, v2, ...]`` from the server's KEY_VALUE result: what operate returns (client.rst: the
    format since 2.1.3, "a list of keys and corresponding values, rather than a list of key/value tuples")."""
    if isinstance(value, dict):
        return [item for pair in value.items() for item in pair]
    return value


def key_value_pairs(value: Any) -> Any:
    """``[(k1, v1), (k2, v2), ...]`` from the server's KEY_VALUE result (a flat list or a map).

    None (no such entry, or no such bin) stays None.
    """
    if value is None:
        return None
    if isinstance(value, dict):
        return list(value.items())
    if isinstance(value, list):
        if len(value) % 2:
            raise ClientError("Invalid key list of key/value pairs")
        return [(value[index], value[index + 1]) for index in range(0, len(value), 2)]
    raise ClientError(f"a key/value result must be a map or a list, not {type(value).__name__}")


class ResultShape:
    """How one CDT operation's reply value becomes the spec's result.

    ``shape(value)`` reshapes a value decoded from the reply op. ``preserved_map_as_list`` tells the reply
    decoder to keep maps the server marked "preserve order" as flat lists (so KEY_VALUE pairs keep the
    server's order). ``is_write`` is True for CDT_MODIFY ops (the request needs the write bit), and
    ``respond_all_ops`` is True for map operations, for which the official client asks the server for one
    reply op per request op (info2 RESPOND_ALL_OPS), as the 19.3.0 transcripts show.
    """

    __slots__ = ("op_code", "return_type", "kind", "is_write", "respond_all_ops", "preserved_map_as_list")

    def __init__(
        self,
        op_code: int,
        *,
        is_write: bool,
        respond_all_ops: bool = False,
        return_type: int | None = None,
    ) -> None:
        self.op_code = op_code
        self.return_type = return_type
        self.is_write = is_write
        self.respond_all_ops = respond_all_ops
        # 3.0.0's map_* methods made pairs of exactly MAP_RETURN_KEY_VALUE results; its C core read every map
        # the server marks "preserve order" (KEY_VALUE results, inverted ones too) as a flat list.
        self.kind = KIND_KEY_VALUE if return_type == MAP_RETURN_KEY_VALUE else KIND_VALUE
        self.preserved_map_as_list = return_type is not None

    def __call__(self, value: Any) -> Any:
        """The spec's result for `value`, the decoded reply value of this operation."""
        if self.kind == KIND_KEY_VALUE:
            return key_value_pairs(value)
        return value

    def __repr__(self) -> str:
        return (
            f"ResultShape(op_code={self.op_code}, return_type={self.return_type}, kind={self.kind!r}, "
            f"is_write={self.is_write}, respond_all_ops={self.respond_all_ops})"
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ResultShape):
            return NotImplemented
        return (self.op_code, self.return_type, self.is_write, self.respond_all_ops) == (
            other.op_code,
            other.return_type,
            other.is_write,
            other.respond_all_ops,
        )

    def __hash__(self) -> int:
        return hash((self.op_code, self.return_type, self.is_write, self.respond_all_ops))
