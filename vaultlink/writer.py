"""Every write vaultlink makes to a vault, and its undo. The second (and last) disk adapter.

A run takes a list of :class:`Change` (a vault path, the new bytes, and the sha256 of the bytes
the change was planned from, or None for a new file) and:

1. reads each file again and refuses any whose hash is no longer the planned one (Obsidian may
   have saved it meanwhile), or that lies outside the vault, or, for a new file, that now exists;
2. writes the journal: the original bytes of every file it will replace, then ``journal.json``;
3. for each file, hashes it once more just before replacing it (refusing it if it changed),
   writes a temp file in the same folder, flushes and fsyncs it, gives it the old file's mode,
   and ``os.replace``-s it over the file (a new file is linked into place, so an existing one is
   never overwritten); a failure removes the temp file and leaves the old file whole;
4. marks the journal complete.

Refused files are reported and the others go on. A failed write stops the run: the files already
written stay written and :func:`undo_run` puts them back.

Journal layout, at the vault root (a dot-folder, so no scan ever reads it)::

    .vaultlink/
      runs/
        20240501T120000123456Z/            one folder per run; names sort in time order
          journal.json                     what the run did (below)
          files/0001.orig                  the original bytes of each file it replaced
          files/0001.edited                (undo --force only) the bytes undo overwrote

``journal.json``::

    {"format": 1, "run": "20240501T120000123456Z", "command": "link",
     "started": "2024-05-01T12:00:00Z", "status": "started" | "complete" | "failed" | "undone",
     "files": [{"path": "Chats/Coffee chat.md", "action": "modify", "before": "<sha256>",
                "after": "<sha256>", "backup": "files/0001.orig", "status": "written"},
               {"path": "People/Stefan Mai.md", "action": "create", "before": null,
                "after": "<sha256>", "backup": null, "status": "written"}],
     "dirs": ["People"],                    folders the run created, removed again by undo if empty
     "refused": [{"path": "...", "reason": "..."}]}

A file's ``status`` is ``pending`` until it is written; because the journal is on disk before the
first file is replaced, a run cut short (a crash, a full disk) can still be undone: undo compares
each file's current hash with ``before`` and ``after``, so it knows what was written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from vaultlink.errors import JournalError, WriteRefused
from vaultlink.model import Issue

JOURNAL_DIR = ".vaultlink"
JOURNAL_FORMAT = 1
_TEMP_PREFIX = ".vaultlink-"


@dataclass(frozen=True, slots=True)
class Change:
    """Write ``data`` at vault path ``path``. ``expected_sha256`` is the hash of the bytes the
    change was planned from; None means the file is new and must not exist."""

    path: str
    data: bytes
    expected_sha256: str | None


@dataclass(frozen=True)
class WriteReport:
    """What a run did: files written and created, files refused (with why), and its id."""

    run_id: str | None
    written: tuple[str, ...] = ()
    created: tuple[str, ...] = ()
    refused: tuple[Issue, ...] = ()


@dataclass(frozen=True)
class RunInfo:
    """One run in the journal, as ``undo --list`` shows it."""

    run_id: str
    command: str
    started: str
    status: str
    modified: tuple[str, ...] = ()
    created: tuple[str, ...] = ()
    refused: tuple[str, ...] = ()


@dataclass(frozen=True)
class UndoReport:
    """What undo did: files restored, created files deleted, files already as they were."""

    run_id: str
    restored: tuple[str, ...] = ()
    deleted: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    forced: tuple[str, ...] = ()  # files edited after the run, overwritten because of ``force``


@dataclass
class _Entry:
    change: Change
    target: Path
    action: str
    backup: str | None = None
    original: bytes | None = None
    status: str = "pending"
    dirs: list[str] = field(default_factory=list)


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_file(root: Path, rel: str) -> tuple[bytes, str]:
    """The bytes of the vault file at ``rel`` and their sha256 (raises OSError)."""
    data = _real(root, rel).read_bytes()
    return data, sha256_of(data)


def write_changes(root: Path, changes: Sequence[Change], command: str = "") -> WriteReport:
    """Apply ``changes`` to the vault at ``root`` safely and journal them for :func:`undo_run`.

    Returns what was written and what was refused. Raises :class:`WriteRefused` when a write
    fails midway (disk full, permissions): earlier files stay written and can be undone.
    """
    root = Path(root)
    entries: list[_Entry] = []
    refused: list[Issue] = []
    for change in sorted(changes, key=lambda c: c.path):
        problem = _check_path(root, change.path)
        if problem is not None:
            refused.append(Issue(change.path, "refused", problem))
            continue
        target = _real(root, change.path)
        if change.expected_sha256 is None:
            if os.path.lexists(target):
                refused.append(Issue(change.path, "refused", f"{change.path}: now exists; not overwritten"))
                continue
            entries.append(_Entry(change, target, "create"))
            continue
        try:
            original = target.read_bytes()
        except OSError as error:
            refused.append(Issue(change.path, "refused", f"{change.path}: cannot be read ({error.strerror}); not changed"))
            continue
        if sha256_of(original) != change.expected_sha256:
            refused.append(Issue(change.path, "refused", _changed_message(change.path)))
            continue
        entries.append(_Entry(change, target, "modify", original=original))
    if not entries:
        return WriteReport(None, refused=tuple(refused))
    try:
        run_dir = _new_run_dir(root)
    except OSError as error:
        raise WriteRefused(f"{JOURNAL_DIR}/: the journal cannot be written ({error.strerror}); nothing was changed") from None
    journal: dict[str, Any] = {
        "format": JOURNAL_FORMAT,
        "run": run_dir.name,
        "command": command,
        "started": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "status": "started",
        "files": [],
        "dirs": [],
        "refused": [],
    }
    try:
        (run_dir / "files").mkdir()
        for number, entry in enumerate(entries, 1):
            if entry.original is not None:
                entry.backup = f"files/{number:04d}.orig"
                _write_new(run_dir / entry.backup, entry.original)
        _save_journal(run_dir, journal, entries, refused)
    except OSError as error:
        shutil.rmtree(run_dir, ignore_errors=True)
        raise WriteRefused(
            f"{JOURNAL_DIR}/runs/{run_dir.name}: the journal cannot be written ({error.strerror or error}); "
            "nothing was changed"
        ) from None
    failure: str | None = None
    for entry in entries:
        try:
            if entry.action == "create":
                entry.dirs = _make_parents(root, entry.change.path)
                if entry.dirs:
                    _save_journal(run_dir, journal, entries, refused)
                _create_atomic(entry.target, entry.change.data)
            else:
                current = entry.target.read_bytes()
                if sha256_of(current) != entry.change.expected_sha256:
                    entry.status = "refused"
                    refused.append(Issue(entry.change.path, "refused", _changed_message(entry.change.path)))
                    continue
                replace_atomic(entry.target, entry.change.data)
        except FileExistsError:
            entry.status = "refused"
            refused.append(Issue(entry.change.path, "refused", f"{entry.change.path}: now exists; not overwritten"))
            continue
        except OSError as error:
            failure = f"{entry.change.path}: could not be written ({error.strerror or error}); the file is unchanged"
            break
        entry.status = "written"
    journal["status"] = "failed" if failure else "complete"
    _save_journal(run_dir, journal, entries, refused)
    if failure is not None:
        done = sum(1 for e in entries if e.status == "written")
        raise WriteRefused(
            f"{failure}. {done} file{'s' if done != 1 else ''} written before it; "
            f"run `vaultlink undo` on the vault to restore {'them' if done != 1 else 'it'}."
        )
    return WriteReport(
        run_dir.name,
        written=tuple(e.change.path for e in entries if e.status == "written" and e.action == "modify"),
        created=tuple(e.change.path for e in entries if e.status == "written" and e.action == "create"),
        refused=tuple(refused),
    )


def _changed_message(path: str) -> str:
    return f"{path}: changed since it was read (open in an editor?); not changed. Run the command again"


def _check_path(root: Path, rel: str) -> str | None:
    """Why ``rel`` may not be written (absolute, ``..``, a dot-folder, outside the vault), or None."""
    parts = rel.split("/")
    if not rel or rel.startswith("/") or "\\" in rel or any(p in ("", ".", "..") for p in parts):
        return f"{rel}: not a plain vault path; not written"
    if any(p.startswith(".") for p in parts):
        return f"{rel}: inside a hidden folder; not written"
    real_root = os.path.realpath(root)
    real = os.path.realpath(root / rel)
    if os.path.commonpath([real_root, real]) != real_root:
        return f"{rel}: leads outside the vault; not written"
    return None


def _real(root: Path, rel: str) -> Path:
    """The file behind a vault path: a symlinked note is written through, never replaced by a copy."""
    path = root / rel
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def _make_parents(root: Path, rel: str) -> list[str]:
    """Create the missing folders of ``rel``; return the ones created, outermost first."""
    made: list[str] = []
    parts = rel.split("/")[:-1]
    for depth in range(1, len(parts) + 1):
        folder = "/".join(parts[:depth])
        try:
            (root / folder).mkdir()
        except FileExistsError:
            continue
        made.append(folder)
    return made


def write_export(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write an export (a graph page, GraphML, a canvas) to ``path`` atomically; no journal,
    since it is a file the user named, not a note.

    Refuses a ``.md`` target, so an export can never overwrite a note, and a folder. A new
    file gets the usual permissions; an existing one keeps its own. Returns the absolute path.
    """
    target = Path(path).expanduser().absolute()
    if target.suffix.lower() == ".md":
        raise WriteRefused(f"{target.name}: refusing to write a graph export over a markdown note; pick another name")
    if target.is_dir():
        raise WriteRefused(f"{target}: is a folder; name the file to write")
    target.parent.mkdir(parents=True, exist_ok=True)
    created = not target.exists()
    if created:
        target.touch()
    try:
        replace_atomic(target, data)
    except BaseException:
        if created:
            target.unlink(missing_ok=True)
        raise
    return target


