"""What vaultlink does, as functions: the CLI is a thin face over these.

    >>> import vaultlink
    >>> index = vaultlink.scan_vault("~/Notes")
    >>> [e.name for e in index.entities if e.type.value == "person"]
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Sequence

from vaultlink import fsio
from vaultlink.config import parse_config
from vaultlink.extract import ExtractContext, Found, NoteFacts, extract_note, find_hub, make_context
from vaultlink.markdown import parse_note, prose_mask
from vaultlink.model import Issue, LinkKind, LinkStats, Note, NoteSummary, ParsedNote, VaultIndex
from vaultlink.resolve import LinkResolver, NoteInput, Registry, build_matcher, build_registry, match_vault_names, resolve_entities

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
    facts: NoteFacts | None = None
    facts_key: str = ""
    matches: tuple[Found, ...] = ()
    matches_key: str = ""


@dataclass
class Scan:
    """The raw result of reading a vault, before any extraction: records and warnings.

    ``texts`` holds the text of every note read during this scan (not those the cache served).
    """

    root: Path
    discovery: fsio.Discovery
    records: list[NoteRecord]
    warnings: list[Issue]
    reparsed: int
    texts: dict[str, str] = field(default_factory=dict)
    config: dict[str, Any] = field(default_factory=dict)
    use_cache: bool = True
    context: ExtractContext | None = None
    registry: Registry | None = None


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
    texts: dict[str, str] = {}
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
                record = replace(old, mtime_ns=note.mtime_ns)
            else:
                record = _parse_record(note)
                texts[note.path] = note.text
                reparsed += 1
        if record is not None:
            records.append(record)
            warnings.extend(record.parsed.warnings)
        if progress is not None and (done % 200 == 0 or done == total):
            progress(done, total)
    config_text = fsio.read_config_text(root)
    config = parse_config(config_text, "vaultlink.toml") if config_text is not None else {}
    return Scan(root, discovery, records, warnings, reparsed, texts, config, use_cache)


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
    extract_scan(scan)
    return index_scan(scan)


def extract_scan(scan: Scan) -> ExtractContext:
    """Run extraction over a scan, in place, reusing what the cache already knows.

    Phase one reads each note alone (names in context, participants, advice, topics); phase two
    matches every name the vault confirmed in every note. Each phase's result is cached with
    the key of what it depended on, so an unchanged vault reads no note at all.
    """
    hubs = [hub for hub in (find_hub(r.parsed) for r in scan.records) if hub is not None]
    ctx = make_context(hubs, scan.config)
    masks: dict[str, str] = {}

    def text_of(record: NoteRecord) -> str | None:
        text = scan.texts.get(record.path)
        if text is None:
            note = fsio.read_note(scan.root, fsio.FileInfo(record.path, record.size, record.mtime_ns))
            if isinstance(note, Issue):
                scan.warnings.append(note)
                return None
            text = scan.texts[record.path] = note.text
        return text

    def mask_of(record: NoteRecord, text: str) -> str:
        if record.path not in masks:
            masks[record.path] = prose_mask(text, record.parsed.protected)
        return masks[record.path]

    for index, record in enumerate(scan.records):
        if record.facts is not None and record.facts_key == ctx.key:
            continue
        text = text_of(record)
        if text is None:
            continue
        facts = extract_note(record.parsed, text, ctx, mask_of(record, text))
        scan.records[index] = replace(record, facts=facts, facts_key=ctx.key, matches_key="")
    ready = [r for r in scan.records if r.facts is not None]
    registry = build_registry([NoteInput(r.parsed, r.facts) for r in ready], ctx)  # type: ignore[arg-type]
    digest = registry.digest()
    matcher = None
    for index, record in enumerate(scan.records):
        if record.facts is None or record.matches_key == digest:
            continue
        text = text_of(record)
        if text is None:
            continue
        if matcher is None:
            matcher = build_matcher(registry, ctx)
        matches = match_vault_names(record.parsed, mask_of(record, text), matcher)
        scan.records[index] = replace(record, matches=matches, matches_key=digest)
    scan.registry = registry
    scan.context = ctx
    if scan.use_cache:
        issue = fsio.save_cache(scan.root, __version__, {r.path: r for r in scan.records})
        if issue is not None:
            scan.warnings.append(issue)
    return ctx


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
    resolution = None
    if scan.context is not None and scan.registry is not None:
        inputs = [NoteInput(r.parsed, r.facts, r.matches) for r in scan.records if r.facts is not None]
        resolution = resolve_entities(inputs, scan.registry, scan.context)
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
                participants=resolution.participants.get(parsed.path, ()) if resolution else (),
                warnings=tuple(warnings_by_note.get(parsed.path, ())),
                private=parsed.metadata.get("private") is True,
            )
        )
    return VaultIndex(
        root=str(scan.root),
        notes=tuple(notes),
        attachments=tuple(discovery.attachments),
        entities=resolution.entities if resolution else (),
        relations=resolution.relations if resolution else (),
        advice=resolution.advice if resolution else (),
        warnings=tuple(scan.warnings) + (resolution.warnings if resolution else ()),
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
