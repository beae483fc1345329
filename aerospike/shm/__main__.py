"""`python -m aerospike.shm status [KEY]` shows shared-memory segments; `remove KEY [--force]` removes one.

Reads segments without attaching (read-only mapping, seqlock copy), so it never counts as a user, never tends and
never changes a segment except through `remove`.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from typing import Optional, TextIO

from aerospike.exception import ClientError
from aerospike.shm.layout import (
    CLAIMED_AT_OFFSET,
    CREATED_AT_OFFSET,
    GENERATION_OFFSET,
    HEARTBEAT_OFFSET,
    MAGIC,
    TENDER_EPOCH_OFFSET,
    TENDER_PID_OFFSET,
    LayoutError,
    SegmentLayout,
    read_f64,
    read_header,
    read_u64,
)
from aerospike.shm.segment import (
    list_keys,
    open_read_only,
    remove,
    segment_name,
    tender_lock_held,
    users_alive,
)
from aerospike.snapshot import NO_NODE, ClusterSnapshot


def _parse_key(text: str) -> int:
    try:
        key = int(text, 0)
    except ValueError:
        key = int(text, 16)  # bare hex, as in the segment's name
    if not 0 < key < 2**32:
        raise ValueError(f"shm key out of range: {text}")
    return key


def _read_snapshot(layout: SegmentLayout, buffer: memoryview) -> Optional[ClusterSnapshot]:
    for _ in range(100):
        before = read_u64(buffer, GENERATION_OFFSET)
        if before % 2 == 0 and before:
            try:
                snapshot = layout.unpack(buffer)
            except LayoutError:
                snapshot = None
            if read_u64(buffer, GENERATION_OFFSET) == before:
                return snapshot
        elif before == 0:
            return None
        time.sleep(0.001)
    return None


def _age(now: float, then: float) -> str:
    return "never" if then == 0 else f"{now - then:.1f}s"


def status(key: int, out: TextIO) -> bool:
    """Print one segment's state; False when there is no such segment."""
    memory = open_read_only(key)
    if memory is None:
        out.write(f"shm key 0x{key:08x}: no segment {segment_name(key)}\n")
        return False
    with memory:
        buffer = memoryview(memory)
        try:
            _print_status(key, buffer, out)
        finally:
            buffer.release()
    return True


def _print_status(key: int, buffer: memoryview, out: TextIO) -> None:
    header = read_header(buffer)
    out.write(f"shm key 0x{key:08x} ({segment_name(key)}), {len(buffer)} bytes\n")
    if header.magic != MAGIC:
        out.write(f"  not an aerospike shm segment (magic {header.magic!r})\n")
        return
    now = time.time()
    alive = users_alive(key)
    users = {True: "live processes attached", False: "none alive (stale)", None: "unknown (segment busy)"}[
        alive
    ]
    held = "held" if tender_lock_held(key) else "free"
    out.write(
        f"  layout: version {header.version}, max_nodes {header.max_nodes}, max_namespaces {header.max_namespaces}\n"
        f"  cluster name: {header.cluster_name!r}, seeds digest {header.seeds_digest[:6].hex()}\n"
        f"  users: {users}\n"
        f"  tender pid: {read_u64(buffer, TENDER_PID_OFFSET)} (lock {held}), "
        f"epoch {read_u64(buffer, TENDER_EPOCH_OFFSET)}, claimed {_age(now, read_f64(buffer, CLAIMED_AT_OFFSET))} ago\n"
        f"  heartbeat age: {_age(now, read_f64(buffer, HEARTBEAT_OFFSET))}\n"
        f"  created: {_age(now, read_f64(buffer, CREATED_AT_OFFSET))} ago\n"
        f"  generation: {read_u64(buffer, GENERATION_OFFSET)}\n"
    )
    try:
        layout = SegmentLayout(header.max_nodes, header.max_namespaces)
    except LayoutError as error:
        out.write(f"  unreadable sizes: {error}\n")
        return
    if layout.size != header.total_size or len(buffer) < layout.size:
        out.write(f"  size mismatch: header says {header.total_size}, layout needs {layout.size}\n")
        return
    snapshot = _read_snapshot(layout, buffer)
    if snapshot is None:
        out.write("  nodes: none published\n")
        return
    out.write(f"  nodes: {len(snapshot.nodes)}\n")
    for index, node in enumerate(snapshot.nodes):
        tls = f" tls {node.tls_name}" if node.tls_name else ""
        out.write(f"    [{index}] {node.name} {node.host}:{node.port}{tls}\n")
    out.write(f"  namespaces: {len(snapshot.namespaces)}\n")
    for name, partitions in snapshot.namespaces.items():
        out.write(f"    {name}: replication {partitions.replica_count}\n")
        for replica_index, owners in enumerate(partitions.owners):
            counts = Counter(owners)
            shares = ", ".join(
                f"{snapshot.nodes[index].name} {counts[index]}"
                for index in range(len(snapshot.nodes))
                if counts[index]
            )
            unowned = f", unowned {counts[NO_NODE]}" if counts[NO_NODE] else ""
            role = "master" if replica_index == 0 else f"replica {replica_index}"
            out.write(f"      {role} partitions per node: {shares}{unowned}\n")


def main(argv: Optional[list[str]] = None, out: TextIO = sys.stdout) -> int:
    parser = argparse.ArgumentParser(prog="python -m aerospike.shm", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    show = commands.add_parser("status", help="show one segment, or every segment in /dev/shm")
    show.add_argument("key", nargs="?", help="shm key, e.g. 0xA7000000")
    drop = commands.add_parser("remove", help="remove a segment and its lock files")
    drop.add_argument("key", help="shm key, e.g. 0xA7000000")
    drop.add_argument("--force", action="store_true", help="remove even while live processes use it")
    args = parser.parse_args(argv)
    try:
        key = None if args.key is None else _parse_key(args.key)
    except ValueError as error:
        parser.error(str(error))
    if args.command == "status":
        keys = [key] if key is not None else list_keys()
        if not keys:
            out.write("no aerospike shm segments\n")
            return 0
        found = [status(each, out) for each in keys]
        return 0 if all(found) else 1
    assert key is not None
    try:
        existed = remove(key, force=args.force)
    except ClientError as error:  # in use by live processes
        out.write(f"{error}\n")
        return 1
    out.write(f"shm key 0x{key:08x}: {'removed' if existed else 'nothing to remove'}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