def replace_atomic(path: Path, data: bytes) -> None:
    """Replace the file at ``path`` with ``data`` atomically, keeping its mode.

    The bytes go to a temp file in the same folder, are flushed and fsynced, and the temp file
    is renamed over ``path``. If anything fails the temp file is removed and ``path`` is whole.
    """
    mode = stat.S_IMODE(os.stat(path).st_mode)
    tmp = _write_temp(path, data, mode)
    try:
        os.replace(tmp, path)
    except BaseException:
        _discard(tmp)
        raise
    _sync_folder(path.parent)


def _create_atomic(path: Path, data: bytes) -> None:
    """Create ``path`` with ``data``; raise FileExistsError rather than overwrite a file."""
    tmp = _write_temp(path, data, 0o666 & ~_umask())
    try:
        try:
            os.link(tmp, path)  # fails if path exists: no window in which another file is lost
        except FileExistsError:
            raise
        except OSError:  # a file system without hard links
            if os.path.lexists(path):
                raise FileExistsError(path) from None
            os.replace(tmp, path)
            return
    finally:
        _discard(tmp)
    _sync_folder(path.parent)


def _write_temp(path: Path, data: bytes, mode: int) -> str:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=_TEMP_PREFIX, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
    except BaseException:
        _discard(tmp)
        raise
    return tmp


