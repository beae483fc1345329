"""Who tends: the election among the processes attached to one segment.

Owns the tender role. A process becomes the tender either by taking the `.tender` flock (free when no tender is
alive: the kernel drops a dead holder's lock, so a SIGKILLed tender is replaced within one tend interval), or,
when the lock is held but the tender's heartbeat is older than `takeover_threshold_sec` (hung, stopped), without
it. Either way it records a new tender epoch in the header under the `.meta` lock. Every publish runs under that
lock after checking that the header's epoch is still ours; a tender that finds a newer epoch was replaced and steps
down (releasing the `.tender` lock if it holds it). So two writers never publish at once, and a stale writer never
publishes at all.
Must not know snapshots, tending or the cluster; tending.py decides what to publish.
"""

from __future__ import annotations

import os
import time
from typing import Callable, Optional

from aerospike._log import get_logger
from aerospike.shm.layout import (
    CLAIMED_AT_OFFSET,
    HEARTBEAT_OFFSET,
    TENDER_EPOCH_OFFSET,
    TENDER_PID_OFFSET,
    read_f64,
    read_u64,
    write_f64,
    write_u64,
)
from aerospike.shm.segment import Segment

log = get_logger("aerospike.shm")

#: Longest wait for the `.meta` lock when claiming or publishing; it is only ever held for microseconds.
META_LOCK_TIMEOUT = 1.0


class Election:
    """This process's part in the election of one segment's tender."""

    def __init__(
        self, segment: Segment, takeover_threshold_sec: float, clock: Callable[[], float] = time.time
    ) -> None:
        self.segment = segment
        self.takeover_threshold_sec = takeover_threshold_sec
        self.clock = clock
        self.epoch: Optional[int] = None  # the tender epoch this process owns; None while following
        self.holds_lock = False
        self.replaced_at = float("-inf")  # when another process last replaced this one as the tender

    @property
    def is_tender(self) -> bool:
        """Whether this process tends: it claimed an epoch and nobody has claimed a newer one since. (A tender
        that took over by staleness holds no lock until the stale one steps down, so a third process may take
        the freed lock and claim first: the header says so at once, before this process's next publish.)"""
        if self.epoch is None:
            return False
        try:
            return self.header_epoch() == self.epoch
        except ValueError:  # the segment's memory was released: this process is leaving it
            return False

    # -- reading the header ---------------------------------------------------------------------------------

    def header_epoch(self) -> int:
        return read_u64(self.segment.buffer, TENDER_EPOCH_OFFSET)

    def tender_pid(self) -> int:
        return read_u64(self.segment.buffer, TENDER_PID_OFFSET)

    def heartbeat_age(self) -> float:
        """Seconds since the tender last proved alive: its last successful tend, or its claim if later."""
        buffer = self.segment.buffer
        last = max(read_f64(buffer, HEARTBEAT_OFFSET), read_f64(buffer, CLAIMED_AT_OFFSET))
        return self.clock() - last

    def tender_is_stale(self) -> bool:
        return self.heartbeat_age() > self.takeover_threshold_sec

    # -- becoming and staying the tender --------------------------------------------------------------------

    def try_become_tender(self) -> bool:
        """Claim the tender role when the lock is free or the tender is stale; True when this process tends."""
        if self.epoch is not None:
            if self.header_epoch() == self.epoch:
                if not self.holds_lock:
                    # Tending by takeover: take the lock once the stale holder steps down or dies.
                    self.holds_lock = self.segment.tender.try_exclusive()
                return True
            self._replaced(self.header_epoch())
            return False
        # A tender just replaced (stopped past the threshold, then resumed) frees the lock as it steps down; for a
        # while it leaves that lock to the process that replaced it rather than claiming it back.
        if self.holds_lock or (
            self.clock() - self.replaced_at > self.takeover_threshold_sec and self.segment.tender.try_exclusive()
        ):
            self.holds_lock = True
            return self._claim(None, "the tender lock was free")
        observed = self.header_epoch()
        if self.tender_is_stale():
            age = self.heartbeat_age()
            return self._claim(observed, f"tender pid {self.tender_pid()} silent for {age:.1f}s")
        return False

    def _claim(self, observed_epoch: Optional[int], reason: str) -> bool:
        meta = self.segment.meta
        if not meta.acquire(META_LOCK_TIMEOUT):
            return False
        try:
            epoch = self.header_epoch()
            # A takeover by staleness is void if someone else claimed since we looked, or the tender woke up.
            if observed_epoch is not None and (epoch != observed_epoch or not self.tender_is_stale()):
                return False
            epoch += 1
            buffer = self.segment.buffer
            write_u64(buffer, TENDER_EPOCH_OFFSET, epoch)
            write_u64(buffer, TENDER_PID_OFFSET, os.getpid())
            write_f64(buffer, CLAIMED_AT_OFFSET, self.clock())
        finally:
            meta.release()
        self.epoch = epoch
        log.info(
            "shm key 0x%08x: pid %d tends now (epoch %d): %s", self.segment.key, os.getpid(), epoch, reason
        )
        return True

    def publish(self, write: Callable[[], None]) -> bool:
        """Run `write` under the `.meta` lock if this process is still the tender.

        False when the lock could not be had in time (try again next tend) or when another process took over, in
        which case this process has stepped down.
        """
        if self.epoch is None:
            return False
        meta = self.segment.meta
        if not meta.acquire(META_LOCK_TIMEOUT):
            log.warning("shm key 0x%08x: publish skipped, the segment lock is busy", self.segment.key)
            return False
        try:
            epoch = self.header_epoch()
            if epoch != self.epoch:
                self._replaced(epoch)
                return False
            write()
            return True
        finally:
            meta.release()

    def heartbeat(self) -> None:
        """Record a successful tend (call inside publish's `write`)."""
        write_f64(self.segment.buffer, HEARTBEAT_OFFSET, self.clock())

    def _replaced(self, epoch: int) -> None:
        log.info(
            "shm key 0x%08x: pid %d stops tending: epoch %d replaced by %d (pid %d)",
            self.segment.key, os.getpid(), self.epoch, epoch, self.tender_pid(),
        )  # fmt: skip
        self.step_down(replaced=True)

    def step_down(self, replaced: bool = False) -> None:
        """Stop tending and let another process take the lock (`replaced`: another process claimed a newer
        epoch; this one then leaves the freed lock alone for takeover_threshold_sec)."""
        if replaced:
            self.replaced_at = self.clock()
        self.epoch = None
        if self.holds_lock:
            self.holds_lock = False
            self.segment.tender.release()

    def forget(self) -> None:
        """In a forked child: the parent's role and locks are not ours."""
        self.epoch = None
        self.holds_lock = False
