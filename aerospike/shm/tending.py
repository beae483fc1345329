"""The shared-memory tend strategy: one process tends and publishes, every other one reads the segment.

Owns SharedTending, the strategy Cluster runs when the config has `shm`: start() attaches and leaves a usable
snapshot applied, step() (the tend thread) tends and publishes as the tender or watches the tender as a follower,
poll() (the start of every Cluster.node_for) compares one integer, the segment's generation, with the one last
applied. Publishing is a seqlock: generation odd while the payload is written, even when done; readers never lock,
they copy and retry if the generation moved. A follower sends no tend traffic at all.
Must not know the byte layout (layout.py), the locks (segment.py), or the rules of the election (election.py).
"""

from __future__ import annotations

import os
import threading
import time
import weakref
from typing import TYPE_CHECKING, Callable, Iterable, Optional

from aerospike import exception
from aerospike._log import get_logger
from aerospike.shm.election import Election
from aerospike.shm.layout import (
    GENERATION_OFFSET,
    HEADER_SIZE,
    LayoutError,
    SegmentLayout,
    fit_snapshot,
    read_u64,
    seeds_digest,
    write_u64,
)
from aerospike.shm.segment import Segment
from aerospike.snapshot import ClusterSnapshot

if TYPE_CHECKING:
    from aerospike.cluster import Cluster, ClusterConfig

log = get_logger("aerospike.shm")

_READ_ATTEMPTS = 64  # seqlock retries before keeping the current view (a writer died mid-publish)
_START_POLL = 0.01
_CLOSED_BUFFER = memoryview(bytes(HEADER_SIZE))  # generation 0 forever: poll() after close() does nothing


def shm_key_for(config: ClusterConfig) -> int:
    """The segment key of a cluster config: the resolved key, else the `shm` config's, else one per cluster."""
    if config.shm_key is not None:
        return config.shm_key
    if config.shm is not None and config.shm.shm_key is not None:
        return config.shm.shm_key
    return derive_shm_key(config.seeds, config.cluster_name)


def derive_shm_key(seeds: Iterable[tuple], cluster_name: Optional[str]) -> int:
    """A key per cluster, as `use_shared_connection` asks: the default key's high byte, the rest from the seed set
    and the cluster name, so that two clusters never share a segment by accident."""
    digest = seeds_digest(seeds)
    name_digest = seeds_digest([(cluster_name or "", 0, "")])
    return 0xA7000000 | (int.from_bytes(digest[:3], "big") ^ int.from_bytes(name_digest[:3], "big"))


def _forget_in_child(reference: weakref.ref) -> Callable[[], None]:
    def hook() -> None:
        tending = reference()
        if tending is not None:
            # A thread of the parent may have held it at the fork; the child's copy would never be released.
            tending._refresh_lock = threading.Lock()
            tending._forget_inherited()

    return hook


