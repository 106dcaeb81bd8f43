"""Resolve names to things: link targets to files, the way Obsidian does.

Obsidian resolves ``[[target]]`` case-insensitively by note name (the file name without
``.md``), or by path when the target holds a ``/``. When several files share a name it takes the
exact path, then a file in the linking note's folder, then the shortest path. Aliases are not
link targets: ``[[Stef]]`` does not reach a note whose alias is Stef.
"""

from __future__ import annotations

import posixpath
import unicodedata
from collections import defaultdict
from typing import Iterable

from vaultlink.model import Link, LinkKind


def fold(text: str) -> str:
    """The key two spellings of one name share: NFC, case-folded, inner whitespace collapsed."""
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    return " ".join(text.casefold().split())


class LinkResolver:
    """Resolves link targets against every file of the vault (notes and attachments)."""

    def __init__(self, paths: Iterable[str]) -> None:
        self._by_path: dict[str, str] = {}
        self._by_name: dict[str, list[str]] = defaultdict(list)
        for path in paths:
            key = fold(path)
            self._by_path[key] = path
            name = key.rpartition("/")[2]
            if key.endswith(".md"):
                self._by_path.setdefault(key[:-3], path)
                self._by_name[name[:-3]].append(path)
            self._by_name[name].append(path)

    def resolve(self, link: Link, source: str) -> str | None:
        """The vault path ``link`` (written in the note at ``source``) leads to, or None."""
        target = link.target
        if not target:
            return source  # [[#Heading]] points into the note itself
        if link.kind is LinkKind.MARKDOWN and not target.startswith("/"):
            relative = posixpath.normpath(posixpath.join(posixpath.dirname(source), target))
            if not relative.startswith("../"):
                found = self._by_path.get(fold(relative))
                if found:
                    return found
        return self.resolve_name(target, source)

    def resolve_name(self, target: str, source: str = "") -> str | None:
        key = fold(target).lstrip("/")
        if not key:
            return None
        exact = self._by_path.get(key)
        if exact:
            return exact
        if "/" in key:
            tail = "/" + key
            pool = self._by_name.get(key.rpartition("/")[2], [])
            candidates = [p for p in pool if ("/" + fold(p)).endswith(tail) or ("/" + fold(p)).endswith(tail + ".md")]
        else:
            candidates = self._by_name.get(key, [])
        if not candidates:
            return None
        return pick_closest(candidates, source)

    def candidates(self, name: str) -> list[str]:
        """Every file a bare name could mean (more than one when names repeat across folders)."""
        return list(self._by_name.get(fold(name), []))


def pick_closest(candidates: list[str], source: str) -> str:
    """Obsidian's tie-break: same folder as the linking note, then the shortest path, then A-Z."""
    if len(candidates) == 1:
        return candidates[0]
    folder = posixpath.dirname(source)
    same = [path for path in candidates if posixpath.dirname(path) == folder]
    pool = same or candidates
    return min(pool, key=lambda path: (path.count("/"), len(path), path))
