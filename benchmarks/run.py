"""Benchmark driver: the same workloads through our client, the official client and a raw socket loop.

    python benchmarks/run.py                       # starts a real asd node (shared/aerospike-server), runs get/put/operate
    python benchmarks/run.py --hosts 127.0.0.1:3000 --workloads get --processes 1,4
    python benchmarks/run.py --workloads get --threads 8 # 8 threads sharing one client in each process
    python benchmarks/run.py --workloads startup         # import time, connect + first command, RSS (medians)
    python benchmarks/run.py --server local              # the local cluster instead (a test double: not for figures)
    python benchmarks/run.py --official-python .venv-official/bin/python
    python benchmarks/run.py --workloads batch100,batch1000 --clients official,ours
    python benchmarks/run.py --workloads scan --records 200000 --clients official,ours
    python benchmarks/run.py --workloads get --repeat 5  # 5 runs per client, alternating: each one's median
    python benchmarks/run.py --processes 4 --shm         # the processes share one tender (shared memory)

Batch and scan rows also print records/s and client CPU per record; scan rows the peak RSS growth during the
foreach and the tracemalloc peak of a second pass. Before `scan`, the scan set is loaded once (`--records` puts
through our client in `--load-processes` processes) unless `--no-load`.

Prints one table row per (workload, processes, client) with ops/s, latency percentiles and client CPU time per
operation, and the ratio of ours to the official client measured in the same run. With the local cluster as
server, client CPU per operation is the fair comparison: the server's cost is the same for both clients.
The startup rows first byte-compile `aerospike` and `aerospike_helpers` (`python -m compileall`): a real
install has .pyc files, and an environment with PYTHONDONTWRITEBYTECODE=1 would otherwise compile every module
in every fresh interpreter, which is not what a user's import costs. Then each client's `import aerospike`,
connect + first command and RSS are the medians of `--startup-runs` fresh interpreters, the clients alternating.
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
# --shm: the shm_key of each client's runs (the processes of one run share its tender).
SHM_KEYS = {"ours": 0xA5B1E001, "official": 0xA5B1E002}
REPO = HERE.parent


def start_local_cluster(nodes: int, port: int) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "aerospike.testing", "--nodes", str(nodes), "--port", str(port)],
        stdout=subprocess.PIPE,
        text=True,
    )
    hosts = []
    assert process.stdout is not None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        line = line.strip()
        if line.startswith("127.0.0.1:"):
            hosts.append(line)
        if line == "ready":
            return process, ",".join(hosts)
    process.kill()
    raise SystemExit("local cluster did not start")


def run_one(
    python: str, client: str, workload: str, processes: int, args: argparse.Namespace, threads: int = 1
) -> dict:
    command = [
        python, str(HERE / "kv.py"), "--client", client, "--workload", workload, "--processes", str(processes),
        "--threads", str(threads),
        "--duration", str(args.duration), "--hosts", args.hosts, "--keys", str(args.keys),
        "--records", str(args.records),
    ]
    if workload == "scan":
        command.append("--tracemalloc")
    if args.shm and client != "raw":  # each client its own key (ours a POSIX segment, the official a System V one)
        command += ["--shm-key", hex(SHM_KEYS[client])]
    timeout = args.duration + 300 if workload not in ("load", "scan") else 3600
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    if client != "official":  # ours from this repository; the official client from its own interpreter alone
        env["PYTHONPATH"] = str(REPO)
    completed = subprocess.run(command, capture_output=True, text=True, cwd="/", timeout=timeout, env=env)
    if completed.returncode != 0:
        return {"error": completed.stderr.strip().splitlines()[-1] if completed.stderr else "failed"}
    return json.loads(completed.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hosts", help="existing cluster (default: start a local one)")
    parser.add_argument("--nodes", type=int, default=1)
    parser.add_argument("--port", type=int, default=3300)
    parser.add_argument("--workloads", default="get,put,operate")
    parser.add_argument("--processes", default="1")
    parser.add_argument("--threads", default="1", help="threads sharing one client per process, e.g. 1,8")
    parser.add_argument("--server", choices=("asd", "local"), default="asd",
                        help="without --hosts: start a real asd node (default) or a local cluster")
    parser.add_argument("--startup-runs", type=int, default=15)
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--repeat", type=int, default=1,
                        help="run each row this many times, the clients alternating; print each client's median run")
    parser.add_argument("--keys", type=int, default=1000)
    parser.add_argument("--clients", default="raw,official,ours")
    parser.add_argument("--records", type=int, default=200_000, help="records in the scan set")
    parser.add_argument("--load-processes", type=int, default=4)
    parser.add_argument("--no-load", action="store_true", help="the scan set is already loaded")
    parser.add_argument("--shm", action="store_true",
                        help="shared-memory tending (the config's shm) in every run of both clients")
    parser.add_argument(
        "--official-python",
        default=os.environ.get("AEROSPIKE_OFFICIAL_PYTHON", str(REPO / ".venv-official" / "bin" / "python")),
    )
    args = parser.parse_args()
    cluster = None
    asd = None
    if not args.hosts and args.server == "asd":
        sys.path.insert(0, str(REPO))
        from aerospike.testing.asd import AsdCluster

        asd = AsdCluster(nodes=args.nodes, replication_factor=1).start()
        args.hosts = ",".join(f"{host}:{port}" for host, port in asd.hosts)
    elif not args.hosts:
        cluster, args.hosts = start_local_cluster(args.nodes, args.port)
    print(f"server: {args.hosts} ({'asd ' + asd.asd if asd else 'local cluster' if cluster else 'given'})")
    pythons = {"ours": sys.executable, "raw": sys.executable, "official": args.official_python}
    try:
        header = f"{'workload':9} {'procs':>5} {'client':9} {'ops/s':>10} {'p50 us':>8} {'p99 us':>8} {'cpu us/op':>10} {'vs official':>12}"
        print(header)
        print("-" * len(header))
        extras = []
        for workload in args.workloads.split(","):
            if workload == "startup":
                startup_rows(pythons, args)
                continue
            if workload == "scan" and not args.no_load:
                load = run_one(sys.executable, "ours", "load", args.load_processes, args)
                if "error" in load:
                    raise SystemExit(f"loading the scan set failed: {load['error']}")
                print(f"(loaded {load['ops']} records in {load['ops'] / load['ops_per_sec']:.1f} s)")
            for processes, threads in ((int(p), int(t)) for p in args.processes.split(",")
                                       for t in args.threads.split(",")):
                runs: dict[str, list[dict]] = {}
                for _ in range(args.repeat):
                    for client in args.clients.split(","):
                        if client == "raw" and (workload != "get" or threads > 1):
                            continue
                        runs.setdefault(client, []).append(
                            run_one(pythons[client], client, workload, processes, args, threads)
                        )
                rows = {client: median_run(client_runs) for client, client_runs in runs.items()}
                official = rows.get("official", {})
                label = f"{processes}x{threads}t" if threads > 1 else str(processes)
                for client, row in rows.items():
                    if "error" in row:
                        print(f"{workload:9} {label:>5} {client:9} error: {row['error']}")
                        continue
                    ratio = ""
                    if client != "official" and "ops_per_sec" in official:
                        ratio = (
                            f"{row['ops_per_sec'] / official['ops_per_sec']:.2f}x ops, "
                            f"{row['cpu_us_per_op'] / official['cpu_us_per_op']:.2f}x cpu"
                        )
                    print(
                        f"{workload:9} {label:>5} {client:9} {row['ops_per_sec']:10.0f} {row['p50_us']:8.0f} "
                        f"{row['p99_us']:8.0f} {row['cpu_us_per_op']:10.1f} {ratio:>12}"
                        + (f"  errors={row['errors']}" if row["errors"] else "")
                        + (f"  (runs: {row['spread']})" if "spread" in row else "")
                    )
                    if workload.startswith("batch") or workload == "scan":
                        extras.append((workload, processes, client, row, official))
        if extras:
            print()
            print(f"{'workload':9} {'procs':>5} {'client':9} {'records/s':>10} {'cpu us/rec':>10} {'vs official':>12}"
                  f" {'rss +MiB':>9} {'tracemalloc MiB':>16}")
            for workload, processes, client, row, official in extras:
                ratio = ""
                if client != "official" and "records_per_sec" in official:
                    ratio = (f"{row['records_per_sec'] / official['records_per_sec']:.2f}x rec, "
                             f"{row['cpu_us_per_record'] / official['cpu_us_per_record']:.2f}x cpu")
                memory = ""
                if "rss_growth_kib" in row:
                    memory = f" {row['rss_growth_kib'] / 1024:9.1f} {row['tracemalloc_peak_kib'] / 1024:16.1f}"
                print(f"{workload:9} {processes:5} {client:9} {row['records_per_sec']:10.0f} "
                      f"{row['cpu_us_per_record']:10.2f} {ratio:>12}{memory}")
    finally:
        if cluster is not None:
            cluster.terminate()
            cluster.wait(timeout=10)
        if asd is not None:
            asd.stop()


def median_run(runs: list[dict]) -> dict:
    """The run with the median ops/s (the lower middle one of an even count), with the spread of all runs;
    an error if any run failed."""
    for run in runs:
        if "error" in run:
            return run
    if len(runs) == 1:
        return runs[0]
    ordered = sorted(runs, key=lambda run: run["ops_per_sec"])
    chosen = dict(ordered[(len(ordered) - 1) // 2])
    chosen["spread"] = "/".join(f"{run['ops_per_sec']:.0f}" for run in runs)
    return chosen


def compile_package() -> None:
    """Byte-compile the package as an install would, so `import aerospike` reads .pyc files.

    `-f`: compileall trusts a .pyc whose recorded mtime (whole seconds) matches, but the importer also checks the
    size, so a file edited twice in one second would be compiled again in every run.
    """
    targets = [str(REPO / name) for name in ("aerospike", "aerospike_helpers") if (REPO / name).is_dir()]
    subprocess.run([sys.executable, "-m", "compileall", "-q", "-f", *targets], check=True)


def startup_rows(pythons: dict[str, str], args: argparse.Namespace) -> None:
    """Medians over `--startup-runs` fresh interpreters per client, alternating the clients run by run."""
    import statistics

    clients = [client for client in args.clients.split(",") if client != "raw"]
    if "ours" in clients:
        compile_package()
    samples: dict[str, list[dict]] = {client: [] for client in clients}
    for _ in range(args.startup_runs):
        for client in clients:
            row = run_one(pythons[client], client, "startup", 1, args)
            if "error" in row:
                print(f"startup   {client:9} error: {row['error']}")
                return
            samples[client].append(row)
    medians = {
        client: {figure: statistics.median(row[figure] for row in rows)
                 for figure in ("import_ms", "connect_ms", "rss_kib", "rss_growth_kib")}
        for client, rows in samples.items()
    }
    official = medians.get("official")
    print()
    print(f"{'startup':9} {'client':9} {'import ms':>10} {'connect+1st ms':>15} {'RSS MiB':>8} {'RSS +MiB':>9}"
          f"   (medians of {args.startup_runs}; RSS +: growth from before the import)")
    for client, row in medians.items():
        ratio = ""
        if official and client != "official":
            ratio = (f"  {row['import_ms'] / official['import_ms']:.2f}x import, "
                     f"{row['connect_ms'] / official['connect_ms']:.2f}x connect, "
                     f"{row['rss_kib'] - official['rss_kib']:+.0f} KiB RSS, "
                     f"{row['rss_growth_kib'] - official['rss_growth_kib']:+.0f} KiB RSS growth")
        print(f"{'startup':9} {client:9} {row['import_ms']:10.1f} {row['connect_ms']:15.2f} {row['rss_kib'] / 1024:8.1f}"
              f" {row['rss_growth_kib'] / 1024:9.1f}{ratio}")
    print()


if __name__ == "__main__":
    main()
