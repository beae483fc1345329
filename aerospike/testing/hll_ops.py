"""Server semantics of HyperLogLog operations (op types HLL_READ / HLL_MODIFY) for the local cluster.

Owns: the HLL particle as the server lays it out (flags, index bits, min-hash bits, a cached count, then the
registers as one big-endian bit stream of 6 + min-hash bits each), the server's element hash (MurmurHash3
x64-128 of each element's msgpack bytes), its estimators (Ertl's improved estimator for counts; HyperMinHash for
similarity and intersections when min-hash bits are present, inclusion-exclusion otherwise), and the op table
with its argument checks and write flags. ``apply_hll_op`` is also what the expression evaluator calls. Must not
know sockets, partitions or the client core.
"""

from __future__ import annotations

import math
import struct
from typing import Optional

import msgpack

from aerospike.protocol import constants as c

from . import record_ops
from .record_ops import BinValue, OpError

__all__ = ["Hll", "apply_hll_op", "install", "murmur3_x64_128"]

INIT, ADD, SET_UNION, SET_COUNT, FOLD = 0, 1, 2, 3, 4
COUNT, UNION, UNION_COUNT, INTERSECT_COUNT, SIMILARITY, DESCRIBE = 50, 51, 52, 53, 54, 55

CREATE_ONLY, UPDATE_ONLY, NO_FAIL, ALLOW_FOLD = 1, 2, 4, 8

HLL_BITS = 6
MIN_INDEX_BITS, MAX_INDEX_BITS = 4, 16
MIN_MINHASH_BITS, MAX_MINHASH_BITS = 4, 64 - HLL_BITS - 7
MAX_COMBINED_BITS = 64
_HEADER = struct.Struct("<BBBQ")  # flags, n_index_bits, n_minhash_bits, cache (host order: little-endian)
_MASK64 = (1 << 64) - 1
_UNSET = 0xFF


# --------------------------------------------------------------------------------------------- hashing


def _rotl(value: int, bits: int) -> int:
    return ((value << bits) | (value >> (64 - bits))) & _MASK64


def _fmix(k: int) -> int:
    k ^= k >> 33
    k = (k * 0xFF51AFD7ED558CCD) & _MASK64
    k ^= k >> 33
    k = (k * 0xC4CEB9FE1A85EC53) & _MASK64
    return k ^ (k >> 33)


def murmur3_x64_128(data: bytes, seed: int = 0) -> tuple[int, int]:
    """MurmurHash3 x64 128 of `data`: the two 64-bit halves (h1, h2), as the C code leaves them in memory."""
    c1, c2 = 0x87C37B91114253D5, 0x4CF5AD432745937F
    h1 = h2 = seed
    length = len(data)
    n_blocks = length // 16
    for block in range(n_blocks):
        k1, k2 = struct.unpack_from("<QQ", data, block * 16)
        k1 = (_rotl((k1 * c1) & _MASK64, 31) * c2) & _MASK64
        h1 ^= k1
        h1 = (((_rotl(h1, 27) + h2) & _MASK64) * 5 + 0x52DCE729) & _MASK64
        k2 = (_rotl((k2 * c2) & _MASK64, 33) * c1) & _MASK64
        h2 ^= k2
        h2 = (((_rotl(h2, 31) + h1) & _MASK64) * 5 + 0x38495AB5) & _MASK64
    tail = data[n_blocks * 16 :]
    k1 = int.from_bytes(tail[:8], "little") if tail else 0
    k2 = int.from_bytes(tail[8:16], "little") if len(tail) > 8 else 0
    if len(tail) > 8:
        h2 ^= (_rotl((k2 * c2) & _MASK64, 33) * c1) & _MASK64
    if tail:
        h1 ^= (_rotl((k1 * c1) & _MASK64, 31) * c2) & _MASK64
    h1 ^= length
    h2 ^= length
    h1 = (h1 + h2) & _MASK64
    h2 = (h2 + h1) & _MASK64
    h1, h2 = _fmix(h1), _fmix(h2)
    h1 = (h1 + h2) & _MASK64
    h2 = (h2 + h1) & _MASK64
    return h1, h2


