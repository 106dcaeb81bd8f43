"""What vaultlink does, as functions: the CLI is a thin face over these.

    >>> import vaultlink
    >>> index = vaultlink.scan_vault("~/Notes")
    >>> [e.name for e in index.entities if e.type.value == "person"]
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import functools
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from vaultlink import __version__, fsio
from vaultlink import diff as _diff
from vaultlink import graph as _graph
from vaultlink import hubs as _hubs
from vaultlink import linker as _linker
from vaultlink import report as _report
from vaultlink import writer as _writer
from vaultlink.config import parse_config
from vaultlink.errors import WriteRefused
from vaultlink.extract import (
    ExtractContext,
    Found,
    NoteFacts,
    extract_note,
    find_hub,
    hub_folders_of,
    make_context,
)
from vaultlink.extract.lexicon import word_view
from vaultlink.layout import layout_graph
from vaultlink.markdown import parse_note, prose_mask
from vaultlink.model import (
    EntityType,
    Issue,
    LinkKind,
    LinkStats,
    Note,
    NoteSummary,
    ParsedNote,
    VaultIndex,
)
from vaultlink.resolve import (
    LinkResolver,
    NoteInput,
    Registry,
    build_matcher,
    build_registry,
    match_vault_names,
    resolve_entities,
)

if TYPE_CHECKING:
    import networkx as nx


Progress = Callable[[int, int], None]
T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])


def _without_cyclic_gc(function: F) -> F:
    """``function`` run with the cycle collector paused (see :func:`vaultlink.fsio.collector_paused`).

    A cold scan builds millions of small objects (parses, facts, mentions) that live until it
    ends and form no cycles; each automatic collection walked them all again, and in forked
    workers it also touched, so copied, every inherited page.
    """

    @functools.wraps(function)
    def paused(*args: Any, **kwargs: Any) -> Any:
        with fsio.collector_paused():
            return function(*args, **kwargs)

    return paused  # type: ignore[return-value]


# Per-note work (read + parse, extract, match) runs in a pool of forked workers when a scan has
# more than POOL_MIN_NOTES notes to do (below that, starting the pool costs more than it saves)
# and the machine has the cores idle for them (like make -l: on a busy machine the workers only
# take turns on the same core and pay for pickling on top). Tests lower the threshold to compare
# pooled and serial scans.
POOL_MIN_NOTES = 200
POOL_WORKERS = 4  # at most: one per idle core, so a 2-core machine runs two
# In a forked worker: what it runs, set by _start_worker.
_pool_work: Callable[[int], Any] | None = None
_in_pool_worker = False  # set in a forked worker by _start_worker


def _start_worker(work: Callable[[int], Any]) -> None:
    """First thing in a forked worker: keep ``work`` (inherited through the fork, never pickled)
    and leave Ctrl-C to the parent, which stops the pool; each worker would print a traceback."""
    global _pool_work, _in_pool_worker
    _pool_work = work
    _in_pool_worker = True
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _run_chunk(bounds: tuple[int, int]) -> list[Any]:
    """In a forked worker: the pool's work for indices ``bounds[0]`` up to ``bounds[1]``."""
    assert _pool_work is not None, "a pool worker runs only under _map_notes"
    return [_pool_work(index) for index in range(*bounds)]


def _can_fork() -> bool:
    """Whether a pool of forked workers may be started here: on Linux only (Windows has no fork,
    and on macOS a forked child can crash in system libraries, which is why Python stopped
    forking there by default), and not from a pool's daemon worker (those may not have children)."""
    return sys.platform == "linux" and not multiprocessing.current_process().daemon


