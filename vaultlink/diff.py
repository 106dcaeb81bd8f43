"""Unified diffs of planned changes, as ``git diff`` prints them. No I/O."""

from __future__ import annotations

import difflib
from typing import Iterable, Iterator

from vaultlink.linker import EditKind, FileChange

_NO_NEWLINE = "\\ No newline at end of file\n"
CONTEXT = 3  # lines of context around a change, as git diff shows them


def unified_diff(path: str, before: str | None, after: str | None, context: int = CONTEXT) -> str:
    """The unified diff from ``before`` to ``after`` of the file at vault path ``path``.

    ``None`` on one side is a file that does not exist (``/dev/null``). Line endings are kept
    as they are, and a last line without a newline is marked the way git marks it. Empty when
    nothing differs.
    """
    if before == after:
        return ""
    old_text = before or ""
    if after is not None and len(after) > len(old_text) and after.startswith(old_text) and old_text[-1:] in ("", "\n"):
        return _appended_diff(path, before, after, context)
    old = _lines(before)
    new = _lines(after)
    out: list[str] = []
    for line in difflib.unified_diff(
        old,
        new,
        fromfile="/dev/null" if before is None else f"a/{path}",
        tofile="/dev/null" if after is None else f"b/{path}",
        n=context,
    ):
        if line.startswith(("---", "+++")) and not line.endswith("\n"):
            line += "\n"
        out.append(line)
        if not line.endswith("\n"):
            out.append("\n" + _NO_NEWLINE)
    return "".join(out)


def _appended_diff(path: str, before: str | None, after: str, context: int) -> str:
    """:func:`unified_diff` of a file that only grew whole lines at its end (a new hub note, a
    managed block appended), written directly: difflib matches every old line to itself there,
    and its one hunk is the last ``context`` old lines, then every new one."""
    size = len(before or "")
    kept = _lines(before)[-context:] if context > 0 and size else []
    added = _lines(after[size:])
    old_count = (before or "").count("\n")
    first = old_count - len(kept)
    out = [
        "--- /dev/null\n" if before is None else f"--- a/{path}\n",
        f"+++ b/{path}\n",
        f"@@ -{_range(first, old_count)} +{_range(first, old_count + len(added))} @@\n",
    ]
    out.extend(" " + line for line in kept)
    out.extend(_line("+", line) for line in added)
    return "".join(out)


def _lines(text: str | None) -> list[str]:
    """Split after each ``\\n`` only: ``splitlines`` would also split on ``\\r``, form feeds, U+2028."""
    if text is None:
        return []
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def line_diff(path: str, before: str, after: str, lines: Iterable[int], context: int = CONTEXT) -> str:
    """:func:`unified_diff` for the common case of a note whose lines were edited in place (no
    line added or removed) and only at ``lines`` (1-based): the same text, without comparing
    every line of the file. Falls back to :func:`unified_diff` when the shape differs.

    Lines are kept as split, without their ``\\n``, which goes back on only for the few printed."""
    old = before.split("\n")
    new = after.split("\n")
    count = len(old) - (old[-1] == "")  # the number of lines, as _lines counts them
    if len(old) != len(new) or count != len(new) - (new[-1] == ""):
        return unified_diff(path, before, after, context)
    changed = sorted({i - 1 for i in lines if 0 < i <= count and old[i - 1] != new[i - 1]})
    if not changed:
        return unified_diff(path, before, after, context)
    last_line = len(old) - 1  # the part after the last \n: a line without a newline when not empty
    groups: list[list[int]] = [[changed[0]]]
    for index in changed[1:]:
        if index - groups[-1][-1] - 1 > 2 * context:
            groups.append([index])
        else:
            groups[-1].append(index)
    out = [f"--- a/{path}\n", f"+++ b/{path}\n"]
    for group in groups:
        first, last = max(0, group[0] - context), min(count, group[-1] + context + 1)
        span = _range(first, last)
        out.append(f"@@ -{span} +{span} @@\n")
        edited = set(group)
        index = first
        while index < last:
            if index not in edited:
                out.append(_part(" ", old[index], index == last_line))
                index += 1
                continue
            run = index
            while run < last and run in edited:
                run += 1
            out.extend(_part("-", old[i], i == last_line) for i in range(index, run))
            out.extend(_part("+", new[i], i == last_line) for i in range(index, run))
            index = run
    return "".join(out)


def _part(prefix: str, part: str, unterminated: bool) -> str:
    """A line given without its ``\\n`` (``unterminated``: the file's last, which had none)."""
    return prefix + part + ("\n" + _NO_NEWLINE if unterminated else "\n")


def _range(start: int, stop: int) -> str:
    """A hunk range the way difflib writes it (``3`` for one line, ``3,4`` for several)."""
    length = stop - start
    return f"{start + 1}" if length == 1 else f"{start + 1 if length else start},{length}"


def _line(prefix: str, line: str) -> str:
    return prefix + line if line.endswith("\n") else prefix + line + "\n" + _NO_NEWLINE


def plan_diff(changes: Iterable[FileChange], context: int = CONTEXT) -> str:
    """The diffs of every change, one file after another, in the order given."""
    return "".join(iter_diffs(changes, context))


def iter_diffs(changes: Iterable[FileChange], context: int = CONTEXT) -> Iterator[str]:
    """:func:`plan_diff` one file at a time, so a big vault's diff (tens of megabytes) can be
    printed as it comes. A diff the plan made already (in its pool, for a dry run) is used as it
    is; the others are made here, one by one, as they are printed."""
    for change in changes:
        yield change.diff if change.diff is not None and context == CONTEXT else change_diff(change, context)


def change_diff(change: FileChange, context: int = CONTEXT) -> str:
    """The unified diff of one planned change (see :func:`unified_diff`)."""
    if change.before is not None and change.edits and all(e.kind is EditKind.LINK for e in change.edits):
        return line_diff(change.path, change.before, change.after, (e.line for e in change.edits), context)
    return unified_diff(change.path, change.before, change.after, context)
