"""The shared-memory segment of one shm key: naming, locks, attaching, validating, rebuilding and removal.

Owns the POSIX shared memory object (`/aerospike-shm-<key>`, mode 0600, mapped with mmap) and the three lock files
beside it, all `flock` locks, which the kernel releases when the holding process dies:
- `.meta`: serializes attach, detach, tender claims and publishing (held for microseconds, never while tending);
- `.users`: every attached process holds it shared; whoever gets it exclusively is the only live user, so a segment
  found that way was left by dead processes and is rebuilt, and a process closing that way is the last and removes
  the segment;
- `.tender`: held exclusively by the tender (election.py decides what holding it means).
flock locks belong to an open file description, so two clients in one process contend like two processes, and a
forked child must close (never unlock) the descriptors it inherited: `forget()`.
Must not know snapshots beyond the layout's pack/unpack, or who tends.
"""

from __future__ import annotations

import errno
import fcntl
import mmap
import os
import tempfile
import time
from typing import Optional

import posix_ipc

from aerospike import exception
from aerospike._log import get_logger
from aerospike.shm.layout import HEADER_SIZE, SegmentLayout, read_header

log = get_logger("aerospike.shm")

SEGMENT_MODE = 0o600
NAME_PREFIX = "aerospike-shm-"
LOCK_ROLES = ("meta", "users", "tender")
_POLL_SLEEP = 0.002


def segment_name(key: int) -> str:
    """The POSIX shared memory name of `key` (on Linux, the file /dev/shm/aerospike-shm-<key as 8 hex digits>)."""
    return f"/{NAME_PREFIX}{key:08x}"


def lock_directory() -> str:
    return "/dev/shm" if os.path.isdir("/dev/shm") else tempfile.gettempdir()


def lock_path(key: int, role: str) -> str:
    return os.path.join(lock_directory(), f"{NAME_PREFIX}{key:08x}.{role}")


def shm_error(key: int, message: str) -> exception.ClientError:
    return exception.ClientError(
        exception.ClientError.code, f"shm key 0x{key:08x} ({segment_name(key)}): {message}"
    )


def private_problem(fd: int) -> Optional[str]:
    """Why a segment or lock file must not be trusted (not ours, or open to others), or None.

    Whoever can write the segment chooses where every command goes, logins included; the default key is
    predictable, so a file another user made, or one others may write, is refused.
    """
    info = os.fstat(fd)
    if info.st_uid != os.geteuid():
        return f"is owned by uid {info.st_uid}, not by this user ({os.geteuid()})"
    if info.st_mode & 0o077:
        return f"has mode {info.st_mode & 0o777:o}, open to other users"
    return None


class LockFile:
    """One flock'ed file of its own, opened once per user; flock locks die with their holder."""

    def __init__(self, path: str) -> None:
        self.path = path
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, SEGMENT_MODE)
        except OSError as error:
            raise exception.ClientError(
                exception.ClientError.code, f"shared memory lock file {path}: {error.strerror or error}"
            ) from None
        problem = private_problem(fd)
        if problem is not None:
            os.close(fd)
            raise exception.ClientError(
                exception.ClientError.code, f"shared memory lock file {path} {problem}; refusing to use it"
            )
        self.fd: Optional[int] = fd

    def _flock(self, operation: int) -> bool:
        if self.fd is None:
            return False
        try:
            fcntl.flock(self.fd, operation | fcntl.LOCK_NB)
            return True
        except OSError as error:
            if error.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                return False
            raise

    def try_exclusive(self) -> bool:
        return self._flock(fcntl.LOCK_EX)

    def try_shared(self) -> bool:
        return self._flock(fcntl.LOCK_SH)

    def acquire(self, timeout: float, shared: bool = False) -> bool:
        """Wait up to `timeout` seconds for the lock; polled, so a stopped holder cannot hang the caller."""
        operation = fcntl.LOCK_SH if shared else fcntl.LOCK_EX
        deadline = time.monotonic() + timeout
        while not self._flock(operation):
            if time.monotonic() >= deadline:
                return False
            time.sleep(_POLL_SLEEP)
        return True

    def release(self) -> None:
        if self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)

    def is_current(self) -> bool:
        """Whether the locked file is still the one at `path` (not unlinked by a departing last user)."""
        if self.fd is None:
            return False
        try:
            here = os.fstat(self.fd)
            there = os.stat(self.path)
        except FileNotFoundError:
            return False
        return (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)

    def close(self) -> None:
        """Close the descriptor, which releases this description's lock."""
        fd, self.fd = self.fd, None
        if fd is not None:
            os.close(fd)

    forget = close  # in a forked child closing drops the inherited descriptor; the parent's lock stays held

    def unlink(self) -> None:
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass


def _open_meta(key: int, timeout: float) -> LockFile:
    """The `.meta` lock, held, on the file currently at its path."""
    deadline = time.monotonic() + timeout
    while True:
        meta = LockFile(lock_path(key, "meta"))
        if not meta.acquire(max(0.0, deadline - time.monotonic())):
            meta.close()
            raise shm_error(key, f"timed out after {timeout:g}s waiting for the segment lock {meta.path}")
        if meta.is_current():
            return meta
        meta.close()  # the last user removed the files after we opened them: open the new ones


class Segment:
    """An attached segment: its mapped bytes (`buffer`) and this user's lock files."""

    def __init__(
        self,
        key: int,
        layout: SegmentLayout,
        memory: mmap.mmap,
        meta: LockFile,
        users: LockFile,
        tender: LockFile,
        rebuilt: bool,
    ) -> None:
        self.key = key
        self.layout = layout
        self.name = segment_name(key)
        self._memory: Optional[mmap.mmap] = memory
        self.buffer = memoryview(memory)
        self.meta = meta
        self.users = users
        self.tender = tender
        self.rebuilt = rebuilt  # True when this attach made or remade the segment
        self.attached_pid = os.getpid()

    @classmethod
    def attach(
        cls, key: int, layout: SegmentLayout, cluster_name: str, seeds_digest: bytes, timeout: float = 5.0
    ) -> Segment:
        """Attach to the segment of `key`, making it if absent and remaking it if every earlier user is dead.

        Raises ClientError naming the key and every mismatch when live users share a segment made for other sizes
        or another cluster.
        """
        meta = _open_meta(key, timeout)
        users: Optional[LockFile] = None
        memory: Optional[mmap.mmap] = None
        try:
            users = LockFile(lock_path(key, "users"))
            alone = users.try_exclusive()
            if not alone and not users.acquire(timeout, shared=True):
                raise shm_error(key, f"timed out waiting for the users lock {users.path}")
            if alone:
                memory = cls._make(key, layout, cluster_name, seeds_digest)
                users.try_shared()  # downgrade; nobody can race us for it while we hold .meta
            else:
                memory = cls._open_existing(key, layout, cluster_name, seeds_digest)
            tender = LockFile(lock_path(key, "tender"))
            return cls(key, layout, memory, meta, users, tender, rebuilt=alone)
        except BaseException:
            if memory is not None:
                memory.close()
            if users is not None:
                users.close()
            raise
        finally:
            meta.release()

    @staticmethod
    def _make(key: int, layout: SegmentLayout, cluster_name: str, seeds_digest: bytes) -> mmap.mmap:
        name = segment_name(key)
        try:
            stale = posix_ipc.SharedMemory(name, read_only=True)
        except posix_ipc.ExistentialError:
            stale = None
        if stale is not None:
            header = None
            if stale.size >= HEADER_SIZE:
                with mmap.mmap(stale.fd, HEADER_SIZE, prot=mmap.PROT_READ) as old:
                    header = read_header(memoryview(old))
            problem = private_problem(stale.fd)
            stale.close_fd()
            if problem is not None:
                raise shm_error(key, f"the segment {problem}; refusing to use it")
            log.info("shm key 0x%08x: every user of %s is gone (%s); remaking it", key, name, header)
            try:
                posix_ipc.unlink_shared_memory(name)
            except posix_ipc.Error as error:
                raise shm_error(key, f"cannot remove the stale segment: {error}") from None
        try:
            memory = posix_ipc.SharedMemory(name, posix_ipc.O_CREX, mode=SEGMENT_MODE, size=layout.size)
        except posix_ipc.Error as error:
            raise shm_error(key, f"cannot create the segment: {error}") from None
        try:
            mapped = mmap.mmap(memory.fd, layout.size)
        finally:
            memory.close_fd()
        layout.write_header(memoryview(mapped), cluster_name, seeds_digest, time.time())
        return mapped

    @staticmethod
    def _open_existing(key: int, layout: SegmentLayout, cluster_name: str, seeds_digest: bytes) -> mmap.mmap:
        name = segment_name(key)
        try:
            memory = posix_ipc.SharedMemory(name)
        except posix_ipc.ExistentialError:
            # Live users but no segment: someone ran `remove --force`. Make a new one for newcomers.
            log.warning("shm key 0x%08x: %s vanished while in use; making a new one", key, name)
            return Segment._make(key, layout, cluster_name, seeds_digest)
        except posix_ipc.Error as error:
            raise shm_error(key, f"cannot open the segment: {error}") from None
        try:
            problem = private_problem(memory.fd)
            if problem is not None:
                raise shm_error(key, f"the segment {problem}; refusing to use it")
            if memory.size < HEADER_SIZE:
                raise shm_error(
                    key, f"cannot attach: the segment is {memory.size} bytes, too small for a header"
                )
            mapped = mmap.mmap(memory.fd, memory.size)
        finally:
            memory.close_fd()
        problems = layout.mismatches(read_header(memoryview(mapped)), cluster_name, seeds_digest)
        if problems:
            mapped.close()
            raise shm_error(key, "cannot attach, the segment in use differs: " + "; ".join(problems))
        return mapped

    # -- leaving ----------------------------------------------------------------------------------------------

    def detach(self, timeout: float = 2.0) -> bool:
        """Leave the segment; the last live user removes it and its lock files. True when removed."""
        removed = False
        if self.users.fd is not None and self.meta.acquire(timeout):
            try:
                if self.meta.is_current() and self.users.try_exclusive():
                    try:
                        posix_ipc.unlink_shared_memory(self.name)
                    except posix_ipc.ExistentialError:
                        pass
                    self.users.unlink()
                    self.tender.unlink()
                    self.meta.unlink()  # last: an attacher holding the old .meta re-checks and reopens
                    removed = True
            finally:
                self.meta.release()
        self._close_all()
        return removed

    def forget(self) -> None:
        """In a forked child: drop the inherited descriptors without touching the parent's locks."""
        for lock in (self.tender, self.users, self.meta):
            lock.forget()

    def _close_all(self) -> None:
        for lock in (self.tender, self.users, self.meta):
            lock.close()
        self.buffer.release()
        memory, self._memory = self._memory, None
        if memory is not None:
            memory.close()