def _map_notes(work: Callable[[int], T], count: int, done: Callable[[int], None] | None = None) -> list[T]:
    """``[work(0), ..., work(count - 1)]``, in that order, whether or not a pool ran it.

    With more than :data:`POOL_MIN_NOTES` items and two or more cores idle, the work runs in one
    forked process per idle core (at most :data:`POOL_WORKERS`), in chunks: ``work`` and
    everything it reads are inherited by the fork, never pickled, so only the indices go out and
    only the results come back. ``done(n)`` is told how many results are in, as they arrive.
    ``work`` must be pure per index (the same result in any process), which is what keeps a
    pooled scan identical to a serial one, and lets the work run again serially when the pool
    cannot start (no usable ``/dev/shm``) or loses a worker (killed for memory).
    """
    workers = _pool_size(count)
    if workers >= 2:
        size = -(-count // (workers * 8))  # several chunks per worker, so they finish together
        chunks = [(start, min(start + size, count)) for start in range(0, count, size)]
        results: list[T] = []
        try:
            with ProcessPoolExecutor(
                workers, mp_context=multiprocessing.get_context("fork"), initializer=_start_worker, initargs=(work,)
            ) as pool:
                for part in pool.map(_run_chunk, chunks):
                    results.extend(part)
                    if done is not None:
                        done(len(results))
            return results
        except (BrokenProcessPool, OSError):
            pass  # run it here instead
    results = []
    for index in range(count):
        results.append(work(index))
        if done is not None:
            done(index + 1)
    return results


def _pool_size(count: int) -> int:
    """How many processes may share ``count`` notes' work here: one per idle core (at most
    :data:`POOL_WORKERS`) when there are more than :data:`POOL_MIN_NOTES` and a fork is
    possible; else 1, and the work is done in this process."""
    return min(POOL_WORKERS, int(fsio.idle_cpus() + 0.5)) if count > POOL_MIN_NOTES and _can_fork() else 1


def _one_thread() -> bool:
    """Whether this process runs one thread only (then a fork copies all there is)."""
    return threading.active_count() == 1


@contextlib.contextmanager
def _reading_ahead(discovery: fsio.Discovery) -> Iterator[Callable[[], dict[str, Note | Issue]]]:
    """Read and hash the notes of ``discovery`` in a forked process while this one goes on
    (loading parses from the cache), when they would be shared by a pool (:func:`_pool_size`)
    and this process runs one thread (a fork copies only the thread that makes it, not the
    locks the others hold): inside the block, ``read()`` gives them by path (see
    :func:`vaultlink.fsio.reading_ahead`). Otherwise ``read()`` gives nothing, and each note is
    read where it is needed."""
    if _pool_size(len(discovery.notes)) < 2 or not _one_thread():
        yield dict
        return
    with fsio.reading_ahead(discovery.root, discovery.notes) as read:
        yield read


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


@dataclass(frozen=True)
class _CachedFacts:
    """What extraction found in one note, cached apart from its parse (see :func:`_load_records`)."""

    sha256: str  # of the bytes the facts were found in
    facts: NoteFacts
    facts_key: str
    matches: tuple[Found, ...]
    matches_key: str


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
    cache_stale: bool = True  # the cache does not hold exactly these records


@_without_cyclic_gc
def read_vault(
    path: str | os.PathLike[str],
    *,
    use_cache: bool = True,
    ignore: Sequence[str] = (),
    max_note_bytes: int = fsio.MAX_NOTE_BYTES,
    progress: Progress | None = None,
    discovery: fsio.Discovery | None = None,
    facts: bool = True,
) -> Scan:
    """Discover, read and parse every note of the vault at ``path``, reusing the cache.

    A note whose size and mtime match the cache is not read again; one whose mtime moved but
    whose bytes hash the same is not parsed again. Bad notes become warnings. ``discovery`` is
    a walk of this vault the caller already made (see :func:`vaultlink.fsio.discover_vault`). Without
    ``facts``, records come without what extraction found (it is not even loaded).
    Raises :class:`~vaultlink.errors.VaultNotFound` when ``path`` is not a readable folder.
    """
    if discovery is None:
        discovery = fsio.discover_vault(path, ignore)
    root = discovery.root
    warnings = list(discovery.warnings)
    cached: dict[str, Any] = _load_records(root, facts) if use_cache else {}
    records: list[NoteRecord] = []
    texts: dict[str, str] = {}
    reparsed = 0
    total = len(discovery.notes)
    fresh: list[NoteRecord | None] = []
    to_read: list[fsio.FileInfo] = []
    for info in discovery.notes:
        old = cached.get(info.path)
        if isinstance(old, NoteRecord) and old.size == info.size and old.mtime_ns == info.mtime_ns:
            fresh.append(old)
        else:
            fresh.append(None)
            to_read.append(info)

    def load(index: int) -> tuple[Note | Issue, ParsedNote | None]:
        info = to_read[index]
        note = fsio.read_note(root, info, max_note_bytes)
        if isinstance(note, Issue):
            return note, None
        old = cached.get(info.path)
        if isinstance(old, NoteRecord) and old.sha256 == note.sha256:
            return note, None  # only the mtime moved: the cached parse stands
        return note, parse_note(note.path, note.text)

    reported = [0]

    def report(read: int) -> None:
        done = total - len(to_read) + read  # a note the cache served counts as done from the start
        if progress is not None and (done - reported[0] >= 200 or read == len(to_read)):
            reported[0] = done
            progress(done, total)

    loaded = iter(_map_notes(load, len(to_read), report))
    for info, old_fresh in zip(discovery.notes, fresh):
        record: NoteRecord | None = old_fresh
        if record is None:
            note, parsed = next(loaded)
            old = cached.get(info.path)
            if isinstance(note, Issue):
                warnings.append(note)
            elif parsed is None and isinstance(old, NoteRecord):
                record = replace(old, mtime_ns=note.mtime_ns)
            elif parsed is not None:
                record = NoteRecord(note.path, note.size, note.mtime_ns, note.sha256, note.bom, parsed)
                texts[note.path] = note.text
                reparsed += 1
        if record is not None:
            records.append(record)
            warnings.extend(record.parsed.warnings)
    if progress is not None and total and reported[0] != total:
        progress(total, total)
    config_text = fsio.read_config_text(root)
    config = parse_config(config_text, "vaultlink.toml") if config_text is not None else {}
    scan = Scan(root, discovery, records, warnings, reparsed, texts, config, use_cache)
    scan.cache_stale = len(cached) != len(records) or any(cached.get(r.path) is not r for r in records)
    return scan


def _load_records(root: Path, facts: bool = True) -> dict[str, Any]:
    """The cached records of the vault at ``root``: parses, and with ``facts`` what extraction found.

    The two are cached in separate files so that linking, which needs only the parses, does
    not unpickle extraction's facts (several times their size). Facts join a parse only when
    both came from the same bytes; any others are dropped, and extraction runs again.
    """
    records = fsio.load_cache(root, __version__)
    if not facts or not records:
        return records
    found = fsio.load_cache(root, __version__, "facts")
    for path, record in records.items():
        known = found.get(path)
        if isinstance(record, NoteRecord) and isinstance(known, _CachedFacts) and known.sha256 == record.sha256:
            records[path] = replace(
                record, facts=known.facts, facts_key=known.facts_key, matches=known.matches, matches_key=known.matches_key
            )
    return records


def _save_records(root: Path, records: Sequence[NoteRecord]) -> Issue | None:
    """Cache the records: their parses in one file, what extraction found in another."""
    parses = {r.path: replace(r, facts=None, facts_key="", matches=(), matches_key="") for r in records}
    facts = {
        r.path: _CachedFacts(r.sha256, r.facts, r.facts_key, r.matches, r.matches_key)
        for r in records
        if r.facts is not None
    }
    return fsio.save_cache(root, __version__, parses) or fsio.save_cache(root, __version__, facts, "facts")


def scan_vault(
    path: str | os.PathLike[str],
    *,
    use_cache: bool = True,
    ignore: Sequence[str] = (),
    max_note_bytes: int = fsio.MAX_NOTE_BYTES,
    progress: Progress | None = None,
    discovery: fsio.Discovery | None = None,
) -> VaultIndex:
    """Read the vault at ``path`` and return everything vaultlink knows about it.

    When no file, setting or config changed since the last scan, the index that scan built is
    returned from the cache without opening a note. ``discovery`` is a walk of this vault the
    caller already made.
    """
    if discovery is None:
        discovery = fsio.discover_vault(path, ignore)
    stamp = fsio.vault_stamp(discovery, ignore, max_note_bytes) if use_cache else ""
    if use_cache:
        kept = fsio.load_stamped(discovery.root, __version__, "index", stamp, VaultIndex)
        if kept is not None:
            return kept  # type: ignore[no-any-return]
    scan = read_vault(
        path, use_cache=use_cache, ignore=ignore, max_note_bytes=max_note_bytes, progress=progress, discovery=discovery
    )
    extract_scan(scan)
    index = index_scan(scan)
    root = scan.root
    del scan  # its records are in the cache now: let them go before the index is pickled beside them
    if use_cache:
        fsio.save_stamped(root, __version__, "index", stamp, index, index.warnings)
    return index


def vault_paths(vault: str | os.PathLike[str], given: Sequence[str]) -> tuple[str, ...]:
    """Paths a user typed, as vault paths (see :func:`vaultlink.fsio.vault_paths`)."""
    return fsio.vault_paths(vault, given)


@_without_cyclic_gc
def extract_scan(scan: Scan) -> ExtractContext:
    """Run extraction over a scan, in place, reusing what the cache already knows.

    Phase one reads each note alone (names in context, participants, advice, topics); phase two
    matches every name the vault confirmed in every note. Each phase's result is cached with
    the key of what it depended on, so an unchanged vault reads no note at all.
    """
    folders = hub_folders_of(scan.config)
    hubs = [hub for hub in (find_hub(r.parsed, folders) for r in scan.records) if hub is not None]
    ctx = make_context(hubs, scan.config)

    def text_of(record: NoteRecord) -> str | None:
        text = scan.texts.get(record.path)
        if text is None:
            note = fsio.read_note(scan.root, fsio.FileInfo(record.path, record.size, record.mtime_ns))
            if isinstance(note, Issue):
                scan.warnings.append(note)
                return None
            text = scan.texts[record.path] = note.text
        return text

    # Both phases read a note through its prose mask and the word view of that mask: phase one
    # hands them on to phase two (through the pool's results when it ran in one) rather than
    # have them built twice.
    views: dict[str, tuple[str, str]] = {}

    def view_of(record: NoteRecord, text: str) -> tuple[str, str]:
        masked = prose_mask(text, record.parsed.protected)
        return masked, word_view(masked)

    dirty = scan.cache_stale
    stale = [i for i, r in enumerate(scan.records) if r.facts is None or r.facts_key != ctx.key]
    dirty = dirty or bool(stale)
    stale = [i for i in stale if text_of(scan.records[i]) is not None]  # reads, in order, what the cache served

    def extract(index: int) -> tuple[NoteFacts, tuple[str, str] | None]:
        record = scan.records[stale[index]]
        text = scan.texts[record.path]
        masked, view = view_of(record, text)
        # From a pool worker the two would travel back through a pipe and sit in this process
        # until phase two ends (60 MB more at the peak of a 10k-note scan, past the 500 MB the
        # scan must stay under): there phase two's workers build them again, side by side.
        return extract_note(record.parsed, text, ctx, masked, view), None if _in_pool_worker else (masked, view)

    for index, (facts, mask_view) in zip(stale, _map_notes(extract, len(stale))):
        scan.records[index] = replace(scan.records[index], facts=facts, facts_key=ctx.key, matches_key="")
        if mask_view is not None:
            views[scan.records[index].path] = mask_view
    ready = [r for r in scan.records if r.facts is not None]
    registry = build_registry([NoteInput(r.parsed, r.facts) for r in ready], ctx)  # type: ignore[arg-type]
    digest = registry.digest()
    unmatched = [i for i, r in enumerate(scan.records) if r.facts is not None and r.matches_key != digest]
    unmatched = [i for i in unmatched if text_of(scan.records[i]) is not None]
    dirty = dirty or bool(unmatched)
    matcher = build_matcher(registry, ctx) if unmatched else None

    def match(index: int) -> tuple[Found, ...]:
        record = scan.records[unmatched[index]]
        mask_view = views.get(record.path)
        masked, view = mask_view if mask_view is not None else view_of(record, scan.texts[record.path])
        assert matcher is not None, "built above whenever a note is left to match"
        return match_vault_names(record.parsed, masked, matcher, view)

    for index, matches in zip(unmatched, _map_notes(match, len(unmatched))):
        scan.records[index] = replace(scan.records[index], matches=matches, matches_key=digest)
    views.clear()
    scan.registry = registry
    scan.context = ctx
    scan.texts.clear()  # every phase that needs the text is done: let a big vault's text go
    if scan.use_cache and dirty:
        issue = _save_records(scan.root, scan.records)
        if issue is not None:
            scan.warnings.append(issue)
    return ctx


@_without_cyclic_gc
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
        settings={**discovery.settings, "hubs": dict(scan.config.get("hubs") or {})},
    )


