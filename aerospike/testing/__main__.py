"""Command line: run a local cluster in the foreground until Ctrl-C or SIGTERM.

    python -m aerospike.testing --nodes 3 --port 3000 [--replication-factor N] [--namespace NAME ...]
        [--cluster-name NAME] [--node-ids A1,A2] [--edition community|enterprise]
        [--security] [--session-ttl SECONDS]
        [--tls-cert CHAIN.pem --tls-key KEY.pem [--tls-ca CA.pem] [--tls-name NAME]]

--security starts a secured cluster with one user, admin/admin (role user-admin). --tls-cert makes every node
listen with TLS; --tls-ca then requires client certificates signed by that CA (mutual TLS).

Prints one `host:port` line per node once every node accepts connections, then `ready`.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from typing import Any, Optional, Sequence

from .cluster import EDITIONS, LocalCluster
from .security import SecurityState


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m aerospike.testing", description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=1, help="number of nodes (default 1)")
    parser.add_argument(
        "--port", type=int, default=3000, help="port of node 0; node k listens on port + k (0: any)"
    )
    parser.add_argument(
        "--replication-factor", type=int, default=2, help="copies of each partition (default 2)"
    )
    parser.add_argument(
        "--namespace",
        action="append",
        dest="namespaces",
        metavar="NAME",
        help="a namespace (repeat; default test, bar)",
    )
    parser.add_argument("--cluster-name", default=None, help="cluster name nodes report (default: none)")
    parser.add_argument("--node-ids", default=None, help="comma-separated node ids, one per node")
    parser.add_argument("--edition", choices=EDITIONS, default="community")
    parser.add_argument("--security", action="store_true", help="require logins (user admin, password admin)")
    parser.add_argument("--session-ttl", type=int, default=None, help="seconds a login's session token lives")
    parser.add_argument(
        "--tls-cert", default=None, help="PEM certificate chain of the nodes: listen with TLS"
    )
    parser.add_argument("--tls-key", default=None, help="PEM private key of --tls-cert (if not in that file)")
    parser.add_argument("--tls-ca", default=None, help="PEM CA whose client certificates are required")
    parser.add_argument("--tls-name", default=None, help="TLS name the peers lists announce")
    return parser


def _security_and_tls(args: argparse.Namespace) -> tuple[Any, Optional[dict[str, str]]]:
    if args.session_ttl is not None and not args.security:
        raise ValueError("--session-ttl needs --security")
    security: Any = args.security
    if args.security and args.session_ttl is not None:
        security = SecurityState(session_ttl=args.session_ttl)
    if args.tls_cert is None:
        if args.tls_key or args.tls_ca or args.tls_name:
            raise ValueError("--tls-key, --tls-ca and --tls-name need --tls-cert")
        return security, None
    tls = {"certfile": args.tls_cert}
    for key, value in (("keyfile", args.tls_key), ("cafile", args.tls_ca), ("name", args.tls_name)):
        if value:
            tls[key] = value
    return security, tls


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = _parser().parse_args(argv)
    node_ids = args.node_ids.split(",") if args.node_ids else None
    try:
        security, tls = _security_and_tls(args)
        cluster = LocalCluster(
            nodes=args.nodes,
            replication_factor=args.replication_factor,
            namespaces=tuple(args.namespaces or ("test", "bar")),
            cluster_name=args.cluster_name,
            node_ids=node_ids,
            edition=args.edition,
            port=args.port,
            security=security,
            tls=tls,
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
