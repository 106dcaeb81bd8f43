"""A scan that reads, extracts and matches notes in a pool of forked workers finds exactly what a
serial scan finds, in the same order, with the same warnings."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from vaultlink import api
from vaultlink.document import iter_json

pytestmark = pytest.mark.skipif(not api._can_fork(), reason="the pool forks, on Linux only")
_IDLE_CPUS = api.fsio.idle_cpus  # the real ones: the fixture below stands in for them
_ONE_THREAD = api._one_thread


@pytest.fixture(autouse=True)
def _idle_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if the cores were free and no other thread ran (the browser tests' driver keeps its
    threads for the session): the pool and the reader must run here whatever else goes on."""
    monkeypatch.setattr(api.fsio, "idle_cpus", lambda: 2.0)
    monkeypatch.setattr(api, "_one_thread", lambda: True)


def _document(vault: Path, monkeypatch: pytest.MonkeyPatch, pooled: bool, **kwargs: object) -> str:
    monkeypatch.setattr(api, "POOL_MIN_NOTES", 0 if pooled else 10**9)
    return "".join(iter_json(api.scan_vault(vault, **kwargs)))  # type: ignore[arg-type]


def _add_bad_notes(vault: Path) -> None:
    """Notes that become warnings, spread through the vault so their order is tested too."""
    (vault / "Broken yaml.md").write_text("---\ntitle: [unclosed\n---\nMet Priya Raman at Google.\n", encoding="utf-8")
    (vault / "Latin-1.md").write_bytes("Caf\xe9 with Stefan".encode("latin-1"))
    (vault / "Binary.md").write_bytes(b"\x00\x01\x02")


