"""String operations, path operations and bit_b64_encode of the current API (19.x dicts) as protocol ops.

Owns: the argument layout of each on the wire, as 19.3.0 writes them: string reads ``[code, args...]`` in a
string-typed op of type STRING_READ, writes ``[code, args..., write flags]`` of type STRING_MODIFY, ``to_string``
an empty op of type TO_STRING; select/modify by path ``[0xfe, [ctx...], flags(, expression)]`` as CDT
read/modify ops; bit_b64_encode ``[55, offset(, size, invert)]`` as a bit read. A `ctx` wraps the array as
``[0xff, [ctx...], [code, args...]]``. Must not know sockets, command policies or the reply parser.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from ..exception import ParamError
from ..protocol import cdt
from ..protocol import expressions as wire
from ..protocol.constants import (
    OP_BIT_READ,
    OP_CDT_MODIFY,
    OP_CDT_READ,
    OP_STRING_MODIFY,
    OP_STRING_READ,
    OP_TO_STRING,
    PARTICLE_BLOB,
    PARTICLE_NULL,
    PARTICLE_STRING,
)
from ..protocol.errors import ProtocolError
from ..protocol.message import Op
from ..values import check_bin_name
from .results import ResultShape

__all__ = ["EXTRA_BUILDERS"]

_S = wire.STRING_OP
OP_BIT_B64_ENCODE = 2018
OP_SELECT_BY_PATH = 2300
OP_MODIFY_BY_PATH = 2301


def _bin(operation: Mapping) -> str:
    name = operation.get("bin")
    if not isinstance(name, str):
        raise ParamError("Bin name should be of type string")
    check_bin_name(name)
    return name


def _flags(operation: Mapping) -> int:
    policy = operation.get("policy")
    if policy is None:
        return 0
    flags = policy.get("write_flags", 0) if isinstance(policy, dict) else getattr(policy, "write_flags", None)
    if isinstance(flags, bool) or not isinstance(flags, int):
        raise ParamError("policy must be a StringPolicy")
    return int(flags)


def _payload(code: int, args: tuple, ctx: Any) -> bytes:
    packer = cdt.CdtPacker(None, bool_as_int=False)
    try:
        if ctx:
            packer.array_header(3).integer(wire.CTX_MARKER).raw(wire.pack_ctx(ctx))
        packer.array_header(1 + len(args)).integer(code)
        for arg in args:
            packer.value(int(arg) if isinstance(arg, int) else arg)
    except ProtocolError as error:
        raise ParamError(str(error)) from None
    return packer.getvalue()


def _string(code: int, layout: Callable[[Mapping], tuple], is_write: bool = False):
    def build(operation: Mapping) -> tuple[Op, ResultShape]:
        args = layout(operation)
        if is_write and not (code == _S.SNIP and operation.get("end") is None):
            args = (*args, _flags(operation))
        op_type = OP_STRING_MODIFY if is_write else OP_STRING_READ
        op = Op(op_type, PARTICLE_STRING, _bin(operation), _payload(code, args, operation.get("ctx")))
        return op, ResultShape(operation["op"], is_write=is_write, respond_all_ops=True)

    return build


def _get(*keys: str) -> Callable[[Mapping], tuple]:
    return lambda operation: tuple(operation.get(key) for key in keys)


def _to_string(operation: Mapping) -> tuple[Op, ResultShape]:
    op = Op(OP_TO_STRING, PARTICLE_NULL, _bin(operation), b"")
    return op, ResultShape(operation["op"], is_write=False, respond_all_ops=True)


def _b64_encode(operation: Mapping) -> tuple[Op, ResultShape]:
    offset = operation.get("byte_offset", 0)
    size = operation.get("byte_size")
    args = (offset,) if size is None else (offset, size, 1 if operation.get("invert_size") else 0)
    payload = _payload(wire.BIT_B64_ENCODE, args, operation.get("ctx"))
    op = Op(OP_BIT_READ, PARTICLE_BLOB, _bin(operation), payload)
    return op, ResultShape(operation["op"], is_write=False, respond_all_ops=True)


def _path(is_write: bool):
    def build(operation: Mapping) -> tuple[Op, ResultShape]:
        flags = operation.get("cdt_flags", 0)
        if isinstance(flags, bool) or not isinstance(flags, int):
            raise ParamError("flags must be an integer")
        ctx = operation.get("ctx")
        if not ctx:
            raise ParamError("ctx must be a non-empty list of cdt_ctx objects")
        packer = cdt.CdtPacker(None, bool_as_int=False)
        try:
            packer.array_header(4 if is_write else 3).integer(wire.PATH_MARKER).raw(wire.pack_ctx(ctx))
            if is_write:
                packer.integer(flags | wire.PATH_MODIFY_FLAG)
                expression = operation.get("mod_exp")
                if expression is not None and hasattr(expression, "compile"):
                    expression = expression.compile()
                packer.raw(wire.encode_expression(expression or ()))
            else:
                packer.integer(flags)
        except ProtocolError as error:
            raise ParamError(str(error)) from None
        op = Op(OP_CDT_MODIFY if is_write else OP_CDT_READ, PARTICLE_BLOB, _bin(operation), packer.getvalue())
        return op, ResultShape(operation["op"], is_write=is_write)

    return build


_READS: dict[int, tuple[int, Callable[[Mapping], tuple]]] = {
    1200: (_S.STRLEN, _get()),
    1201: (_S.SUBSTR, _get("start")),
    1202: (_S.SUBSTR, _get("start", "end")),
    1203: (_S.CHAR_AT, _get("index")),
    1204: (_S.FIND, _get("needle", "occurrence")),
    1205: (_S.CONTAINS, _get("needle")),
    1206: (_S.STARTS_WITH, _get("prefix")),
    1207: (_S.ENDS_WITH, _get("suffix")),
    1208: (_S.TO_INTEGER, _get()),
    1209: (_S.TO_DOUBLE, _get()),
    1210: (_S.BYTE_LENGTH, _get()),
    1211: (_S.IS_NUMERIC, _get("numeric_type")),
    1212: (_S.IS_UPPER, _get()),
    1213: (_S.IS_LOWER, _get()),
    1214: (_S.TO_BLOB, _get()),
    1215: (_S.SPLIT, _get()),
    1216: (_S.SPLIT, _get("separator")),
    1217: (_S.B64_DECODE, _get()),
    1218: (_S.REGEX_COMPARE, _get("pattern", "regex_flags")),
}

_WRITES: dict[int, tuple[int, Callable[[Mapping], tuple]]] = {
    1219: (_S.INSERT, _get("index", "value")),
    1220: (_S.OVERWRITE, _get("index", "value")),
    1221: (_S.CONCAT, lambda o: (list(o.get("value_list") or ()),)),
    1222: (_S.SNIP, lambda o: (o.get("start"),) if o.get("end") is None else (o.get("start"), o.get("end"))),
    1224: (_S.REPLACE, lambda o: ([o.get("needle"), o.get("replacement")],)),
    1225: (_S.REPLACE_ALL, lambda o: ([o.get("needle"), o.get("replacement")],)),
    1226: (_S.UPPER, _get()),
    1227: (_S.LOWER, _get()),
    1228: (_S.CASE_FOLD, _get()),
    1229: (_S.NORMALIZE_NFC, _get()),
    1230: (_S.TRIM_START, _get()),
    1231: (_S.TRIM_END, _get()),
    1232: (_S.TRIM, _get()),
    1233: (_S.PAD_START, _get("target_length", "pad_string")),
    1234: (_S.PAD_END, _get("target_length", "pad_string")),
    1235: (_S.REPEAT, _get("count")),
    1236: (_S.REGEX_REPLACE, lambda o: ([o.get("pattern"), o.get("replacement")], o.get("regex_flags", 0))),
    1237: (_S.APPEND, _get("value")),
    1238: (_S.PREPEND, _get("value")),
}

EXTRA_BUILDERS: dict[int, Callable[[Mapping], tuple[Op, ResultShape]]] = {
    **{code: _string(wire_code, layout) for code, (wire_code, layout) in _READS.items()},
    **{code: _string(wire_code, layout, is_write=True) for code, (wire_code, layout) in _WRITES.items()},
    1239: _to_string,
    OP_BIT_B64_ENCODE: _b64_encode,
    OP_SELECT_BY_PATH: _path(False),
    OP_MODIFY_BY_PATH: _path(True),
}