class SharedTending:
    """The tend strategy of a Cluster whose config has `shm`."""

    def __init__(self, cluster: Cluster) -> None:
        config = cluster.config
        if config.shm is None:
            raise exception.ParamError(
                exception.ParamError.code, "shared-memory tending needs the shm config"
            )
        self.cluster = cluster
        self.shm = config.shm
        self.key = shm_key_for(config)
        self.layout = SegmentLayout(self.shm.max_nodes, self.shm.max_namespaces)
        self.cluster_name = config.cluster_name or ""
        self.seeds_digest = seeds_digest(config.seeds)
        self.segment: Optional[Segment] = None
        self.election: Optional[Election] = None
        self._buffer: memoryview = _CLOSED_BUFFER
        self._generation = 0  # segment generation of the view applied in this process
        self._refresh_lock = threading.Lock()
        self._published_from: Optional[ClusterSnapshot] = None  # the tender's snapshot last published
        self._closed = False
        # Drop inherited lock descriptors at once in a forked child, so a child that never touches the client
        # cannot keep a dead parent's tender lock held; Cluster calls after_fork_in_child() later to rejoin.
        os.register_at_fork(after_in_child=_forget_in_child(weakref.ref(self)))

    # -- the strategy seam ----------------------------------------------------------------------------------

    def start(self) -> None:
        """Attach, then wait (up to the connect timeout) until a usable snapshot is applied."""
        self._attach()
        timeout = max(self.cluster.config.conn_timeout, 0.5) + 2 * self.cluster.config.tend_interval
        try:
            self._wait_for_snapshot(time.monotonic() + timeout)
        except BaseException:
            self.close()
            raise

    def step(self) -> None:
        """One tend interval: tend and publish as the tender; as a follower, watch the tender and read."""
        election = self.election
        if election is None or self._closed:
            return
        if election.try_become_tender():
            self._tend_and_publish()
        else:
            self.poll()

    def poll(self) -> None:
        """Hot path: one integer read; the snapshot is read and applied only when the generation moved."""
        if read_u64(self._buffer, GENERATION_OFFSET) != self._generation:
            self._refresh()

    def close(self) -> None:
        """Step down, leave the segment (the last process removes it) and close the tend connections."""
        if self._closed:
            return
        self._closed = True
        with self._refresh_lock:
            self._buffer = _CLOSED_BUFFER
            self._generation = 0
        election, self.election = self.election, None
        segment, self.segment = self.segment, None
        if election is not None:
            election.step_down()
        if segment is not None:
            if segment.detach():
                log.info("shm key 0x%08x: last user left; segment removed", self.key)
        self.cluster.tender.close()

    def after_fork_in_child(self) -> None:
        """In a forked child: forget the parent's tend sockets and role, attach anew as a follower."""
        self._forget_inherited()
        self.cluster.tender.after_fork_in_child()
        self._refresh_lock = threading.Lock()
        if self._closed:
            return
        # The inherited mapping is dropped with its last reference (a reader thread may still hold it).
        self._attach()

    # -- attaching and waiting ------------------------------------------------------------------------------

    def _attach(self) -> None:
        timeout = max(self.cluster.config.conn_timeout, 1.0) * 5
        segment = Segment.attach(self.key, self.layout, self.cluster_name, self.seeds_digest, timeout)
        self.segment = segment
        self.election = Election(segment, self.shm.takeover_threshold_sec)
        self._published_from = None
        with self._refresh_lock:
            self._buffer = segment.buffer
            self._generation = 0

    def _forget_inherited(self) -> None:
        if self.segment is not None and self.segment.attached_pid != os.getpid():
            self.segment.forget()
        if self.election is not None:
            self.election.forget()

    def _wait_for_snapshot(self, deadline: float) -> None:
        election = self.election
        assert election is not None
        while True:
            if election.try_become_tender():
                snapshot = self._tend_and_publish()
                if snapshot is not None and snapshot.nodes:
                    return
                if election.is_tender:
                    # As LocalTending: one tend pass (each seed already had conn_timeout) decides.
                    if self.cluster.config.fail_if_not_connected:
                        raise self.cluster.tender.connect_failure()
                    return
                continue  # replaced while tending: follow the new tender
            else:
                # A follower takes the segment's view once the tender proves alive; a stale view is taken only
                # at the deadline (the tender may be stopped with takeover_threshold_sec longer than our wait).
                fresh = not election.tender_is_stale()
                if (
                    (fresh or time.monotonic() >= deadline)
                    and self._refresh()
                    and self.cluster.snapshot.nodes
                ):
                    return
                if time.monotonic() >= deadline:
                    raise exception.ClientError(
                        exception.ClientError.code,
                        f"shm key 0x{self.key:08x}: no cluster map published by tender pid {election.tender_pid()} "
                        f"within {self.cluster.config.conn_timeout:g}s",
                    )
            time.sleep(_START_POLL)

    # -- the tender -----------------------------------------------------------------------------------------

    def _tend_and_publish(self) -> Optional[ClusterSnapshot]:
        """Tend once and publish what changed; returns the published view, None when this process was replaced."""
        election = self.election
        segment = self.segment
        assert election is not None and segment is not None
        tended = self.cluster.tender.tend()
        changed = tended is not self._published_from
        fitted: Optional[ClusterSnapshot] = None
        if changed:
            fitted, problems = fit_snapshot(tended, self.layout.max_nodes, self.layout.max_namespaces)
            for problem in problems:
                log.error("shm key 0x%08x: %s", self.key, problem)
        healthy = bool(tended.nodes)
        published: list[Optional[ClusterSnapshot]] = []

        def write() -> None:
            if fitted is not None:
                published.append(self._write_seqlocked(segment.buffer, fitted))
            if healthy:
                election.heartbeat()

        if not election.publish(write):
            if not election.is_tender:
                self._published_from = None
                self.cluster.tender.close()  # a follower keeps no tend connections
                self.poll()
            return None
        if published:
            self._published_from = tended  # also after a refused pack: the error is logged once per change
            view = published[0]
            if view is None:
                return self.cluster.snapshot
            with self._refresh_lock:
                self.cluster.apply_snapshot(view)
                self._generation = view.generation
            return view
        return self.cluster.snapshot

    def _write_seqlocked(self, buffer: memoryview, snapshot: ClusterSnapshot) -> Optional[ClusterSnapshot]:
        """Publish `snapshot` as the segment's next even generation; None (old payload kept) if it cannot be packed."""
        generation = read_u64(buffer, GENERATION_OFFSET)
        writing = generation + 1 if generation % 2 == 0 else generation + 2  # odd; skips past a torn publish
        view = snapshot._replace(generation=writing + 1)
        write_u64(buffer, GENERATION_OFFSET, writing)
        try:
            self.layout.pack(buffer, view)
        except LayoutError:
            # pack() writes nothing when it refuses, so the old payload (and its generation) still stand.
            write_u64(buffer, GENERATION_OFFSET, generation)
            log.exception("shm key 0x%08x: snapshot not published", self.key)
            return None
        write_u64(buffer, GENERATION_OFFSET, writing + 1)
        return view

    # -- readers --------------------------------------------------------------------------------------------

    def _refresh(self) -> bool:
        """Read the published snapshot under the seqlock and apply it; True when a view is applied."""
        with self._refresh_lock:
            buffer = self._buffer
            for attempt in range(_READ_ATTEMPTS):
                before = read_u64(buffer, GENERATION_OFFSET)
                if before == self._generation and before:
                    return True
                if before == 0:
                    return False  # nothing published yet
                if before % 2 == 0:
                    try:
                        snapshot = self.layout.unpack(buffer)
                    except LayoutError:
                        if read_u64(buffer, GENERATION_OFFSET) == before:
                            log.exception(
                                "shm key 0x%08x: unreadable snapshot at generation %d", self.key, before
                            )
                            self._generation = before  # do not retry until the tender publishes again
                            return False
                        continue
                    if read_u64(buffer, GENERATION_OFFSET) == before:
                        self.cluster.apply_snapshot(snapshot)
                        self._generation = before
                        return True
                if attempt > 8:
                    time.sleep(0.0005)
            # The tender died mid-publish (generation stuck odd): keep routing by the current view until the next
            # tender publishes; remember the odd generation so the hot path does not retry on every command.
            self._generation = read_u64(buffer, GENERATION_OFFSET)
            return False