# --- the graph: build it, export it, write the file the user named ------------------------------


GRAPH_SUFFIXES = {
    ".html": _graph.ExportFormat.HTML,
    ".htm": _graph.ExportFormat.HTML,
    ".graphml": _graph.ExportFormat.GRAPHML,
    ".gexf": _graph.ExportFormat.GEXF,
    ".json": _graph.ExportFormat.JSON,
    ".canvas": _graph.ExportFormat.CANVAS,
}


@dataclass(frozen=True)
class GraphExport:
    """A graph written out as text, and what went into it."""

    text: str
    format: _graph.ExportFormat
    nodes: int
    edges: int
    notes_shown: bool


def build_graph(
    index: VaultIndex, *, include_notes: bool = True, exclude_tags: Sequence[str] = ()
) -> nx.MultiDiGraph:
    """The vault's typed graph (see :mod:`vaultlink.graph`); private and excluded notes stay out."""
    return _graph.build_graph(index, include_notes=include_notes, exclude_tags=exclude_tags)


def graph_format(output: str | os.PathLike[str] | None, requested: str | None = None) -> _graph.ExportFormat:
    """The export format: ``requested`` if given, else the output's suffix, else HTML."""
    if requested:
        return _graph.ExportFormat(requested)
    if output is not None and str(output) != "-":
        return GRAPH_SUFFIXES.get(Path(output).suffix.lower(), _graph.ExportFormat.HTML)
    return _graph.ExportFormat.HTML


