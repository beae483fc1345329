"""ConnectionPool: LIFO reuse, the connection limit, idle reaping, and fork behaviour (fake connections)."""

from __future__ import annotations

import os
import threading
from time import monotonic

import pytest

from aerospike import exception
from aerospike.pool import ConnectionPool


class FakeConnection:
    def __init__(self, serial: int) -> None:
        self.serial = serial
        self.closed = False
        self.last_used = monotonic()

    def close(self) -> None:
        self.closed = True


class Factory:
    def __init__(self, fail: bool = False) -> None:
        self.made: list[FakeConnection] = []
        self.timeouts: list[object] = []
        self.fail = fail

    def __call__(self, host, port, timeout, tls_context, tls_name):
        self.timeouts.append(timeout)
        if self.fail:
            raise exception.ConnectionError(-10, f"connection to {host}:{port} refused")
        connection = FakeConnection(len(self.made))
        self.made.append(connection)
        return connection


def _pool(factory, max_conns=3, max_idle=0.0, connect_timeout=1.0):
    return ConnectionPool("127.0.0.1", 3000, max_conns, max_idle, connect_timeout, connection_factory=factory)


def test_lifo_reuses_the_most_recent_connection():
    factory = Factory()
    pool = _pool(factory)
    first, second = pool.checkout(), pool.checkout()
    pool.checkin(first)
    pool.checkin(second)
    assert pool.checkout() is second
    assert pool.checkout() is first
    assert len(factory.made) == 2


def test_limit_counts_checked_out_and_idle():
    pool = _pool(Factory(), max_conns=2)
    a, b = pool.checkout(), pool.checkout()
    with pytest.raises(exception.NoMoreConnectionsError) as caught:
        pool.checkout()
    assert isinstance(caught.value, exception.ClientError) and caught.value.code == -7
    pool.discard(a)
    assert a.closed
    c = pool.checkout()
    pool.checkin(b)
    pool.checkin(c)
    assert pool.total == 2 and pool.idle == 2


def test_failed_connect_frees_its_slot():
    factory = Factory(fail=True)
    pool = _pool(factory, max_conns=1)
    for _ in range(3):
        with pytest.raises(exception.ConnectionError):
            pool.checkout()
    assert pool.total == 0


def test_connect_timeout_is_capped_by_the_command_deadline():
    factory = Factory()
    pool = _pool(factory, connect_timeout=1.0)
    pool.checkout(0.25)
    pool.checkout(5.0)
    pool.checkout()
    assert factory.timeouts == [0.25, 1.0, 1.0]


def test_checkin_of_closed_connection_discards_it():
    pool = _pool(Factory())
    connection = pool.checkout()
    connection.close()
    pool.checkin(connection)
    assert pool.total == 0 and pool.idle == 0


def test_reap_closes_only_idle_connections_past_max_idle():
    factory = Factory()
    pool = _pool(factory, max_idle=10.0)
    old, fresh, busy = pool.checkout(), pool.checkout(), pool.checkout()
    pool.checkin(old)
    pool.checkin(fresh)
    old.last_used -= 60
    assert pool.reap() == 1
    assert old.closed and not fresh.closed and not busy.closed
    assert pool.total == 2 and pool.idle == 1


def test_zero_max_idle_never_reaps():
    pool = _pool(Factory(), max_idle=0.0)
    connection = pool.checkout()
    pool.checkin(connection)
    connection.last_used -= 10_000
    assert pool.reap() == 0
    assert pool.checkout() is connection


def test_checkout_skips_stale_connections():
    factory = Factory()
    pool = _pool(factory, max_idle=10.0)
    connection = pool.checkout()
    pool.checkin(connection)
    connection.last_used -= 60
    replacement = pool.checkout()
    assert replacement is not connection and connection.closed
    assert pool.total == 1


def test_close_closes_idle_and_later_returns():
    pool = _pool(Factory())
    idle, busy = pool.checkout(), pool.checkout()
    pool.checkin(idle)
    pool.close()
    assert idle.closed and not busy.closed
    pool.checkin(busy)
    assert busy.closed and pool.total == 0
    with pytest.raises(exception.ClientError):
        pool.checkout()