def _discard(tmp: str) -> None:
    try:
        os.unlink(tmp)
    except FileNotFoundError:
        pass


def _sync_folder(folder: Path) -> None:
    """fsync a folder so a rename survives a power cut (POSIX only; best effort)."""
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _write_new(path: Path, data: bytes) -> None:
    tmp = _write_temp(path, data, 0o600)
    try:
        os.replace(tmp, path)
    except BaseException:
        _discard(tmp)
        raise


# The journal ---------------------------------------------------------------------------------


def runs_dir(root: Path) -> Path:
    return Path(root) / JOURNAL_DIR / "runs"


def _new_run_dir(root: Path) -> Path:
    base = runs_dir(root)
    base.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    existing = sorted(p.name for p in base.iterdir())
    if existing and existing[-1] >= stamp:  # a clock that went back must not reorder runs
        stamp = existing[-1] + "1"
    run_dir = base / stamp
    run_dir.mkdir()
    return run_dir


def _save_journal(run_dir: Path, journal: dict[str, Any], entries: Sequence[_Entry], refused: Sequence[Issue]) -> None:
    journal["files"] = [
        {
            "path": e.change.path,
            "action": e.action,
            "before": e.change.expected_sha256,
            "after": sha256_of(e.change.data),
            "backup": e.backup,
            "status": e.status,
        }
        for e in entries
    ]
    journal["dirs"] = [d for e in entries for d in e.dirs]
    journal["refused"] = [{"path": i.path, "reason": i.message} for i in refused]
    _write_journal(run_dir, journal)


def _write_journal(run_dir: Path, journal: dict[str, Any]) -> None:
    data = json.dumps(journal, ensure_ascii=False, indent=1).encode("utf-8")
    path = run_dir / "journal.json"
    if path.exists():
        replace_atomic(path, data)
    else:
        _write_new(path, data)
        _sync_folder(run_dir)


