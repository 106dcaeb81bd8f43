"""Every disk access of vaultlink: discovery, ignore rules, reading and decoding, the scan cache.

Paths handed out are vault-relative POSIX strings. Nothing here interprets a note's content.
"""

from __future__ import annotations

import fnmatch
import gc
import hashlib
import json
import os
import pickle
import re
import signal
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from vaultlink.errors import ConfigError, VaultNotFound
from vaultlink.model import Issue, Note

NOTE_SUFFIX = ".md"
MAX_NOTE_BYTES = 4 * 1024 * 1024
_BINARY_SNIFF = 8192
CACHE_FORMAT = 4  # bump whenever anything pickled in the cache changes shape
# Warnings that say nothing lasting about the vault: a note unreadable for now (permissions, an
# I/O error), one that vanished mid-scan, a cache not written. Fixing them need not change any
# size or mtime, so a result holding one is not kept under the vault's stamp.
PASSING_WARNINGS = frozenset({"unreadable", "vanished", "cache"})


@dataclass(frozen=True)
class FileInfo:
    path: str  # vault-relative, POSIX
    size: int
    mtime_ns: int


@dataclass
class Discovery:
    """What a walk of the vault found, every list sorted by path."""

    root: Path
    notes: list[FileInfo] = field(default_factory=list)
    attachments: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)  # notes skipped by ignore rules: links may still reach them
    warnings: list[Issue] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)


def vault_root(path: str | os.PathLike[str]) -> Path:
    """The vault folder, resolved; :class:`VaultNotFound` when it is missing or not a folder."""
    root = Path(path).expanduser()
    if not root.exists():
        raise VaultNotFound(f"{path}: no such folder. Give the path of your vault (the folder holding your notes).")
    if not root.is_dir():
        raise VaultNotFound(f"{path}: this is a file, not a folder. Give the folder that holds your notes.")
    try:
        os.listdir(root)
    except OSError as error:
        raise VaultNotFound(f"{path}: cannot list this folder ({error.strerror}). Check its permissions.") from error
    return root.resolve()


def read_settings(root: Path) -> tuple[dict[str, Any], list[Issue]]:
    """Obsidian's own settings that matter here, from ``.obsidian/app.json`` (missing is fine)."""
    app = root / ".obsidian" / "app.json"
    try:
        raw = app.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return {}, []
    except (OSError, UnicodeDecodeError) as error:
        return {}, [Issue(None, "settings", f".obsidian/app.json: cannot be read ({error}); Obsidian settings ignored")]
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as error:
        return {}, [
            Issue(None, "settings", f".obsidian/app.json: not valid JSON (line {error.lineno}); Obsidian settings ignored")
        ]
    if not isinstance(data, dict):
        return {}, [Issue(None, "settings", ".obsidian/app.json: not a JSON object; Obsidian settings ignored")]
    keys = ("userIgnoreFilters", "useMarkdownLinks", "newLinkFormat", "attachmentFolderPath")
    return {key: data[key] for key in keys if key in data}, []


def read_config_text(root: Path) -> str | None:
    """The text of ``vaultlink.toml`` at the vault root, or None when there is none."""
    path = root / "vaultlink.toml"
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "not UTF-8 text"
        raise ConfigError(f"{path}: cannot be read ({reason}). Fix it, or move it away to run without it.") from error