def export_graph(
    index: VaultIndex,
    format: _graph.ExportFormat | str = _graph.ExportFormat.HTML,
    *,
    include_notes: bool | None = None,
    exclude_tags: Sequence[str] = (),
    seed: int = 1,
    panels: Mapping[str, Sequence[_graph.PanelSection]] | None = None,
) -> GraphExport:
    """The vault's graph as the text of one file: an offline HTML page, GraphML, GEXF, JSON or Canvas.

    ``include_notes=None`` means: in the page, notes start hidden when the graph is large; in
    the other formats, notes are included. Private notes and ``exclude_tags`` never are.
    ``panels`` adds sections to the page's side panel by node id (open follow-ups under a
    person, say); each is a :class:`vaultlink.graph.PanelSection`.
    """
    fmt = _graph.ExportFormat(format)
    if fmt is _graph.ExportFormat.HTML:
        from vaultlink import (
            render,  # the page needs vis-network only when a page is asked for
        )

        page = render.render_html(
            index, include_notes=include_notes, exclude_tags=exclude_tags, extra=panels, seed=seed
        )
        return GraphExport(page.html, fmt, page.nodes, page.edges, page.notes_shown)
    graph = _graph.build_graph(index, include_notes=include_notes is not False, exclude_tags=exclude_tags)
    positions = layout_graph(graph, seed=seed)
    if fmt is _graph.ExportFormat.GRAPHML:
        text = _graph.to_graphml(graph, positions)
    elif fmt is _graph.ExportFormat.GEXF:
        text = _graph.to_gexf(graph, positions)
    elif fmt is _graph.ExportFormat.JSON:
        text = _graph.to_json(graph, positions)
    else:
        text = _graph.to_canvas_text(graph, positions)
    return GraphExport(text, fmt, graph.number_of_nodes(), graph.number_of_edges(), include_notes is not False)