def open_read_only(key: int) -> Optional[mmap.mmap]:
    """The segment of `key` mapped read-only (for status tools), or None when there is none."""
    try:
        memory = posix_ipc.SharedMemory(segment_name(key), read_only=True)
    except posix_ipc.ExistentialError:
        return None
    try:
        return mmap.mmap(memory.fd, memory.size, prot=mmap.PROT_READ)
    finally:
        memory.close_fd()


def users_alive(key: int) -> Optional[bool]:
    """Whether any live process is attached to `key`'s segment; None when that cannot be told right now."""
    path = lock_path(key, "users")
    if not os.path.exists(path):
        return False
    meta = LockFile(lock_path(key, "meta"))
    try:
        if not meta.try_exclusive():
            return None
        users = LockFile(path)
        try:
            return not users.try_exclusive()
        finally:
            users.close()
    finally:
        meta.close()


def tender_lock_held(key: int) -> bool:
    """Whether some live process holds the tender lock of `key`."""
    path = lock_path(key, "tender")
    if not os.path.exists(path):
        return False
    tender = LockFile(path)
    try:
        return not tender.try_exclusive()
    finally:
        tender.close()


def remove(key: int, force: bool = False) -> bool:
    """Remove `key`'s segment and lock files; refuses (ClientError) while live processes use it unless `force`."""
    alive = users_alive(key)
    if alive is not False and not force:
        raise shm_error(key, "in use by live processes (use --force to remove anyway)")
    existed = False
    try:
        posix_ipc.unlink_shared_memory(segment_name(key))
        existed = True
    except posix_ipc.ExistentialError:
        pass
    for role in LOCK_ROLES:
        path = lock_path(key, role)
        if os.path.exists(path):
            existed = True
            os.unlink(path)
    return existed


def list_keys() -> list[int]:
    """Keys of the segments visible in /dev/shm (empty where POSIX shared memory is not a directory)."""
    if not os.path.isdir("/dev/shm"):
        return []
    keys = []
    for entry in sorted(os.listdir("/dev/shm")):
        if entry.startswith(NAME_PREFIX) and "." not in entry:
            try:
                keys.append(int(entry[len(NAME_PREFIX) :], 16))
            except ValueError:
                continue
    return keys
