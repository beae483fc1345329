"""A scenario of current-API batch calls (batch_read/write/operate/apply/remove), run through the official client
19.3.0 and through this package, on the local cluster and on a real server.

`tests/data/batch_records_19_3_0.json` holds what 19.3.0 returned for each call against Aerospike CE 8.1.2.0 (set
`bat_s`, from an empty set), normalised by :func:`describe`: node addresses read ADDR and TTLs that count down
read N. The module is plain Python that also runs in the official client's interpreter (see
tests/integration/test_batch_records_differential.py): it imports nothing of this package.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

SET = "bat_s"
MODULE_NAME = "bat_udf.lua"
MODULE = 'function ret_bin(rec, name)\n  return rec[name]\nend\nfunction boom(rec)\n  error("boom", 0)\nend\nfunction setbin(rec, name, v)\n  rec[name] = v\n  if aerospike:exists(rec) then aerospike:update(rec) else aerospike:create(rec) end\n  return v\nend\n'
GOLDEN = Path(__file__).resolve().parents[1] / "data" / "batch_records_19_3_0.json"

CALLS = [  # S is the set name, UDF the path of the module file
 "client.udf_put(UDF)",
 "[client.put(('test', S, 'k%d' % i), {'a': i, 's': 'v%d' % i, 'l': [i, 'x']}) for i in range(4)]",
 "client.batch_read([('test', S, 'k%d' % i) for i in range(6)])",
 "client.batch_read([('test', S, 'k%d' % i) for i in range(6)], ['a', 'zz'])",
 "client.batch_read([('test', S, 'k%d' % i) for i in range(6)], [])",
 "client.batch_read([('test', S, 'k%d' % i) for i in range(6)], policy={'expressions': exp.GT(exp.IntBin('a'), 1).compile()})",
 "client.batch_read([('test', S, 'k1')], policy={'expressions': exp.GT(exp.IntBin('a'), 1).compile()})",
 "client.batch_read([('nosuchns', S, 'k1'), ('test', S, 'k1'), ('test', S, 'k2')])",
 "client.batch_operate([('test', S, 'k%d' % i) for i in range(6)], [op.increment('a', 10), op.read('a'), op.read('s')])",
 "client.batch_operate([('test', S, 'k%d' % i) for i in range(6)], [op.append('a', 'x')])",
 "client.batch_operate([('test', S, 'k%d' % i) for i in range(6)], [op.read('l')])",
 "client.batch_operate([('test', S, 'k%d' % i) for i in range(3)], [op.write('w', 1)], policy_batch_write={'exists': aerospike.POLICY_EXISTS_CREATE})",
 "client.batch_operate([('test', S, 'k%d' % i) for i in range(3)], [op.write('w', 2)], policy_batch_write={'gen': aerospike.POLICY_GEN_EQ})",
 "client.batch_operate([('test', S, 'k%d' % i) for i in range(6)], [op.write('f', 1)], policy_batch_write={'expressions': exp.Eq(exp.IntBin('a'), 11).compile()})",
 "client.batch_write(br.BatchRecords([br.Write(('test', S, 'k0'), [op.write('c', 'new'), op.read('a')]), br.Read(('test', S, 'k0'), [op.read('c')]), br.Read(('test', S, 'k1'), None, read_all_bins=True), br.Read(('test', S, 'k1'), None), br.Remove(('test', S, 'k2')), br.Remove(('test', S, 'nope')), br.Apply(('test', S, 'k3'), 'bat_udf', 'ret_bin', ['s']), br.Apply(('test', S, 'k3'), 'bat_udf', 'boom', [])]))",
 "client.batch_write(br.BatchRecords([br.Write(('test', S, 'k0'), [op.write('g', 1)], meta={'gen': 99}, policy={'gen': aerospike.POLICY_GEN_EQ}), br.Remove(('test', S, 'k1'), policy={'gen': aerospike.POLICY_GEN_EQ, 'generation': 99}), br.Read(('test', S, 'k1'), [op.read('a')], policy={'expressions': exp.Eq(exp.IntBin('a'), 0).compile()})]))",
 "client.batch_apply([('test', S, 'k%d' % i) for i in range(5)], 'bat_udf', 'ret_bin', ['a'])",
 "client.batch_apply([('test', S, 'k%d' % i) for i in range(3)], 'bat_udf', 'boom', [])",
 "client.batch_apply([('test', S, 'k%d' % i) for i in range(5)], 'bat_udf', 'setbin', ['z', 5])",
 "client.batch_apply([('test', S, 'k1')], 'bat_udf', 'ret_bin', ['z'])",
 "client.batch_apply([('test', S, 'k1')], 'bat_udf', 'nofunc', [])",
 "client.batch_remove([('test', S, 'k%d' % i) for i in range(6)], policy_batch_remove={'expressions': exp.Eq(exp.IntBin('a'), 13).compile()})",
 "client.batch_remove([('test', S, 'k%d' % i) for i in range(6)])",
 "client.batch_remove([('test', S, 'k1')])",
 "client.batch_read([('test', S, 'k%d' % i) for i in range(6)])",
 "[client.put(('test', S, 'k%d' % i), {'a': i, 's': 'v%d' % i}) for i in range(4)]",
 "client.batch_operate([('test', S, 'k%d' % i) for i in range(6)], [op.append('a', 'x')], policy_batch={'respond_all_keys': False})",
 "client.batch_operate([('test', S, 'k%d' % i) for i in range(6)], [op.append('s', 'x'), op.read('s')], policy_batch={'respond_all_keys': False})",
 "client.batch_remove([('test', S, 'k%d' % i) for i in range(2)], policy_batch_remove={'durable_delete': True})",
 "client.batch_operate([('test', S, 'k%d' % i) for i in range(6)], [op.write('u', 1)], policy_batch_write={'exists': aerospike.POLICY_EXISTS_UPDATE, 'key': aerospike.POLICY_KEY_SEND}, ttl=1000)",
 "client.batch_write(br.BatchRecords([br.Write(('test', S, 'k0'), [op.write('t', 1)], meta={'ttl': 500}), br.Write(('test', S, 'k1'), [op.touch(), op.read('t')], policy={'ttl': 600}), br.Read(('test', S, 'k0'), [op.read('t')], policy={'read_mode_ap': 1}), br.Write(('test', S, 'k2'), [op.write('t', 2)], policy={'exists': aerospike.POLICY_EXISTS_REPLACE}), br.Write(('test', S, 'k9'), [op.write('t', 2)], policy={'exists': aerospike.POLICY_EXISTS_REPLACE})]))",
 "client.batch_read([('test', S, 'k%d' % i) for i in range(6)], ['t', 'u', 'a'])",
 "client.batch_write(br.BatchRecords([br.Write(('test', S, 'k0'), [op.delete()]), br.Write(('test', S, 'k1'), [op.write('a', None)]), br.Read(('test', S, 'k0'), None, read_all_bins=True)]))",
 "client.batch_remove([('test', S, 'k%d' % i) for i in range(10)])",
]

_ADDRESS = re.compile(r"127\.0\.0\.1:\d+")
_TTL = re.compile(r"'ttl': (\d+)")


def _normalise(text: str) -> str:
    text = _ADDRESS.sub("ADDR", text)
    return _TTL.sub(lambda m: m.group(0) if m.group(1) in ("4294967295", "0") else "'ttl': N", text)


def describe(value: Any) -> str:
    """A call's outcome as text: a BatchRecords as (result, [(key, result, record, message, in_doubt)])."""
    if hasattr(value, "batch_records"):
        return _normalise(repr((value.result, [(r.key, r.result, r.record, r.message, r.in_doubt)
                                               for r in value.batch_records])))
    return _normalise(repr(value))


def run_calls(client: Any, names: dict, udf_path: str) -> list[str]:
    """Run every call of CALLS in order; the description of each outcome (an exception as 'raised ...')."""
    outcomes = []
    for source in CALLS:
        scope = dict(names, client=client, S=SET, UDF=udf_path)
        try:
            outcomes.append(describe(eval(source, scope)))
        except Exception as error:  # noqa: BLE001 - the outcome of the call is what is compared
            message = _normalise(str(getattr(error, "msg", error)))
            outcomes.append(f"raised {type(error).__name__}({getattr(error, 'code', None)}, {message})")
    return outcomes


def golden() -> list[str]:
    """What 19.3.0 returned for each call against CE 8.1.2.0."""
    return list(json.loads(GOLDEN.read_text(encoding="utf-8")))