def write_output(path: str | os.PathLike[str], text: str) -> Path:
    """Write an export the user named (see :func:`vaultlink.writer.write_export`)."""
    return _writer.write_export(path, text.encode("utf-8"))


# --- linking: plan links and hub notes, write them through the journal, undo ----------------------


LinkPlan = _linker.LinkPlan
WriteReport = _writer.WriteReport


def plan_links(
    path: str | os.PathLike[str],
    *,
    paths: Sequence[str] = (),
    all_mentions: bool = False,
    types: Sequence[EntityType | str] = (),
    create_hubs: bool = False,
    update_hubs: bool = True,
    use_cache: bool = True,
    ignore: Sequence[str] = (),
    progress: Progress | None = None,
    diffs: bool = False,
) -> _linker.LinkPlan:
    """Plan the links (and hub notes) for the vault at ``path``; nothing is written.

    ``paths`` (vault-relative files, or folders ending in ``/``) limits the notes that may change;
    ``types`` limits the entity types linked (default: all); ``all_mentions`` links every mention,
    not only the first per note; ``create_hubs`` adds a hub note for each entity that has none;
    ``update_hubs`` keeps the managed block of existing hub notes current. Every note is read
    afresh and its hash kept, so :func:`apply_changes` can refuse one that changes meanwhile.
    With ``diffs``, a changed note's diff is made with its plan, in the pool (a dry run prints them).
    """
    with fsio.collector_paused():
        scan, index, notes, warnings = _notes_for_linking(path, use_cache, ignore, progress)
        options = _linker.VaultOptions(
            all_mentions=all_mentions,
            types=frozenset(EntityType(t) for t in types) if types else _linker.ALL_TYPES,
            create_hubs=create_hubs,
            update_hubs=update_hubs,
            scope=frozenset(paths) if paths else None,
            folders=_creation_folders(scan.config),
            common=_common_company_words(),
        )
        taken = [*scan.discovery.attachments, *scan.discovery.excluded]
        describe = _diff.change_diff if diffs else None
        # A run that may create hubs may plan twice (see _plan_with_new_hubs): only the plan that
        # stands makes the diffs, or a dry run would make every diff twice and drop the first.
        first_describe = None if create_hubs else describe
        plan = _linker.plan_vault(notes, index, options, taken=taken, each=_map_notes, describe=first_describe)
        new = {change.path: change.after for change in plan.changes if change.created}
        if new:
            del plan, index  # a big vault's plan and index: let them go before extraction runs again
            plan = _plan_with_new_hubs(scan, notes, new, options, taken, describe)
    return replace(plan, warnings=tuple(warnings) + plan.warnings)