def discover(root: Path, ignore: Sequence[str] = (), settings: dict[str, Any] | None = None) -> Discovery:
    """Walk the vault: notes (``.md`` in any case), attachments, and what the ignore rules skip.

    Dot-folders and dot-files are never read. Notes under ignore rules are listed in
    ``excluded``, not read: Obsidian still resolves links to them. A symlink is followed only when
    it stays inside the vault and does not lead back to a folder already walked; otherwise it is
    a warning.
    """
    found = Discovery(root=root, settings=dict(settings or {}))
    user_filters = found.settings.get("userIgnoreFilters") or []
    if isinstance(user_filters, str):
        user_filters = [user_filters]  # a hand-edited app.json: one filter, not one per character
    elif not isinstance(user_filters, list):
        found.warnings.append(Issue(None, "settings", ".obsidian/app.json: userIgnoreFilters is not a list; ignored"))
        user_filters = []
    filters = _IgnoreRules(user_filters, ignore, found.warnings)
    real_root = os.path.realpath(root)
    visited = {_identity(str(root))}
    stack: list[tuple[str, str, bool]] = [(str(root), "", False)]  # folder, its vault path + "/", ignored
    # Folders reached through a symlink are walked after every real folder, so a link back into
    # the vault (a loop, or a second path to a folder) is skipped and no note is listed twice.
    linked: list[tuple[str, str, bool]] = []
    while stack or linked:
        if not stack:
            folder, rel, ignored = linked.pop(0)
            try:
                identity = _identity(folder)
            except OSError as error:
                found.warnings.append(Issue(rel, "unreadable", f"{rel}: cannot be read ({error.strerror}); skipped"))
                continue
            if identity in visited:
                found.warnings.append(
                    Issue(rel, "symlink", f"{rel}: symlink leads back to a folder already read (a loop); skipped")
                )
            else:
                visited.add(identity)
                stack.append((folder, rel + "/", ignored))
            continue
        folder, prefix, ignored = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError as error:
            found.warnings.append(
                Issue(prefix.rstrip("/") or None, "unreadable", f"{prefix or '.'}: cannot list folder ({error.strerror})")
            )
            continue
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            rel = prefix + name
            try:
                # The kind of entry comes with the listing; only a note (its size and mtime) and a
                # symlink (where it leads) cost a stat, which keeps a warm scan near a bare walk.
                is_link = entry.is_symlink()
                if is_link:
                    real = os.path.realpath(entry.path)
                    if real != real_root and not real.startswith(real_root + os.sep):
                        found.warnings.append(
                            Issue(rel, "symlink", f"{rel}: symlink leads outside the vault; skipped")
                        )
                        continue
                is_dir, is_file = entry.is_dir(follow_symlinks=False), entry.is_file(follow_symlinks=False)
                if is_link or not (is_dir or is_file):  # where it leads, or what odd thing it is
                    mode = entry.stat(follow_symlinks=True).st_mode  # raises for a dangling link
                    is_dir, is_file = stat.S_ISDIR(mode), stat.S_ISREG(mode)
                identity = _identity(entry.path) if is_dir and not is_link else None
                is_note = is_file and name.lower().endswith(NOTE_SUFFIX)
                info = entry.stat(follow_symlinks=True) if is_note else None
            except OSError as error:
                found.warnings.append(Issue(rel, "unreadable", f"{rel}: cannot be read ({error.strerror}); skipped"))
                continue
            if is_dir:
                skipped = ignored or filters.skips(rel + "/")
                if is_link:
                    linked.append((entry.path, rel, skipped))
                elif identity not in visited:
                    visited.add(identity)
                    stack.append((entry.path, rel + "/", skipped))
                continue
            if not is_file:  # a fifo, socket or device: reading it would block forever
                found.warnings.append(
                    Issue(rel, "not-a-file", f"{rel}: not a regular file (a pipe, socket or device); skipped")
                )
                continue
            if info is not None:
                if ignored or filters.skips(rel):
                    found.excluded.append(rel)
                else:
                    found.notes.append(FileInfo(rel, info.st_size, info.st_mtime_ns))
            else:
                found.attachments.append(rel)
    found.notes.sort(key=lambda f: f.path)
    found.attachments.sort()
    found.excluded.sort()
    return found


def discover_vault(path: str | os.PathLike[str], ignore: Sequence[str] = ()) -> Discovery:
    """Walk the vault at ``path`` with Obsidian's settings applied; their warnings come first."""
    root = vault_root(path)
    settings, warnings = read_settings(root)
    discovery = discover(root, ignore, settings)
    discovery.warnings[:0] = warnings
    return discovery


def vault_stamp(discovery: Discovery, ignore: Sequence[str], max_note_bytes: int) -> str:
    """A digest of everything a scan depends on: every file's path, size and mtime, Obsidian's
    settings, the config, and the options. Equal stamps mean an equal index."""
    parts = [
        repr(sorted(discovery.settings.items())),
        read_config_text(discovery.root) or "",
        repr(tuple(ignore)),
        str(max_note_bytes),
        repr([(f.path, f.size, f.mtime_ns) for f in discovery.notes]),
        repr(discovery.attachments),
        repr(discovery.excluded),
        repr([(w.path, w.kind) for w in discovery.warnings]),
    ]
    return hashlib.sha256("\x00".join(parts).encode("utf-8", "surrogateescape")).hexdigest()


