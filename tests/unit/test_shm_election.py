"""The shm election with three attachments of one real segment in this process (each its own lock files' open
descriptions, so their flocks exclude each other as between processes): a tender stopped past the threshold, a
process taking over by staleness (no lock), and a third taking the lock the stopped one frees when it resumes."""

from __future__ import annotations

import random
import time

import pytest

from aerospike.shm import segment as shm_segment
from aerospike.shm.election import Election
from aerospike.shm.layout import SegmentLayout, seeds_digest

THRESHOLD = 0.2


@pytest.fixture
def segments():
    key = 0xA7200000 | random.randrange(0x10000)
    layout = SegmentLayout(16, 8)
    digest = seeds_digest((("127.0.0.1", 3000, None),))
    attached = [shm_segment.Segment.attach(key, layout, "", digest) for _ in range(3)]
    yield attached
    for segment in attached:
        segment.detach()
    shm_segment.remove(key, force=True)


def test_a_takeover_tender_that_loses_the_freed_lock_stops_at_once(segments):
    stopped, taker, third = (Election(segment, THRESHOLD) for segment in segments)
    assert stopped.try_become_tender() and stopped.holds_lock
    assert stopped.publish(stopped.heartbeat)
    assert not taker.try_become_tender()  # the tender is alive
    time.sleep(THRESHOLD * 1.5)  # the tender is stopped: its heartbeat goes stale
    assert taker.try_become_tender() and not taker.holds_lock  # a takeover by staleness, without the lock
    assert taker.is_tender and not stopped.is_tender
    # The stopped tender resumes: its publish finds the newer epoch, and it steps down and frees the lock.
    assert not stopped.publish(stopped.heartbeat)
    assert stopped.epoch is None and not stopped.holds_lock
    # A third process takes the freed lock before the taker does, and claims a newer epoch.
    assert third.try_become_tender() and third.holds_lock
    assert [election.is_tender for election in (stopped, taker, third)] == [False, False, True]
    # The taker stops tending at its next step (no tend pass for a replaced tender), and follows.
    assert not taker.try_become_tender()
    assert taker.epoch is None and not taker.holds_lock
    assert third.publish(third.heartbeat)


def test_a_takeover_tender_takes_the_lock_once_the_stopped_one_frees_it(segments):
    stopped, taker, _ = (Election(segment, THRESHOLD) for segment in segments)
    assert stopped.try_become_tender()
    assert stopped.publish(stopped.heartbeat)
    time.sleep(THRESHOLD * 1.5)
    assert taker.try_become_tender() and not taker.holds_lock
    assert taker.publish(taker.heartbeat)
    assert not stopped.publish(stopped.heartbeat)  # replaced: steps down, frees the lock
    assert not stopped.try_become_tender()  # and leaves the freed lock to the taker for a while
    assert taker.try_become_tender() and taker.holds_lock and taker.is_tender
    assert not stopped.try_become_tender() and not stopped.is_tender


def test_a_replaced_tender_stepping_down_in_its_own_step_does_not_claim_back(segments):
    stopped, taker, _ = (Election(segment, THRESHOLD) for segment in segments)
    assert stopped.try_become_tender() and stopped.publish(stopped.heartbeat)
    time.sleep(THRESHOLD * 1.5)
    assert taker.try_become_tender()
    assert not stopped.is_tender
    assert not stopped.try_become_tender()  # finds the newer epoch before tending: steps down, frees the lock
    assert stopped.epoch is None and not stopped.holds_lock
    assert not stopped.try_become_tender()  # the lock is free, but it is the taker's to take
    assert taker.try_become_tender() and taker.holds_lock
    time.sleep(THRESHOLD * 1.5)
    assert taker.publish(taker.heartbeat)
    assert not stopped.try_become_tender()  # after the pause it competes again, but the taker holds the lock