def _plan_with_new_hubs(
    scan: Scan,
    notes: Sequence[tuple[Note, ParsedNote]],
    new: Mapping[str, str],
    options: _linker.VaultOptions,
    taken: Sequence[str],
    describe: Callable[[_linker.FileChange], str] | None,
) -> _linker.LinkPlan:
    """A first plan creates the hub notes ``new`` (path: text): plan once more as if they were
    written, so that what they teach extraction is in this run and not the next.

    A new hub is a note like any other to extraction: a first name in a title ("Mentoring
    session with Arjun") names the person who now has a note, an alias in its front matter is a
    name. Without this pass the run after ``--create-hubs`` linked more, and ``--check`` failed.
    Extraction runs again over every note with the new hubs (their text as the first plan made
    it) beside them, nothing of it cached; each new hub is then created with its block as this
    second plan has it.
    """
    records = [NoteRecord(n.path, n.size, n.mtime_ns, n.sha256, n.bom, parsed) for n, parsed in notes]
    texts = {note.path: note.text for note, _ in notes}
    ahead: list[tuple[Note, ParsedNote]] = []
    for path, text in new.items():
        data = text.encode("utf-8")
        note = Note(path, text, len(data), 0, _writer.sha256_of(data))
        parsed = parse_note(path, text)
        ahead.append((note, parsed))
        records.append(NoteRecord(path, note.size, 0, note.sha256, False, parsed))
        texts[path] = text
    records.sort(key=lambda record: record.path)  # as discovery orders them
    scan = Scan(scan.root, scan.discovery, records, [], 0, texts, scan.config, use_cache=False)
    extract_scan(scan)
    index = index_scan(scan)
    del scan, records  # their facts are in the index now
    second = _linker.plan_vault([*notes, *ahead], index, options, taken, each=_map_notes, describe=describe)
    changes = [change for change in second.changes if change.path not in new]
    made = {change.path: change.after for change in second.changes if change.path in new}
    changes += [_linker.FileChange(path, None, made.get(path, text), None) for path, text in new.items()]
    return replace(second, changes=tuple(sorted(changes, key=lambda change: change.path)))


def _notes_for_linking(
    path: str | os.PathLike[str], use_cache: bool, ignore: Sequence[str], progress: Progress | None
) -> tuple[Scan, VaultIndex, list[tuple[Note, ParsedNote]], list[Issue]]:
    """The index, its scan, and every note of it read again (see :func:`_read_for_linking`).

    With the cache, once the index is current (a scan that had notes to read ran in the pool,
    its workers one per idle core), a forked reader reads and hashes the notes while this process
    loads their parses from the cache (see :func:`_reading_ahead`).
    """
    discovery = fsio.discover_vault(path, ignore)
    if not use_cache:
        scan, index = _index_with_notes(path, use_cache, ignore, progress, discovery)
        return scan, index, *_read_for_linking(scan)
    index = scan_vault(path, ignore=ignore, progress=progress, discovery=discovery)  # refreshes the cache first
    with _reading_ahead(discovery) as read:
        scan = read_vault(path, ignore=ignore, discovery=discovery, facts=False)
        return scan, index, *_read_for_linking(scan, read())


def _read_for_linking(
    scan: Scan, read: Mapping[str, Note | Issue] | None = None
) -> tuple[list[tuple[Note, ParsedNote]], list[Issue]]:
    """Every note of the scan read again (text and hash), reusing its parse when unchanged;
    ``read`` holds notes read already, by path (see :func:`_reading_ahead`): a note it holds as
    an issue (vanished, unreadable for a moment) is read once more here."""
    notes: list[tuple[Note, ParsedNote]] = []
    warnings: list[Issue] = []
    read = read or {}
    for record in scan.records:
        note = read.get(record.path)
        if not isinstance(note, Note):
            note = fsio.read_note(scan.root, fsio.FileInfo(record.path, record.size, record.mtime_ns))
        if isinstance(note, Issue):
            warnings.append(note)
            continue
        parsed = record.parsed if note.sha256 == record.sha256 else parse_note(note.path, note.text)
        notes.append((note, parsed))
    return notes, warnings