def test_threads_never_exceed_the_limit():
    pool = _pool(Factory(), max_conns=4)
    errors: list[BaseException] = []
    peak = [0]
    lock = threading.Lock()
    out = [0]

    def work():
        for _ in range(200):
            try:
                connection = pool.checkout()
            except exception.NoMoreConnectionsError:
                continue
            except BaseException as error:  # pragma: no cover - reported below
                errors.append(error)
                return
            with lock:
                out[0] += 1
                peak[0] = max(peak[0], out[0])
            with lock:
                out[0] -= 1
            pool.checkin(connection)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert peak[0] <= 4 and pool.total <= 4


def test_lock_free_checkout_and_checkin_keep_the_count_with_reaping_and_closing():
    # Checkout and checkin of idle connections take no lock; reap and close (under it) run beside them. No
    # connection is ever handed to two threads at once (nor a closed one), the count stays within the limit and
    # ends at zero, and after close every connection the factory made is closed.
    import sys

    factory = Factory()
    pool = _pool(factory, max_conns=6, max_idle=0.0005)
    errors: list[BaseException] = []
    in_use: set[int] = set()
    guard = threading.Lock()
    stop = threading.Event()
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible

    def work():
        while not stop.is_set():
            try:
                connection = pool.checkout()
            except (exception.NoMoreConnectionsError, exception.ConnectionError):
                continue
            except BaseException as error:  # pragma: no cover - reported below
                errors.append(error)
                return
            with guard:  # by id: the fake factory's serials may repeat when threads connect at once
                if id(connection) in in_use or connection.closed:
                    errors.append(AssertionError(f"connection {connection.serial} handed out twice or closed"))
                in_use.add(id(connection))
            connection.last_used = monotonic()
            with guard:
                in_use.discard(id(connection))
            pool.checkin(connection)

    def reap():
        while not stop.is_set():
            pool.reap()

    threads = [threading.Thread(target=work) for _ in range(6)] + [threading.Thread(target=reap)]
    try:
        for thread in threads:
            thread.start()
        deadline = monotonic() + 1.0
        while monotonic() < deadline and not errors:
            assert 0 <= pool.total <= 6
        pool.close()
        stop.set()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert not errors, errors[:3]
    assert len(factory.made) > 6  # reaping made the workers open new ones
    assert all(connection.closed for connection in factory.made)
    assert pool.total == 0 and pool.idle == 0


def test_adopted_connection_is_counted_and_handed_out_first():
    factory = Factory()
    pool = _pool(factory, max_conns=2)
    seed = FakeConnection(99)
    assert pool.adopt(seed)
    assert pool.total == 1 and pool.idle == 1
    assert pool.checkout() is seed and not factory.made
    pool.checkin(seed)
    assert pool.checkout() is seed


def test_adopt_refuses_when_full_closed_or_the_connection_is_closed():
    pool = _pool(Factory(), max_conns=1)
    dead = FakeConnection(1)
    dead.closed = True
    assert not pool.adopt(dead) and pool.total == 0
    assert pool.adopt(FakeConnection(2))
    extra = FakeConnection(3)
    assert not pool.adopt(extra) and pool.total == 1 and not extra.closed  # the caller keeps (and closes) it
    pool.close()
    assert not pool.adopt(FakeConnection(4)) and pool.total == 0


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_forked_child_forgets_parent_connections_without_closing_them():
    factory = Factory()
    pool = _pool(factory)
    idle, busy = pool.checkout(), pool.checkout()
    pool.checkin(idle)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: report through the exit status, never raise out of the test
        status = 0
        try:
            fresh = pool.checkout()
            if fresh is idle or fresh is busy or len(factory.made) != 3:
                status = 1
            elif idle.closed or busy.closed:
                status = 2
            elif pool.pid != os.getpid() or pool.total != 1:
                status = 3
            else:
                pool.discard(busy)  # a parent's connection handed back in the child is ignored
                if busy.closed or pool.total != 1:
                    status = 4
        except BaseException:
            status = 5
        os.write(write_end, bytes([status]))
        os._exit(status)
    os.close(write_end)
    _, wait_status = os.waitpid(pid, 0)
    report = os.read(read_end, 1)
    os.close(read_end)
    assert os.waitstatus_to_exitcode(wait_status) == 0, report
    # The parent's pool is untouched.
    assert pool.total == 2 and not idle.closed and pool.checkout() is idle