def _identity(folder: str) -> tuple[int, int]:
    # os.stat, not DirEntry.stat: on Windows the latter leaves st_dev and st_ino at zero
    info = os.stat(folder)
    return info.st_dev, info.st_ino


class _IgnoreRules:
    """Obsidian's ``userIgnoreFilters`` (a path prefix, or ``/regex/``) and ``--ignore`` globs."""

    def __init__(self, user_filters: Iterable[Any], globs: Sequence[str], warnings: list[Issue]) -> None:
        self.prefixes: list[str] = []
        self.regexes: list[re.Pattern[str]] = []
        for item in user_filters:
            if not isinstance(item, str) or not item:
                continue
            if len(item) > 2 and item.startswith("/") and item.endswith("/"):
                try:
                    self.regexes.append(re.compile(item[1:-1]))
                except re.error as error:
                    warnings.append(Issue(None, "settings", f".obsidian/app.json: ignore filter {item!r} is not a valid regex ({error})"))
            else:
                self.prefixes.append(item.lstrip("/"))
        self.globs = [g.rstrip("/") for g in globs if g]

    def skips(self, rel: str) -> bool:
        for prefix in self.prefixes:
            if rel.startswith(prefix):
                return True
        for regex in self.regexes:
            if regex.search(rel):
                return True
        bare = rel.rstrip("/")
        for glob in self.globs:
            if fnmatch.fnmatch(bare, glob) or fnmatch.fnmatch(bare.rpartition("/")[2], glob):
                return True
        return False


def vault_paths(vault: str | os.PathLike[str], given: Sequence[str]) -> tuple[str, ...]:
    """Paths a user typed (relative to the current folder or to the vault) as vault paths;
    folders end in ``/``; the vault itself means "everything" (an empty tuple).
    Raises ValueError naming a path that does not exist or lies outside the vault."""
    root = os.path.abspath(vault)
    out: list[str] = []
    for item in given:
        found = next((p for p in (item, os.path.join(root, item)) if os.path.exists(p)), None)
        if found is None:
            raise ValueError(f"{item}: no such note or folder")
        full = os.path.abspath(found)
        if full != root and not full.startswith(root + os.sep):
            raise ValueError(f"{item}: not inside the vault {vault}")
        rel = os.path.relpath(full, root).replace(os.sep, "/")
        if rel == ".":
            return ()
        out.append(rel + "/" if os.path.isdir(full) else rel)
    return tuple(out)


def idle_cpus() -> float:
    """Roughly how many CPUs this process could have to itself right now: the CPUs it may run
    on (its affinity, and a container's CPU quota), less the other tasks running this instant
    (Linux's ``procs_running``), else less the one-minute load average; never below zero."""
    usable = float(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))
    try:
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text(encoding="ascii").split()[:2]
        if quota != "max":
            usable = min(usable, int(quota) / int(period))  # docker --cpus=1 on a big host
    except (OSError, ValueError):
        pass
    try:
        with open("/proc/stat", "rb") as handle:
            for line in handle:
                if line.startswith(b"procs_running "):
                    return max(0.0, usable - (int(line.split()[1]) - 1))  # the count includes this process
    except (OSError, ValueError):
        pass
    try:
        return max(0.0, usable - os.getloadavg()[0])
    except (AttributeError, OSError):
        return usable


def read_note(root: Path, info: FileInfo, max_bytes: int = MAX_NOTE_BYTES) -> Note | Issue:
    """Read and decode one note, or say in an :class:`Issue` why it cannot be a note.

    UTF-8 with or without a byte-order mark; line endings are kept as they are.
    """
    rel = info.path
    if info.size > max_bytes:
        return Issue(
            rel,
            "too-large",
            f"{rel}: {info.size / 1e6:.1f} MB is over the {max_bytes / 1e6:.0f} MB limit for a note; skipped "
            "(a note that big is usually a pasted log or export: split it, or move it out of the vault)",
        )
    try:
        with open(root / rel, "rb") as handle:
            data = handle.read()
            mtime_ns = os.fstat(handle.fileno()).st_mtime_ns
    except FileNotFoundError:
        return Issue(rel, "vanished", f"{rel}: removed while the vault was being read; skipped")
    except OSError as error:
        return Issue(rel, "unreadable", f"{rel}: cannot be read ({error.strerror}); skipped")
    return decode_note(rel, data, mtime_ns)