def _load_journal(run_dir: Path) -> dict[str, Any]:
    try:
        data = json.loads((run_dir / "journal.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise JournalError(f"{JOURNAL_DIR}/runs/{run_dir.name}: has no journal.json; it cannot be undone") from None
    except (OSError, ValueError) as error:
        raise JournalError(f"{JOURNAL_DIR}/runs/{run_dir.name}/journal.json: cannot be read ({error})") from None
    if not isinstance(data, dict) or data.get("format") != JOURNAL_FORMAT or not isinstance(data.get("files"), list):
        raise JournalError(f"{JOURNAL_DIR}/runs/{run_dir.name}/journal.json: not a journal this version understands")
    return data


def list_runs(root: Path) -> list[RunInfo]:
    """Every run in the vault's journal, newest first. Unreadable journals are skipped."""
    base = runs_dir(root)
    if not base.is_dir():
        return []
    out: list[RunInfo] = []
    for run_dir in sorted(base.iterdir(), reverse=True):
        if not run_dir.is_dir():
            continue
        try:
            journal = _load_journal(run_dir)
        except JournalError:
            continue
        files = journal["files"]
        out.append(
            RunInfo(
                run_id=run_dir.name,
                command=str(journal.get("command", "")),
                started=str(journal.get("started", "")),
                status=str(journal.get("status", "")),
                modified=tuple(f["path"] for f in files if f.get("action") == "modify" and f.get("status") != "refused"),
                created=tuple(f["path"] for f in files if f.get("action") == "create" and f.get("status") != "refused"),
                refused=tuple(r["path"] for r in journal.get("refused", [])),
            )
        )
    return out


def undo_run(root: Path, force: bool = False) -> UndoReport:
    """Undo the newest run not undone yet: restore every file it replaced to its original bytes
    and delete every file it created (and the folders it made, when empty).

    All or nothing: when a file was edited after the run, nothing is touched and
    :class:`WriteRefused` names the files, unless ``force``, which restores them anyway (their
    edited bytes are kept beside the journal as ``files/NNNN.edited``).
    Raises :class:`JournalError` when there is no run to undo or its journal is unreadable.
    """
    root = Path(root)
    base = runs_dir(root)
    candidates = sorted((p for p in base.iterdir() if p.is_dir()), reverse=True) if base.is_dir() else []
    run_dir = journal = None
    for candidate in candidates:
        loaded = _load_journal(candidate)
        if loaded.get("status") != "undone":
            run_dir, journal = candidate, loaded
            break
    if run_dir is None or journal is None:
        raise JournalError("no vaultlink run to undo in this vault (`vaultlink undo --list` shows past runs)")
    plan: list[tuple[dict[str, Any], Path, str]] = []  # (file entry, path, what to do)
    conflicts: list[str] = []
    for item in journal["files"]:
        if item.get("status") == "refused":
            continue
        rel = str(item["path"])
        if _check_path(root, rel) is not None:
            raise JournalError(f"{run_dir.name}/journal.json: names {rel!r}, which is not a vault path")
        target = _real(root, rel)
        try:
            current: str | None = sha256_of(target.read_bytes())
        except FileNotFoundError:
            current = None
        except OSError as error:
            raise WriteRefused(f"{rel}: cannot be read ({error.strerror}); nothing was undone") from None
        action = "restore" if item["action"] == "modify" else "delete"
        if current == item.get("before"):
            plan.append((item, target, "unchanged"))
        elif current == item.get("after"):
            plan.append((item, target, action))
        else:
            conflicts.append(rel)
            plan.append((item, target, "force-" + action))
    if conflicts and not force:
        listed = ", ".join(conflicts[:5]) + (f" and {len(conflicts) - 5} more" if len(conflicts) > 5 else "")
        raise WriteRefused(
            f"{listed}: edited since run {run_dir.name}; nothing was undone. "
            "Use --force to restore anyway (the edited versions are kept in the journal)."
        )
    restored: list[str] = []
    deleted: list[str] = []
    unchanged: list[str] = []
    forced: list[str] = []
    for number, (item, target, what) in enumerate(plan, 1):
        rel = str(item["path"])
        if what == "unchanged":
            unchanged.append(rel)
            continue
        if what.startswith("force-"):
            forced.append(rel)
            if target.exists():
                _write_new(run_dir / "files" / f"{number:04d}.edited", target.read_bytes())
        if what.endswith("restore"):
            backup = run_dir / str(item["backup"])
            try:
                original = backup.read_bytes()
            except OSError as error:
                raise JournalError(f"{run_dir.name}/{item['backup']}: cannot be read ({error}); {rel} not restored")
            if target.exists():
                replace_atomic(target, original)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                _create_atomic(target, original)
            restored.append(rel)
        else:
            if target.exists():
                target.unlink()
                _sync_folder(target.parent)
            deleted.append(rel)
    for folder in sorted(journal.get("dirs", []), key=lambda d: -d.count("/")):
        try:
            (root / folder).rmdir()
        except OSError:
            pass  # not empty: the user put something there since
    journal["status"] = "undone"
    journal["undone"] = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    _write_journal(run_dir, journal)
    return UndoReport(run_dir.name, tuple(restored), tuple(deleted), tuple(unchanged), tuple(forced))
