"""Unified diffs of planned changes, as ``git diff`` prints them. No I/O."""

from __future__ import annotations

import difflib
from typing import Iterable

from vaultlink.linker import FileChange

_NO_NEWLINE = "\\ No newline at end of file\n"


def unified_diff(path: str, before: str | None, after: str | None, context: int = 3) -> str:
    """The unified diff from ``before`` to ``after`` of the file at vault path ``path``.

    ``None`` on one side is a file that does not exist (``/dev/null``). Line endings are kept
    as they are, and a last line without a newline is marked the way git marks it. Empty when
    nothing differs.
    """
    if before == after:
        return ""
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


def _lines(text: str | None) -> list[str]:
    """Split after each ``\\n`` only: ``splitlines`` would also split on ``\\r``, form feeds, U+2028."""
    if text is None:
        return []
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def plan_diff(changes: Iterable[FileChange], context: int = 3) -> str:
    """The diffs of every change, one file after another, in the order given."""
    return "".join(unified_diff(c.path, c.before, c.after, context) for c in changes)