def _creation_folders(config: Mapping[str, Any]) -> dict[EntityType, str]:
    """Where ``--create-hubs`` puts new hub notes: ``[hubs]`` of ``vaultlink.toml``, else the usual."""
    chosen = dict(config.get("hubs") or {})
    keys = {"people": EntityType.PERSON, "companies": EntityType.COMPANY, "topics": EntityType.TOPIC}
    folders = dict(_hubs.DEFAULT_FOLDERS)
    for key, kind in keys.items():
        if isinstance(chosen.get(key), str) and chosen[key].strip("/"):
            folders[kind] = chosen[key].strip("/")
    return folders


def _common_company_words() -> frozenset[str]:
    """Folded company names that are ordinary words (from the shipped gazetteer, when present)."""
    try:
        from vaultlink.extract.lexicon import load_lexicon
    except ImportError:  # extraction not installed in this build: no gazetteer, no common words
        return frozenset()
    words: set[str] = set()
    for company in load_lexicon().companies.values():
        words.update(company.common)
    return frozenset(words)


def apply_changes(plan: _linker.LinkPlan, command: str = "link") -> _writer.WriteReport:
    """Write a plan: every file atomically, refusing those changed since the plan was made,
    after journaling the originals in ``.vaultlink/`` so :func:`undo` can restore them."""
    changes = [_writer.Change(c.path, c.encoded(), c.sha256) for c in plan.changes]
    return _writer.write_changes(Path(plan.root), changes, command=command)


def undo(path: str | os.PathLike[str], *, force: bool = False) -> _writer.UndoReport:
    """Undo the last run on the vault at ``path`` (see :func:`vaultlink.writer.undo_run`)."""
    return _writer.undo_run(fsio.vault_root(path), force=force)


def list_runs(path: str | os.PathLike[str]) -> list[_writer.RunInfo]:
    """The runs journaled in the vault at ``path``, newest first."""
    return _writer.list_runs(fsio.vault_root(path))


# --- answers: the advice digest, contacts, follow-ups, lint -------------------------------------


ADVICE_INDEX = _report.ADVICE_INDEX


@dataclass(frozen=True)
class AdviceIndexWrite:
    """What ``advice --write`` did to ``Advice Index.md``: nothing (already current), created
    it, or updated its managed block; ``run_id`` is the journaled run ``undo`` reverts."""

    path: str
    action: str  # "unchanged" | "created" | "updated" | "refused"
    run_id: str | None = None
    refused: tuple[Issue, ...] = ()


def _index_with_notes(
    path: str | os.PathLike[str],
    use_cache: bool,
    ignore: Sequence[str],
    progress: Progress | None = None,
    discovery: fsio.Discovery | None = None,
) -> tuple[Scan, VaultIndex]:
    """The index and the scan it came from; both from the cache when the vault is unchanged.

    From the cache, the scan's records hold parses only: extraction's facts are in the index.
    ``discovery`` is a walk of this vault the caller made already.
    """
    if use_cache:
        discovery = discovery or fsio.discover_vault(path, ignore)
        index = scan_vault(path, ignore=ignore, progress=progress, discovery=discovery)  # refreshes the cache first
        return read_vault(path, ignore=ignore, discovery=discovery, facts=False), index
    scan = read_vault(path, use_cache=False, ignore=ignore, progress=progress, discovery=discovery)
    extract_scan(scan)
    return scan, index_scan(scan)


def _today(today: str | _dt.date | None) -> str:
    """``today`` as ``YYYY-MM-DD``; the local date when not given."""
    return _report.read_date(today, "--today") or _dt.date.today().isoformat()


def advice_digest(
    vault: str | os.PathLike[str],
    topic: str | None = None,
    person: str | None = None,
    since: str | _dt.date | None = None,
    *,
    use_cache: bool = True,
    ignore: Sequence[str] = (),
) -> _report.AdviceDigest:
    """Every piece of advice in the vault, grouped by topic and ranked by how many people gave
    it (see :func:`vaultlink.report.advice_digest`). ``topic`` and ``person`` take a name, id
    or alias; an unknown one raises :class:`~vaultlink.report.UnknownName`."""
    index = scan_vault(vault, use_cache=use_cache, ignore=ignore)
    return _report.advice_digest(index, topic=topic, person=person, since=since)