def test_pooled_and_serial_cold_scans_give_the_same_document(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _add_bad_notes(vault)
    serial = _document(vault, monkeypatch, pooled=False, use_cache=False)
    pooled = _document(vault, monkeypatch, pooled=True, use_cache=False)
    assert pooled == serial
    document = json.loads(serial)
    assert document["entities"], "the sample vault names people and companies: the comparison means something"
    assert {w["note"] for w in document["warnings"]} >= {"Broken yaml.md", "Latin-1.md", "Binary.md"}


def test_a_pooled_scan_reuses_the_cache_like_a_serial_one(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    serial = _document(vault, monkeypatch, pooled=False, use_cache=False)
    _document(vault, monkeypatch, pooled=True)  # fills the cache
    note = next(vault.rglob("*.md"))
    os.utime(note, ns=(note.stat().st_atime_ns, note.stat().st_mtime_ns + 10**9))  # mtime moves, bytes stay
    scan = api.read_vault(vault)
    assert scan.reparsed == 0, "a note whose bytes hash the same is not parsed again"
    assert _document(vault, monkeypatch, pooled=True) == serial


def test_progress_counts_up_to_every_note_once(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(api, "POOL_MIN_NOTES", 0)
    seen: list[tuple[int, int]] = []
    scan = api.read_vault(vault, use_cache=False, progress=lambda done, total: seen.append((done, total)))
    total = len(scan.discovery.notes)
    assert seen[-1] == (total, total)
    assert [done for done, _ in seen] == sorted({done for done, _ in seen}), "never backwards, never twice"


def test_map_notes_keeps_order_and_reports_what_is_done(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(api, "POOL_MIN_NOTES", 0)
    done: list[int] = []
    assert api._map_notes(lambda i: i * i, 100, done.append) == [i * i for i in range(100)]
    assert done[-1] == 100 and done == sorted(done)
    assert api._map_notes(lambda i: i, 0) == []


def test_the_pool_really_runs_elsewhere_and_not_for_small_work(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(api, "POOL_MIN_NOTES", 10)
    assert set(api._map_notes(lambda _: os.getpid(), 10)) == {os.getpid()}, "10 items: serial"
    pids = set(api._map_notes(lambda _: os.getpid(), 64))
    assert os.getpid() not in pids and 1 <= len(pids) <= api.POOL_WORKERS


def test_a_busy_machine_scans_serially(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(api, "POOL_MIN_NOTES", 0)
    monkeypatch.setattr(api.fsio, "idle_cpus", lambda: 0.7)  # another process has a core
    assert set(api._map_notes(lambda _: os.getpid(), 64)) == {os.getpid()}


def test_idle_cpus_is_a_plausible_count() -> None:
    assert 0 <= _IDLE_CPUS() <= (os.cpu_count() or 1)


def test_a_worker_killed_midway_means_the_work_is_done_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(api, "POOL_MIN_NOTES", 0)
    parent = os.getpid()

    def work(index: int) -> int:
        if index == 37 and os.getpid() != parent:
            os._exit(9)  # as the out-of-memory killer would end it
        return index * 2

    assert api._map_notes(work, 64) == [i * 2 for i in range(64)]


def test_a_pool_that_cannot_start_means_the_work_is_done_here(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_pool(*args: object, **kwargs: object) -> None:
        raise OSError(30, "Read-only file system")  # no usable /dev/shm for the pool's locks

    monkeypatch.setattr(api, "POOL_MIN_NOTES", 0)
    monkeypatch.setattr(api, "ProcessPoolExecutor", no_pool)
    assert api._map_notes(lambda i: (i, os.getpid()), 20) == [(i, os.getpid()) for i in range(20)]


def test_two_threads_scanning_at_once_each_get_their_own_work(monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    monkeypatch.setattr(api, "POOL_MIN_NOTES", 0)
    results: dict[str, list[str]] = {}

    def scan(tag: str) -> None:
        results[tag] = api._map_notes(lambda i: f"{tag}{i}", 50)

    threads = [threading.Thread(target=scan, args=(tag,)) for tag in "ab"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == {tag: [f"{tag}{i}" for i in range(50)] for tag in "ab"}


def _link_plan(vault: Path, monkeypatch: pytest.MonkeyPatch, pooled: bool, **kwargs: object) -> str:
    from vaultlink import linker
    from vaultlink.diff import plan_diff

    monkeypatch.setattr(api, "POOL_MIN_NOTES", 0 if pooled else 10**9)
    plan = api.plan_links(vault, **kwargs)  # type: ignore[arg-type]
    return json.dumps(linker.plan_to_document(plan)) + plan_diff(plan.changes) + "".join(c.after or "" for c in plan.changes)


@pytest.mark.parametrize("kwargs", [{}, {"create_hubs": True, "all_mentions": True}, {"diffs": True}])
def test_pooled_and_serial_link_plans_are_the_same(
    vault: Path, monkeypatch: pytest.MonkeyPatch, kwargs: dict[str, object]
) -> None:
    _add_bad_notes(vault)
    serial = _link_plan(vault, monkeypatch, pooled=False, **kwargs)
    pooled = _link_plan(vault, monkeypatch, pooled=True, **kwargs)
    assert pooled == serial
    assert "[[" in serial and "vaultlink:start" in serial, "links and hub blocks: the comparison means something"


def test_the_link_plan_runs_its_notes_through_the_pool(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(api, "POOL_MIN_NOTES", 0)
    api.scan_vault(vault)  # the cache is warm: no note is read through the pool again
    calls: list[int] = []
    real = api._map_notes

    def counted(work, count, done=None):  # type: ignore[no-untyped-def]
        calls.append(count)
        return real(work, count, done)

    monkeypatch.setattr(api, "_map_notes", counted)
    api.plan_links(vault)
    assert [count for count in calls if count] == [len(api.read_vault(vault).records)], "one pass, every note"


def test_notes_read_ahead_are_the_notes_read_here(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(api, "POOL_MIN_NOTES", 0)
    _add_bad_notes(vault)
    discovery = api.fsio.discover_vault(vault)
    here = {info.path: api.fsio.read_note(discovery.root, info) for info in discovery.notes}
    with api._reading_ahead(discovery) as read:
        assert read() == here
        assert read() is read(), "read once"
    assert {type(item).__name__ for item in here.values()} == {"Note", "Issue"}, "bad notes cross the pipe too"


def test_notes_are_read_ahead_in_another_process_and_only_on_the_pool_terms(
    vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(api.fsio, "read_note", lambda root, info: api.Issue(info.path, "pid", str(os.getpid())))
    discovery = api.fsio.discover_vault(vault)
    monkeypatch.setattr(api, "POOL_MIN_NOTES", 0)
    with api._reading_ahead(discovery) as read:
        readers = {issue.message for issue in read().values()}
    assert len(readers) == 1 and str(os.getpid()) not in readers
    monkeypatch.setattr(api, "POOL_MIN_NOTES", len(discovery.notes))
    with api._reading_ahead(discovery) as read:
        assert read() == {}, "a small vault: each note is read where it is needed"
    monkeypatch.setattr(api, "POOL_MIN_NOTES", 0)
    monkeypatch.setattr(api.fsio, "idle_cpus", lambda: 1.0)
    with api._reading_ahead(discovery) as read:
        assert read() == {}, "no second core idle"


def test_a_reader_that_dies_means_the_notes_are_read_here(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    serial = _link_plan(vault, monkeypatch, pooled=False)
    parent, real = os.getpid(), api.fsio.read_note

    def dying(root: Path, info: api.fsio.FileInfo) -> object:
        if os.getpid() != parent:
            os._exit(9)  # as the out-of-memory killer would end it
        return real(root, info)

    monkeypatch.setattr(api.fsio, "read_note", dying)
    forks = _record_forks(monkeypatch)
    monkeypatch.setattr(api, "POOL_MIN_NOTES", 0)
    with api._reading_ahead(api.fsio.discover_vault(vault)) as read:
        assert read() == {}
    assert forks, "a reader was started, and died"
    assert _link_plan(vault, monkeypatch, pooled=True) == serial


def _record_forks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The pids of the processes forked from here on, as the parent sees them."""
    real_fork, pids = os.fork, []

    def recorded_fork() -> int:
        pid = real_fork()
        if pid:
            pids.append(pid)
        return pid

    monkeypatch.setattr(api.fsio.os, "fork", recorded_fork)
    return pids


def _open_fds() -> set[str]:
    return set(os.listdir("/proc/self/fd"))


@pytest.mark.parametrize("pidfd", [True, False], ids=["pidfd", "no pidfd (before Linux 5.3)"])
def test_a_reader_left_unread_is_stopped_and_waited_for(
    vault: Path, monkeypatch: pytest.MonkeyPatch, pidfd: bool
) -> None:
    import signal
    import time

    if not pidfd:
        monkeypatch.delattr(api.fsio.os, "pidfd_open", raising=False)

    def stuck(root: Path, info: api.fsio.FileInfo) -> object:
        time.sleep(3600)  # a reader that would never finish by itself
        raise AssertionError

    def hung(signum: int, frame: object) -> None:
        raise AssertionError("the block's end waited on its reader")

    monkeypatch.setattr(api, "POOL_MIN_NOTES", 0)
    monkeypatch.setattr(api.fsio, "read_note", stuck)
    pids = _record_forks(monkeypatch)
    before = _open_fds()
    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(300)  # a guard against hanging the suite, not a timing: killing takes no time
    try:
        with pytest.raises(KeyError), api._reading_ahead(api.fsio.discover_vault(vault)):
            raise KeyError("an error inside the block, before read()")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert _open_fds() == before, "the pipe is closed"
    assert len(pids) == 1 and pids[0] > 0
    with pytest.raises(ChildProcessError):
        os.waitpid(pids[0], os.WNOHANG)  # nothing left to reap: the reader was waited for


def test_a_fork_that_fails_leaves_no_pipe_open(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_fork() -> int:
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(api, "POOL_MIN_NOTES", 0)
    monkeypatch.setattr(api.fsio.os, "fork", no_fork)
    before = _open_fds()
    with api._reading_ahead(api.fsio.discover_vault(vault)) as read:
        assert read() == {}
    assert _open_fds() == before


def test_a_host_that_ignores_sigchld_still_gets_its_notes(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import signal

    monkeypatch.setattr(api, "POOL_MIN_NOTES", 0)
    discovery = api.fsio.discover_vault(vault)
    previous = signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    try:
        with api._reading_ahead(discovery) as read:
            got = read()
    finally:
        signal.signal(signal.SIGCHLD, previous)
    assert got == {info.path: api.fsio.read_note(discovery.root, info) for info in discovery.notes}


def test_a_process_with_threads_reads_its_notes_itself(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    def no_fork() -> int:
        raise AssertionError("forked beside another thread")

    monkeypatch.setattr(api, "POOL_MIN_NOTES", 0)
    monkeypatch.setattr(api, "_one_thread", _ONE_THREAD)
    monkeypatch.setattr(api.fsio.os, "fork", no_fork)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        with api._reading_ahead(api.fsio.discover_vault(vault)) as read:
            assert read() == {}
    finally:
        stop.set()
        other.join()


def test_a_note_the_reader_could_not_read_is_read_again_here(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(api, "POOL_MIN_NOTES", 0)
    api.scan_vault(vault)
    parent, real = os.getpid(), api.fsio.read_note
    chosen = api.fsio.discover_vault(vault).notes[3].path

    def flaky(root: Path, info: api.fsio.FileInfo) -> object:
        if os.getpid() != parent and info.path == chosen:
            return api.Issue(info.path, "unreadable", "busy for a moment")
        return real(root, info)

    monkeypatch.setattr(api.fsio, "read_note", flaky)
    _, _, notes, warnings = api._notes_for_linking(vault, True, (), None)
    assert chosen in {note.path for note, _ in notes}
    assert not [w for w in warnings if w.path == chosen]


def test_advice_in_a_note_that_cannot_be_read_now_is_not_listed(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cache still holds a note's advice, but the note no longer reads as UTF-8 (its size and
    time unchanged): like its mentions, its advice leaves the hubs, and a warning names it."""
    from vaultlink.hubs import BLOCK_END, BLOCK_START

    def blocks() -> str:
        plan = api.plan_links(vault, diffs=True)
        texts = [change.after or "" for change in plan.changes]
        return "".join(t[t.index(BLOCK_START) : t.index(BLOCK_END)] for t in texts if BLOCK_START in t)

    monkeypatch.setattr(api, "POOL_MIN_NOTES", 0)
    index = api.scan_vault(vault)
    item = next(a for a in index.advice if a.person)
    stem = item.note.rsplit("/", 1)[-1][: -len(".md")]
    assert stem in blocks(), "read as it is, the note is listed in hubs"
    note = vault / item.note
    data, times = bytearray(note.read_bytes()), note.stat()
    data[-2] = 0xFF
    note.write_bytes(bytes(data))
    os.utime(note, ns=(times.st_atime_ns, times.st_mtime_ns))
    assert stem not in blocks()
    plan = api.plan_links(vault)
    assert any(w.path == item.note and w.kind == "undecodable" for w in plan.warnings)