def _trailing_zeros(value: int) -> int:
    return 64 if value == 0 else (value & -value).bit_length() - 1


# --------------------------------------------------------------------------------------------- the sketch


class Hll:
    """An HLL particle: index bits, min-hash bits, cached count and registers (each 6 + min-hash bits wide)."""

    __slots__ = ("n_index_bits", "n_minhash_bits", "cache", "registers")

    def __init__(self, n_index_bits: int, n_minhash_bits: int, cache: int = 0, registers: Optional[list] = None):
        self.n_index_bits = n_index_bits
        self.n_minhash_bits = n_minhash_bits
        self.cache = cache
        self.registers = registers if registers is not None else [0] * (1 << n_index_bits)

    @staticmethod
    def size(n_index_bits: int, n_minhash_bits: int) -> int:
        return _HEADER.size + ((HLL_BITS + n_minhash_bits) * (1 << n_index_bits) + 7) // 8

    @classmethod
    def parse(cls, data: bytes) -> Hll:
        """An HLL from particle bytes; OpError 4 when they are not a valid HLL."""
        if len(data) < _HEADER.size:
            raise OpError(c.RESULT_PARAMETER_ERROR)
        flags, n_index_bits, n_minhash_bits, cache = _HEADER.unpack_from(data)
        if flags or not _valid_combined(n_index_bits, n_minhash_bits) or len(data) != cls.size(
            n_index_bits, n_minhash_bits
        ):
            raise OpError(c.RESULT_PARAMETER_ERROR)
        width = HLL_BITS + n_minhash_bits
        count = 1 << n_index_bits
        stream = int.from_bytes(data[_HEADER.size :], "big")
        total = len(data[_HEADER.size :]) * 8
        mask = (1 << width) - 1
        registers = [(stream >> (total - width * (r + 1))) & mask for r in range(count)]
        return cls(n_index_bits, n_minhash_bits, cache, registers)

    def to_bytes(self) -> bytes:
        width = HLL_BITS + self.n_minhash_bits
        total = ((width << self.n_index_bits) + 7) // 8 * 8
        stream = 0
        for value in self.registers:
            stream = (stream << width) | value
        stream <<= total - width * len(self.registers)
        return _HEADER.pack(0, self.n_index_bits, self.n_minhash_bits, self.cache) + stream.to_bytes(total // 8, "big")

    def hll_value(self, register: int) -> int:
        return register >> self.n_minhash_bits

    def add(self, element: bytes) -> bool:
        h1, h2 = murmur3_x64_128(element)
        index = h1 & ((1 << self.n_index_bits) - 1)
        minhash = (h1 >> self.n_index_bits) & ((1 << self.n_minhash_bits) - 1)
        value = ((_trailing_zeros(h2) + 1) << self.n_minhash_bits) | minhash
        width_mask = (1 << (HLL_BITS + self.n_minhash_bits)) - 1
        value &= width_mask
        if self.registers[index] < value:
            self.registers[index] = value
            self.cache = 0
            return True
        return False

    def has_data(self) -> bool:
        # The server looks at the first (1 << n_index_bits) / 8 dwords of the register bytes.
        n_bytes = (1 << self.n_index_bits) // 8 * 8
        return any(self.to_bytes()[_HEADER.size : _HEADER.size + n_bytes])

    def estimate(self) -> int:
        """Ertl's improved estimator (the server's Algorithm 6), or the cached count when there is one."""
        if self.cache:
            return self.cache
        n = 1 << self.n_index_bits
        counts = [0] * (HLL_MAX + 1)
        for register in self.registers:
            counts[min(self.hll_value(register), HLL_MAX)] += 1
        z = n * _tau(counts[HLL_MAX] / n)
        for k in range(HLL_MAX, 0, -1):
            z = 0.5 * (z + counts[k])
        z += n * _sigma(counts[0] / n)
        return int(_round_half_away(_alpha(self.n_index_bits) * n * n / z))


HLL_MAX = 1 << HLL_BITS


def _round_half_away(value: float) -> float:
    if math.isinf(value) or math.isnan(value):
        return 0.0
    return math.floor(value + 0.5) if value >= 0 else -math.floor(-value + 0.5)


def _tau(value: float) -> float:
    if value == 0.0 or value == 1.0:
        return 0.0
    y = 1.0
    z = 1 - value
    while True:
        value = math.sqrt(value)
        previous = z
        y *= 0.5
        z -= (1 - value) ** 2 * y
        if previous == z:
            return z / 3


def _sigma(value: float) -> float:
    if value == 1.0:
        return math.inf
    y = 1.0
    z = value
    while True:
        value *= value
        previous = z
        z += value * y
        y += y
        if previous == z:
            return z


def _alpha(n_index_bits: int) -> float:
    return {4: 0.673, 5: 0.697, 6: 0.709}.get(n_index_bits, 0.7213 / (1.0 + 1.079 / (1 << n_index_bits)))


def _valid_index(bits: int) -> bool:
    return MIN_INDEX_BITS <= bits <= MAX_INDEX_BITS


def _valid_minhash(bits: int) -> bool:
    return bits == 0 or MIN_MINHASH_BITS <= bits <= MAX_MINHASH_BITS


def _valid_combined(index_bits: int, minhash_bits: int) -> bool:
    return _valid_index(index_bits) and _valid_minhash(minhash_bits) and index_bits + minhash_bits <= MAX_COMBINED_BITS


def _template(hlls: list[Hll]) -> tuple[int, int]:
    index_bits = hlls[0].n_index_bits
    minhash_bits = hlls[0].n_minhash_bits
    for hll in hlls[1:]:
        index_bits = min(index_bits, hll.n_index_bits)
        if minhash_bits != 0 and minhash_bits != hll.n_minhash_bits:
            minhash_bits = 0
    return index_bits, minhash_bits


def _union_into(target: Hll, other: Hll) -> None:
    mask = (1 << target.n_index_bits) - 1
    if target.n_minhash_bits == 0:
        for r, register in enumerate(other.registers):
            value = other.hll_value(register)
            if target.hll_value(target.registers[r & mask]) < value:
                target.registers[r & mask] = value
        return
    for r, register in enumerate(other.registers):
        if target.registers[r & mask] < register:
            target.registers[r & mask] = register
    target.cache = 0


def _union(hlls: list[Hll]) -> Hll:
    index_bits, minhash_bits = _template(hlls)
    result = Hll(index_bits, minhash_bits)
    for hll in hlls:
        _union_into(result, hll)
    return result


def _union_count(hlls: list[Hll]) -> int:
    return _union(hlls).estimate()


def _hll_intersect_count(hlls: list[Hll]) -> int:
    union = _union_count(hlls)
    total = sum(hll.estimate() for hll in hlls)
    if len(hlls) == 2:
        return total - union if total > union else 0
    pairs = _intersect_count(hlls[:2]) + _intersect_count(hlls[1:3]) + _intersect_count([hlls[0], hlls[2]])
    result = union - (total - pairs)
    return max(result, 0)


def _intersect_count(hlls: list[Hll]) -> int:
    _, minhash_bits = _template(hlls)
    if minhash_bits == 0:
        return _hll_intersect_count(hlls)
    similarity = _similarity(hlls)
    if math.isnan(similarity):
        return 0
    return int(_round_half_away(_union_count(hlls) * similarity))


def _collisions(index_bits: int, minhash_bits: int, card0: int, card1: int) -> float:
    total = 0.0
    n = 1 << index_bits
    for i in range(1, HLL_MAX + 1):
        b1 = 0.0 if i == HLL_MAX else 2.0**-i
        b2 = 2.0 ** (-i + 1)
        b1 /= n
        b2 /= n
        pr_x = (1 - b1) ** card0 - (1 - b2) ** card0
        pr_y = (1 - b1) ** card1 - (1 - b2) ** card1
        total += pr_x * pr_y
    return total * n / 2.0**minhash_bits


def _similarity(hlls: list[Hll]) -> float:
    index_bits, minhash_bits = _template(hlls)
    if minhash_bits == 0:
        union = _union_count(hlls)
        return _hll_intersect_count(hlls) / union if union else math.nan
    with_data = [hll.has_data() for hll in hlls]
    if not all(with_data):
        return 0.0 if any(with_data) else math.nan
    aggregate = Hll(index_bits, minhash_bits)
    for hll in hlls:
        _union_into(aggregate, hll)
    n_union = sum(1 for register in aggregate.registers if register)
    aggregate = Hll(index_bits, minhash_bits)
    _union_into(aggregate, hlls[0])
    mask = (1 << index_bits) - 1
    for hll in hlls[1:]:
        for r, register in enumerate(hll.registers):
            current = aggregate.registers[r & mask]
            aggregate.registers[r & mask] = current if current == register else 0
    n_intersect = sum(1 for register in aggregate.registers if register)
    collisions = 0.0
    if len(hlls) == 2:
        collisions = _collisions(index_bits, minhash_bits, hlls[0].estimate(), hlls[1].estimate())
    result = (n_intersect - collisions) / n_union
    return max(result, 0.0)


# --------------------------------------------------------------------------------------------- op parsing


def _int_arg(args: list, index: int, default: int = _UNSET) -> int:
    if len(args) <= index:
        return default
    value = args[index]
    if type(value) is not int:
        raise OpError(c.RESULT_PARAMETER_ERROR)
    return value


def _index_bits(args: list, index: int) -> int:
    value = _int_arg(args, index)
    if value == _UNSET:
        return _UNSET
    if value == -1:
        return _UNSET
    if not _valid_index(value):
        raise OpError(c.RESULT_PARAMETER_ERROR)
    return value


def _minhash_bits(args: list, index: int, index_bits: int) -> int:
    value = _int_arg(args, index)
    if value in (_UNSET, -1):
        return _UNSET
    if not _valid_minhash(value) or (index_bits != _UNSET and not _valid_combined(index_bits, value)):
        raise OpError(c.RESULT_PARAMETER_ERROR)
    return value


def _flags(args: list, index: int, allowed: int) -> int:
    value = _int_arg(args, index, 0)
    if value < 0 or value & ~allowed or (value & CREATE_ONLY and value & UPDATE_ONLY):
        raise OpError(c.RESULT_PARAMETER_ERROR)
    return value


def _elements(args: list, raw_elements: Optional[list]) -> list[bytes]:
    if not args or not isinstance(args[0], list) or not args[0] or raw_elements is None:
        raise OpError(c.RESULT_PARAMETER_ERROR)
    if any(isinstance(item, (list, dict)) for item in args[0]):
        raise OpError(c.RESULT_PARAMETER_ERROR)
    return raw_elements


def _hlls(args: list) -> list[Hll]:
    if not args or not isinstance(args[0], list) or not args[0]:
        raise OpError(c.RESULT_PARAMETER_ERROR)
    hlls = []
    for item in args[0]:
        raw = item if isinstance(item, (bytes, bytearray)) else item.encode("utf-8", "surrogateescape") if isinstance(
            item, str
        ) else None
        if raw is None or len(raw) < _HEADER.size + 1:
            raise OpError(c.RESULT_PARAMETER_ERROR)
        hlls.append(Hll.parse(bytes(raw[1:])))  # skip the particle type byte
    return hlls


def _request(payload: bytes) -> tuple[int, list, Optional[list]]:
    """(op code, args, raw msgpack bytes of the elements of an add's first argument)."""
    try:
        unpacker = msgpack.Unpacker(raw=True, strict_map_key=False)
        unpacker.feed(payload)
        count = unpacker.read_array_header()
        if count == 0:
            raise OpError(c.RESULT_PARAMETER_ERROR)
        code = unpacker.unpack()
        raw_elements: Optional[list] = None
        args: list = []
        for position in range(count - 1):
            if position == 0 and code == ADD:
                n = unpacker.read_array_header()
                raw_elements = []
                items = []
                for _ in range(n):
                    before = unpacker.tell()
                    items.append(unpacker.unpack())
                    raw_elements.append(payload[before : unpacker.tell()])
                args.append(items)
            else:
                args.append(unpacker.unpack())
    except OpError:
        raise
    except Exception:  # noqa: BLE001 - any decoder failure is a malformed op
        raise OpError(c.RESULT_PARAMETER_ERROR) from None
    if type(code) is not int:
        raise OpError(c.RESULT_PARAMETER_ERROR)
    return code, args, raw_elements


def _int_reply(value: int) -> BinValue:
    return c.PARTICLE_INTEGER, struct.pack(">q", value if value < 1 << 63 else value - (1 << 64))


def apply_hll_op(modify: bool, current: Optional[BinValue], payload: bytes) -> tuple[Optional[BinValue], Optional[BinValue]]:
    """Apply one HLL op to a bin (None: missing). Returns (new bin value or None when unchanged, reply or None).
    Raises OpError with the server's result code."""
    code, args, raw_elements = _request(payload)
    if code not in (_MODIFY_ARGS if modify else _READ_ARGS):
        raise OpError(c.RESULT_PARAMETER_ERROR)  # the op code is checked before the bin's type, as 8.1 does
    if current is not None and current[0] != c.PARTICLE_HLL:
        raise OpError(c.RESULT_BIN_TYPE_ERROR)
    old = Hll.parse(current[1]) if current is not None else None
    if not modify:
        return None, _read(code, args, old)
    return _modify(code, args, raw_elements, old)


_READ_ARGS = {COUNT: 0, UNION: 1, UNION_COUNT: 1, INTERSECT_COUNT: 1, SIMILARITY: 1, DESCRIBE: 0}


def _read(code: int, args: list, old: Optional[Hll]) -> Optional[BinValue]:
    n_args = _READ_ARGS.get(code)
    if n_args is None or len(args) != n_args:
        raise OpError(c.RESULT_PARAMETER_ERROR)
    hlls = _hlls(args) if n_args else []
    if code in (INTERSECT_COUNT, SIMILARITY) and len(hlls) > 2:
        if any(hll.n_minhash_bits != hlls[0].n_minhash_bits for hll in hlls) or hlls[0].n_minhash_bits == 0:
            raise OpError(c.RESULT_PARAMETER_ERROR)
    if old is None:
        return None
    if code == COUNT:
        return _int_reply(old.estimate())
    if code == DESCRIBE:
        return c.PARTICLE_LIST, msgpack.packb([old.n_index_bits, old.n_minhash_bits])
    everything = hlls + [old]
    if code == UNION:
        return c.PARTICLE_HLL, _union(everything).to_bytes()
    if code == UNION_COUNT:
        return _int_reply(_union_count(everything))
    if len(hlls) > 2 and (old.n_minhash_bits == 0 or old.n_minhash_bits != hlls[0].n_minhash_bits):
        raise OpError(c.RESULT_OP_NOT_APPLICABLE)
    if code == INTERSECT_COUNT:
        return _int_reply(_intersect_count(everything))
    similarity = _similarity(everything)
    return c.PARTICLE_FLOAT, struct.pack(">d", similarity)


_MODIFY_ARGS = {INIT: (0, 3), ADD: (1, 4), SET_UNION: (1, 2), SET_COUNT: (0, 0), FOLD: (1, 1)}
_MODIFY_FLAGS = {INIT: CREATE_ONLY | UPDATE_ONLY | NO_FAIL, ADD: CREATE_ONLY | NO_FAIL,
                 SET_UNION: CREATE_ONLY | UPDATE_ONLY | ALLOW_FOLD | NO_FAIL, SET_COUNT: 0, FOLD: 0}  # fmt: skip


def _modify(code: int, args: list, raw_elements: Optional[list], old: Optional[Hll]) -> tuple[Optional[BinValue], Optional[BinValue]]:
    limits = _MODIFY_ARGS.get(code)
    if limits is None or not limits[0] <= len(args) <= limits[1]:
        raise OpError(c.RESULT_PARAMETER_ERROR)
    allowed = _MODIFY_FLAGS[code]
    index_bits = minhash_bits = _UNSET
    flags = 0
    elements: list[bytes] = []
    hlls: list[Hll] = []
    if code == INIT:
        index_bits = _index_bits(args, 0)
        minhash_bits = _minhash_bits(args, 1, index_bits)
        flags = _flags(args, 2, allowed)
    elif code == ADD:
        elements = _elements(args, raw_elements)
        index_bits = _index_bits(args, 1)
        minhash_bits = _minhash_bits(args, 2, index_bits)
        flags = _flags(args, 3, allowed)
    elif code == SET_UNION:
        hlls = _hlls(args)
        flags = _flags(args, 1, allowed)
    elif code == FOLD:
        index_bits = _index_bits(args, 0)
        if index_bits == _UNSET:
            raise OpError(c.RESULT_PARAMETER_ERROR)
    if old is not None and flags & CREATE_ONLY:
        if flags & NO_FAIL:
            return None, None
        raise OpError(c.RESULT_BIN_EXISTS)
    if old is None and flags & UPDATE_ONLY:
        if flags & NO_FAIL:
            return None, None
        raise OpError(c.RESULT_BIN_NOT_FOUND)
    reply: Optional[BinValue] = None
    if code == INIT:
        if old is None:
            if index_bits == _UNSET:
                raise OpError(c.RESULT_OP_NOT_APPLICABLE)
            minhash_bits = 0 if minhash_bits == _UNSET else minhash_bits
        else:
            index_bits = old.n_index_bits if index_bits == _UNSET else index_bits
            minhash_bits = old.n_minhash_bits if minhash_bits == _UNSET else minhash_bits
            if not _valid_combined(index_bits, minhash_bits):
                raise OpError(c.RESULT_OP_NOT_APPLICABLE)
        new = Hll(index_bits, minhash_bits)
    elif code == ADD:
        if old is None:
            if index_bits == _UNSET:
                raise OpError(c.RESULT_OP_NOT_APPLICABLE)
            new = Hll(index_bits, 0 if minhash_bits == _UNSET else minhash_bits)
        else:
            new = Hll(old.n_index_bits, old.n_minhash_bits, old.cache, list(old.registers))
        added = sum(1 for element in elements if new.add(element))
        reply = _int_reply(added)
    elif code == SET_UNION:
        # Without ALLOW_FOLD the bin may not lose index or min-hash bits; the result takes the sources' template.
        min_index = min(hll.n_index_bits for hll in hlls)
        min_minhash = _UNSET
        for hll in hlls:
            if hll.n_minhash_bits != min_minhash:
                min_minhash = hll.n_minhash_bits if min_minhash == _UNSET else 0
        if old is not None and not flags & ALLOW_FOLD:
            if old.n_index_bits > min_index or (old.n_minhash_bits != 0 and old.n_minhash_bits != min_minhash):
                raise OpError(c.RESULT_OP_NOT_APPLICABLE)
        sources = hlls + ([old] if old is not None else [])
        new = Hll(*_template(sources))
        for hll in sources:
            _union_into(new, hll)
    elif code == SET_COUNT:
        if old is None:
            raise OpError(c.RESULT_BIN_NOT_FOUND)
        new = Hll(old.n_index_bits, old.n_minhash_bits, old.cache, list(old.registers))
        new.cache = new.estimate()
        reply = _int_reply(new.cache)
    else:  # FOLD
        if old is None:
            raise OpError(c.RESULT_BIN_NOT_FOUND)
        if old.n_minhash_bits > 0 or old.n_index_bits < index_bits:
            raise OpError(c.RESULT_OP_NOT_APPLICABLE)
        if index_bits == old.n_index_bits:
            new = old
        else:
            new = Hll(index_bits, 0)
            _union_into(new, old)
    return (c.PARTICLE_HLL, new.to_bytes()), reply


def install(cluster: object = None) -> None:
    """Register the HLL engine with the local cluster's operation tables."""
    record_ops.register_bin_engine(c.OP_HLL_READ, c.OP_HLL_MODIFY, apply_hll_op)
