"""Command line: run a local cluster in the foreground until Ctrl-C or SIGTERM.

    python -m aerospike.testing --nodes 3 --port 3000 [--replication-factor N] [--namespace NAME ...]
        [--cluster-name NAME] [--node-ids A1,A2] [--edition community|enterprise]

Prints one `host:port` line per node once every node accepts connections, then `ready`.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from typing import Optional, Sequence

from .cluster import EDITIONS, LocalCluster


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m aerospike.testing", description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=1, help="number of nodes (default 1)")
    parser.add_argument("--port", type=int, default=3000, help="port of node 0; node k listens on port + k (0: any)")
    parser.add_argument("--replication-factor", type=int, default=2, help="copies of each partition (default 2)")
    parser.add_argument(
        "--namespace", action="append", dest="namespaces", metavar="NAME", help="a namespace (repeat; default test, bar)"
    )
    parser.add_argument("--cluster-name", default=None, help="cluster name nodes report (default: none)")
    parser.add_argument("--node-ids", default=None, help="comma-separated node ids, one per node")
    parser.add_argument("--edition", choices=EDITIONS, default="community")
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = _parser().parse_args(argv)
    node_ids = args.node_ids.split(",") if args.node_ids else None
    try:
        cluster = LocalCluster(
            nodes=args.nodes,
            replication_factor=args.replication_factor,
            namespaces=tuple(args.namespaces or ("test", "bar")),
            cluster_name=args.cluster_name,
            node_ids=node_ids,
            edition=args.edition,
            port=args.port,
        )
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    stop = threading.Event()

    def _on_signal(signum: int, frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    try:
        cluster.start()
    except OSError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    try:
        for host, port in cluster.hosts:
            print(f"{host}:{port}")
        print("ready", flush=True)
        while not stop.wait(0.5):
            pass
    finally:
        cluster.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
