"""What vaultlink does, as functions: the CLI is a thin face over these.

    >>> import vaultlink
    >>> index = vaultlink.scan_vault("~/Notes")
    >>> [e.name for e in index.entities if e.type.value == "person"]
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

from vaultlink import fsio
from vaultlink.markdown import parse_note
from vaultlink.model import Issue, LinkKind, LinkStats, Note, NoteSummary, ParsedNote, VaultIndex
from vaultlink.resolve import LinkResolver

__version__ = "0.1.0"

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class NoteRecord:
    """One note as the scan keeps it (and caches it): its identity and what parsing found."""

    path: str
    size: int
    mtime_ns: int
    sha256: str
    bom: bool
    parsed: ParsedNote


@dataclass
class Scan:
    """The raw result of reading a vault, before any extraction: records and warnings."""

    root: Path
    discovery: fsio.Discovery
    records: list[NoteRecord]
    warnings: list[Issue]
    reparsed: int


def read_vault(
    path: str | os.PathLike[str],
    *,
    use_cache: bool = True,
    ignore: Sequence[str] = (),
    max_note_bytes: int = fsio.MAX_NOTE_BYTES,
    progress: Progress | None = None,
) -> Scan:
    """Discover, read and parse every note of the vault at ``path``, reusing the cache.

    A note whose size and mtime match the cache is not read again; one whose mtime moved but
    whose bytes hash the same is not parsed again. Bad notes become warnings.
    Raises :class:`~vaultlink.errors.VaultNotFound` when ``path`` is not a readable folder.
    """
    root = fsio.vault_root(path)
    settings, warnings = fsio.read_settings(root)
    discovery = fsio.discover(root, ignore, settings)
    warnings.extend(discovery.warnings)
    cached: dict[str, Any] = fsio.load_cache(root, __version__) if use_cache else {}
    records: list[NoteRecord] = []
    fresh: dict[str, NoteRecord] = {}
    reparsed = 0
    total = len(discovery.notes)
    for done, info in enumerate(discovery.notes, 1):
        old = cached.get(info.path)
        if isinstance(old, NoteRecord) and old.size == info.size and old.mtime_ns == info.mtime_ns:
            record: NoteRecord | None = old
        else:
            note = fsio.read_note(root, info, max_note_bytes)
            if isinstance(note, Issue):
                warnings.append(note)
                record = None
            elif isinstance(old, NoteRecord) and old.sha256 == note.sha256:
                record = NoteRecord(note.path, note.size, note.mtime_ns, note.sha256, note.bom, old.parsed)
            else:
                record = _parse_record(note)
                reparsed += 1
        if record is not None:
            records.append(record)
            fresh[record.path] = record
            warnings.extend(record.parsed.warnings)
        if progress is not None and (done % 200 == 0 or done == total):
            progress(done, total)
    if use_cache:
        issue = fsio.save_cache(root, __version__, fresh)
        if issue is not None:
            warnings.append(issue)
    return Scan(root, discovery, records, warnings, reparsed)


def _parse_record(note: Note) -> NoteRecord:
    return NoteRecord(note.path, note.size, note.mtime_ns, note.sha256, note.bom, parse_note(note.path, note.text))


def scan_vault(
    path: str | os.PathLike[str],
    *,
    use_cache: bool = True,
    ignore: Sequence[str] = (),
    max_note_bytes: int = fsio.MAX_NOTE_BYTES,
    progress: Progress | None = None,
) -> VaultIndex:
    """Read the vault at ``path`` and return everything vaultlink knows about it."""
    scan = read_vault(path, use_cache=use_cache, ignore=ignore, max_note_bytes=max_note_bytes, progress=progress)
    return index_scan(scan)


def index_scan(scan: Scan) -> VaultIndex:
    """Resolve links across the notes of a scan and build the :class:`VaultIndex`."""
    discovery = scan.discovery
    resolver = LinkResolver(
        [record.path for record in scan.records] + discovery.attachments + discovery.excluded
    )
    notes: list[NoteSummary] = []
    counts = {"wiki": 0, "markdown": 0, "embeds": 0, "property": 0, "resolved": 0, "unresolved": 0}
    warnings_by_note: dict[str, list[str]] = {}
    for issue in scan.warnings:
        if issue.path is not None:
            warnings_by_note.setdefault(issue.path, []).append(issue.message)
    for record in scan.records:
        parsed = record.parsed
        resolved: list[str] = []
        unresolved: list[str] = []
        for link in parsed.links:
            if link.embed:
                counts["embeds"] += 1
            elif link.kind is LinkKind.WIKI:
                counts["wiki"] += 1
            elif link.kind is LinkKind.MARKDOWN:
                counts["markdown"] += 1
            else:
                counts["property"] += 1
            target = resolver.resolve(link, parsed.path)
            if target is None:
                counts["unresolved"] += 1
                if link.target not in unresolved:
                    unresolved.append(link.target)
            else:
                counts["resolved"] += 1
                if target not in resolved and target != parsed.path:
                    resolved.append(target)
        notes.append(
            NoteSummary(
                path=parsed.path,
                title=parsed.title,
                date=parsed.date,
                tags=parsed.tags,
                links=tuple(resolved),
                unresolved=tuple(unresolved),
                warnings=tuple(warnings_by_note.get(parsed.path, ())),
                private=parsed.metadata.get("private") is True,
            )
        )
    return VaultIndex(
        root=str(scan.root),
        notes=tuple(notes),
        attachments=tuple(discovery.attachments),
        entities=(),
        relations=(),
        advice=(),
        warnings=tuple(scan.warnings),
        link_stats=LinkStats(
            wikilinks=counts["wiki"],
            markdown_links=counts["markdown"],
            embeds=counts["embeds"],
            property_links=counts["property"],
            resolved=counts["resolved"],
            unresolved=counts["unresolved"],
        ),
        settings=dict(discovery.settings),
    )