@contextmanager
def reading_ahead(root: Path, infos: Sequence[FileInfo]) -> Iterator[Callable[[], dict[str, Note | Issue]]]:
    """Read and hash the notes ``infos`` (as :func:`read_note`) in a forked process while this
    one goes on: inside the block, ``read()`` gives them by path.

    When the reader cannot start, dies, or its answer does not arrive whole, ``read()`` gives
    nothing, and the caller reads each note itself. The answer is sent through a pipe with its
    length first, so ``read()`` does not wait for an end of file that another fork holding the
    pipe would delay. When the block ends, a reader whose answer did not arrive whole (an error
    or Ctrl-C came first) is killed, through a pidfd, so that a pid the kernel gave to another
    process meanwhile is never hit; every reader is waited for. Plain tuples cross the pipe:
    10,000 notes' text pickles in a few milliseconds, as many dataclasses in far more. Linux
    only, in a process with one thread (the caller checks): the reader is a fork, and leaves
    with ``os._exit``.
    """
    try:
        read_end, write_end = os.pipe()
    except OSError:
        yield dict
        return
    try:
        pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        yield dict
        return
    if pid == 0:  # the reader; it leaves without running this process's exit handlers
        status = 1
        try:
            os.close(read_end)
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
            rows = [_as_row(read_note(root, info)) for info in infos]
            data = pickle.dumps(rows, pickle.HIGHEST_PROTOCOL)
            with open(write_end, "wb") as out:
                out.write(len(data).to_bytes(8, "big"))
                out.write(data)
            status = 0
        finally:
            os._exit(status)
    got: dict[str, Note | Issue] | None = None
    whole = False
    pipe = None
    pidfd = None
    try:  # from here on, whatever comes (Ctrl-C included), the finally below tidies up
        closing, write_end = write_end, -1  # never closed twice, even if Ctrl-C comes in between
        os.close(closing)
        pipe = open(read_end, "rb")  # noqa: SIM115 - closed when the block ends, read or not
        try:
            pidfd = os.pidfd_open(pid)
        except (AttributeError, OSError):
            pidfd = None  # before Linux 5.3: the pid is killed only while it is surely the reader's

        def read() -> dict[str, Note | Issue]:
            nonlocal got, whole
            if got is None:
                got = {}
                try:
                    size = int.from_bytes(pipe.read(8), "big")
                    data = pipe.read(size)
                    if size and len(data) == size:
                        rows = pickle.loads(data)
                        got = {row[1]: Note(*row[1:]) if row[0] else Issue(*row[1:]) for row in rows}
                        whole = True
                except Exception:  # noqa: BLE001 - whatever went wrong over there, the notes are read here
                    got = {}
            return got

        yield read
    finally:
        if write_end >= 0:
            os.close(write_end)
        if pipe is not None:
            pipe.close()
        else:
            os.close(read_end)
        if not whole:
            _kill_reader(pid, pidfd)
        if pidfd is not None:
            os.close(pidfd)
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass  # reaped already (SIGCHLD ignored by the program hosting vaultlink)


def _kill_reader(pid: int, pidfd: int | None) -> None:
    """Stop the reader ``pid`` (with its ``pidfd`` when there is one); a reader gone is left be."""
    try:
        if pidfd is not None:
            signal.pidfd_send_signal(pidfd, signal.SIGKILL)
        elif os.waitpid(pid, os.WNOHANG) == (0, 0):  # still running, so the pid is still the reader's
            os.kill(pid, signal.SIGKILL)
    except (ChildProcessError, ProcessLookupError, PermissionError):
        pass


def _as_row(item: Note | Issue) -> tuple[Any, ...]:
    """A note (True first) or an issue (False first) as a plain tuple of its fields."""
    if isinstance(item, Note):
        return (True, item.path, item.text, item.size, item.mtime_ns, item.sha256, item.bom)
    return (False, item.path, item.kind, item.message)