def write_advice_index(
    vault: str | os.PathLike[str], *, use_cache: bool = True, ignore: Sequence[str] = ()
) -> AdviceIndexWrite:
    """Keep ``Advice Index.md`` at the vault root current: create it, or replace only its
    managed block, through the journaled writer (``vaultlink undo`` reverts it). An index that
    is already current is not touched."""
    scan, index = _index_with_notes(vault, use_cache, ignore)
    digest = _report.advice_digest(index)
    record = next((r for r in scan.records if r.path == ADVICE_INDEX), None)
    if record is None and ADVICE_INDEX not in scan.discovery.excluded:
        data = _report.new_advice_index(_report.advice_index_block(digest)).encode("utf-8")
        change = _writer.Change(ADVICE_INDEX, data, None)  # the writer refuses it if it exists by now
        action = "created"
    else:
        info = fsio.FileInfo(ADVICE_INDEX, record.size, record.mtime_ns) if record else fsio.FileInfo(ADVICE_INDEX, 0, 0)
        note = fsio.read_note(scan.root, info)
        if isinstance(note, Issue):
            raise WriteRefused(f"{note.message}; {ADVICE_INDEX} was left as it is")
        parsed = parse_note(note.path, note.text)
        newline = "\r\n" if "\r\n" in note.text else "\n"
        text = _report.put_block(note.text, parsed, _report.advice_index_block(digest, newline))
        if text == note.text:
            return AdviceIndexWrite(ADVICE_INDEX, "unchanged")
        change = _writer.Change(ADVICE_INDEX, (b"\xef\xbb\xbf" if note.bom else b"") + text.encode("utf-8"), note.sha256)
        action = "updated"
    result = _writer.write_changes(scan.root, [change], command="advice")
    if result.refused:
        return AdviceIndexWrite(ADVICE_INDEX, "refused", result.run_id, tuple(result.refused))
    return AdviceIndexWrite(ADVICE_INDEX, action, result.run_id)


def contacts(
    vault: str | os.PathLike[str],
    company: str | None = None,
    stale_days: int | None = None,
    today: str | _dt.date | None = None,
    *,
    use_cache: bool = True,
    ignore: Sequence[str] = (),
) -> _report.ContactList:
    """The people you know, with companies, chats and topics; ``company`` answers "who do I know
    there, now or before" (with people one introduction away); ``stale_days`` lists those not
    talked to in that many days before ``today`` (default: the local date)."""
    index = scan_vault(vault, use_cache=use_cache, ignore=ignore)
    return _report.contacts(index, company=company, stale_days=stale_days, today=_today(today))


def read_notes_text(scan: Scan) -> dict[str, tuple[ParsedNote, str]]:
    """Every note of a scan with its parse and text (read again when the cache served it)."""
    out: dict[str, tuple[ParsedNote, str]] = {}
    for record in scan.records:
        text = scan.texts.get(record.path)
        if text is None:
            note = fsio.read_note(scan.root, fsio.FileInfo(record.path, record.size, record.mtime_ns))
            if isinstance(note, Issue):
                scan.warnings.append(note)
                continue
            text = scan.texts[record.path] = note.text
        out[record.path] = (record.parsed, text)
    return out


def followups(
    vault: str | os.PathLike[str],
    *,
    include_done: bool = False,
    today: str | _dt.date | None = None,
    use_cache: bool = True,
    ignore: Sequence[str] = (),
) -> _report.FollowUpList:
    """Promises, requests and tasks written in the vault's notes, open first and oldest first
    (see :mod:`vaultlink.followup`); ``today`` (default: the local date) marks overdue ones."""
    scan, index = _index_with_notes(vault, use_cache, ignore)
    items = _report.collect_followups(index, read_notes_text(scan))
    return _report.followup_list(index, items, today=_today(today), include_done=include_done)


def lint(
    vault: str | os.PathLike[str], *, use_cache: bool = True, ignore: Sequence[str] = ()
) -> tuple[_report.Finding, ...]:
    """What to fix in the vault (see :func:`vaultlink.report.lint`); empty when it is clean."""
    scan, index = _index_with_notes(vault, use_cache, ignore)
    return _report.lint(index, {r.path: r.parsed for r in scan.records})