def decode_note(rel: str, data: bytes, mtime_ns: int = 0) -> Note | Issue:
    """Bytes of a note to a :class:`Note`, or an :class:`Issue` for binary or undecodable bytes."""
    if b"\x00" in data[:_BINARY_SNIFF]:
        return Issue(rel, "binary", f"{rel}: binary content in a .md file; skipped")
    bom = data.startswith(b"\xef\xbb\xbf")
    try:
        text = data[3:].decode("utf-8") if bom else data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return Issue(
            rel,
            "undecodable",
            f"{rel}: not UTF-8 (byte {error.start}, line {line}); skipped. Re-save it as UTF-8 to include it",
        )
    return Note(rel, text, len(data), mtime_ns, hashlib.sha256(data).hexdigest(), bom)


def file_digest(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


# The cache -----------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A digest of vaultlink's own code and data: a cache made by other code is not trusted.

    Keyed on content, not the version number, so an edited parser or gazetteer never serves a
    stale parse.
    """
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".tsv", ".json", ".txt") and "__pycache__" not in path.parts:
            digest.update(path.relative_to(package).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:24]


def cache_path(root: Path, kind: str = "scan") -> Path:
    """Where the scan cache of this vault lives: the user's cache folder, never the vault."""
    base = os.environ.get("VAULTLINK_CACHE_DIR")
    if not base:
        from platformdirs import user_cache_dir

        base = user_cache_dir("vaultlink", appauthor=False)
    key = hashlib.sha256(str(root).encode("utf-8", "surrogateescape")).hexdigest()[:20]
    return Path(base) / f"{kind}-{key}.pickle"


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cycle collector while a big vault's objects are made (a cache unpickled, a vault
    read, extracted or linked): they make no cycles, and each full pass of the collector would
    walk all of them again, wherever it happened to strike.

    What was made meanwhile is filed under the oldest generation on the way out (freeze, then
    unfreeze), or the first young pass after ``enable()`` walks it all once. That step is left
    out when the process had frozen objects of its own (a preforking server), which unfreeze
    would release.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            if gc.get_freeze_count() == 0:
                gc.freeze()
                gc.unfreeze()
            gc.enable()


def load_cache(root: Path, version: str, kind: str = "scan") -> dict[str, Any]:
    """The cached records of this vault, or ``{}`` when missing, corrupt or of another format."""
    path = cache_path(root, kind)
    try:
        # Unpickling a big vault's cache makes millions of objects, none of them garbage.
        with collector_paused(), open(path, "rb") as handle:
            data = pickle.load(handle)
    except FileNotFoundError:
        return {}
    except Exception:  # noqa: BLE001 - a corrupt cache of any kind is discarded, never trusted
        return {}
    if (
        not isinstance(data, dict)
        or data.get("format") != CACHE_FORMAT
        or data.get("version") != version
        or data.get("code") != code_fingerprint()
    ):
        return {}
    records = data.get("records")
    return records if isinstance(records, dict) else {}


def load_stamped(root: Path, version: str, kind: str, stamp: str, of_type: type) -> Any | None:
    """What :func:`save_stamped` kept as ``kind`` for this vault, if the vault's stamp is still
    ``stamp`` (nothing a scan depends on changed) and it is an ``of_type``; else None."""
    kept = load_cache(root, version, kind)
    value = kept.get("value")
    return value if kept.get("stamp") == stamp and isinstance(value, of_type) else None


def save_stamped(root: Path, version: str, kind: str, stamp: str, value: Any, warnings: Iterable[Issue]) -> None:
    """Keep ``value`` as ``kind`` under the vault's ``stamp``, unless a warning of the result is a
    passing one (:data:`PASSING_WARNINGS`): fixing that need not change the stamp."""
    if not any(w.kind in PASSING_WARNINGS for w in warnings):
        save_cache(root, version, {"stamp": stamp, "value": value}, kind)


def save_cache(root: Path, version: str, records: dict[str, Any], kind: str = "scan") -> Issue | None:
    """Write the cache atomically; a cache that cannot be written is a warning, not an error."""
    path = cache_path(root, kind)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".scan-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                payload = {"format": CACHE_FORMAT, "version": version, "code": code_fingerprint(), "records": records}
                pickle.dump(payload, handle, protocol=5)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as error:
        return Issue(None, "cache", f"scan cache could not be written to {path.parent} ({error.strerror})")
    return None
