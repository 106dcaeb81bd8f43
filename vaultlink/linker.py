"""Plan where ``[[links]]`` go: note text and a table of names in, edits out. No I/O.

:func:`plan_note` finds the plain-text mentions of known entities in one note and proposes, for
each, an :class:`Edit` that wraps the text as written in a link, and nothing else: outside the
inserted link syntax every character stays. The rules, all of them tested by golden files:

- never inside a protected span (front matter, code, comments, math, HTML, URLs, existing links and
  embeds, tags, block ids, callout headers, Dataview fields), a heading line or a hub's managed block;
- whole words only, with Unicode letters and marks as word characters; the longest name wins;
- ``Amazon's`` becomes ``[[Amazon]]'s``; ``[[Target|as written]]`` when the text differs from the
  link path, with ``\\|`` on table lines; markdown links when the vault uses them;
- a person or company only where the text as written starts with a capital (an all-caps name such
  as ``AWS`` only as written); where extraction knows the entity, a company name that is an
  ordinary word ("Notion"), a topic without a hub note and a one-word name without a hub note
  only in notes where extraction found them; a person's one-word alias ("Sam") only in notes
  that name the person in full or where extraction found them;
- no link to a person known by one word only ("Max") unless the vault has a note for them;
- no link from a note to itself; the first mention per note only (unless ``all_mentions``), and
  none for an entity the note already links to; nothing at all in a note whose front matter says
  ``vaultlink: false``.

:func:`plan_vault` runs it over a whole vault and adds the hub notes (:mod:`vaultlink.hubs`),
giving a :class:`LinkPlan`: the new text of every file that would change.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any, Callable, Collection, Iterable, Mapping, NamedTuple, Sequence
from urllib.parse import quote

import ahocorasick  # type: ignore[import-not-found,unused-ignore]

from vaultlink import hubs
from vaultlink.extract import hub_folders_of
from vaultlink.extract.lexicon import PRODUCT_WORDS, lower, next_word
from vaultlink.markdown import TABLE_DELIMITER, line_of, link_text_position
from vaultlink.model import (
    Advice,
    Entity,
    EntityType,
    Issue,
    Note,
    ParsedNote,
    Relation,
    RelationType,
    Source,
    Span,
    SpanKind,
    VaultIndex,
    fold,
    stem_of,
)

ALL_TYPES: frozenset[EntityType] = frozenset(EntityType)
_UNLINKABLE = re.compile(r"[\[\]|\n\r\t]")
_UNSAFE_TARGET = re.compile(r"[\[\]|#^\n\r]")
_SETEXT = re.compile(r"[ ]{0,3}(?:=+|-{2,})[ \t]*\r?")
_OPT_OUT = re.compile(r"^vaultlink[ \t]*:[ \t]*['\"]?(?:false|no|off)['\"]?[ \t]*\r?$", re.M | re.I)
_APOSTROPHES = ("'", "\u2019")
_HTML_OPEN = re.compile(r"<([A-Za-z][A-Za-z0-9-]*)")
_VOID_TAGS = frozenset("area base br col embed hr img input link meta param source track wbr".split())


class LinkFormat(str, Enum):
    """Obsidian's ``newLinkFormat``: how the path inside a new link is written."""

    SHORTEST = "shortest"  # the bare note name when no other note has it, else the vault path
    RELATIVE = "relative"  # the path from the linking note's folder
    ABSOLUTE = "absolute"  # the vault path


class EditKind(str, Enum):
    LINK = "link"
    BLOCK = "block"  # a hub note's managed block


@dataclass(frozen=True, slots=True)
class LinkStyle:
    """How links are written in this vault, read from ``.obsidian/app.json``."""

    format: LinkFormat = LinkFormat.SHORTEST
    markdown: bool = False

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> LinkStyle:
        """The style Obsidian's ``newLinkFormat`` and ``useMarkdownLinks`` ask for (defaults when unset or odd)."""
        try:
            fmt = LinkFormat(str(settings.get("newLinkFormat", "shortest")))
        except ValueError:
            fmt = LinkFormat.SHORTEST
        return cls(fmt, settings.get("useMarkdownLinks") is True)


@dataclass(frozen=True)
class Target:
    """One entity as the linker sees it: the names it may be written as and where links go."""

    entity_id: str
    type: EntityType
    name: str
    surfaces: tuple[str, ...] = ()  # every way it may be written; the name is always included
    note: str | None = None  # its hub note (existing or about to be created); None: link by name
    unique: bool = True  # no other note shares the hub's name, so a shortest link may drop the folder
    common: frozenset[str] = frozenset()  # folded surfaces that are ordinary words ("notion", "apple")
    confirmed: frozenset[str] | None = None  # notes where extraction found it; None: not known


@dataclass(frozen=True)
class LinkOptions:
    all_mentions: bool = False
    types: frozenset[EntityType] = ALL_TYPES
    style: LinkStyle = LinkStyle()


class Edit(NamedTuple):
    """Replace ``old`` at ``[start, end)`` of a note's text with ``new``. A named tuple: a big
    vault's plan makes tens of thousands, each made twice (in a pool worker, then again from
    the plain tuple it sends back), and a frozen dataclass is slow to make."""

    start: int
    end: int
    old: str
    new: str
    entity_id: str  # "" for a managed block
    line: int
    kind: EditKind = EditKind.LINK


@dataclass(frozen=True)
class NoteLinks:
    """What :func:`plan_note` found in one note."""

    edits: tuple[Edit, ...]
    mentioned: frozenset[str]  # entity ids named in prose, linked now or not
    linked: frozenset[str]  # entity ids the note already links to
    first_lines: Mapping[str, int] = field(default_factory=dict)  # entity id -> first line a reader sees it on


@dataclass(frozen=True, slots=True)
class _Surface:
    entity_id: str
    written: frozenset[str]  # the surface as given (and its Unicode and apostrophe variants)
    exact: bool  # only as written (acronyms, names that start in lower case)
    capital: bool  # the text must start with a capital letter
    company: bool  # the entity is a company (not linked inside a product's name)
    weak: bool  # a one-word alias of a person: needs the full name or extraction in the note
    gated: bool  # needs extraction to have found the entity in the note (see plan_note's rules)


# What plan_vault learns of one note: its edits, its row in the hub of each entity it names, the
# rows its advice is listed with (entity, group, date, line, row), and its text after its links
# with its diff (when asked for).
_Planned = tuple[
    tuple[tuple[Any, ...], ...], dict[str, str], list[tuple[str, str, str, int, str]], "tuple[str, str] | None"
]
Mapper = Callable[[Callable[[int], Any], int], list[Any]]


def serial_map(work: Callable[[int], Any], count: int) -> list[Any]:
    """``[work(0), ..., work(count - 1)]``, here and in order: :func:`plan_vault`'s default ``each``."""
    return [work(number) for number in range(count)]


class NameTable:
    """Every surface of every target in one Aho-Corasick automaton, built once per vault.

    A surface claimed by two entities is kept for the one whose *name* it is, and dropped (with a
    warning) when that does not settle it: an ambiguous "Sam" links to no one.
    """

    def __init__(self, targets: Iterable[Target]) -> None:
        self.targets: dict[str, Target] = {}
        self.warnings: list[Issue] = []
        claims: dict[str, list[tuple[Target, str, bool]]] = defaultdict(list)
        for target in sorted(targets, key=lambda t: t.entity_id):
            if target.note is not None and _UNSAFE_TARGET.search(target.note):
                self.warnings.append(
                    Issue(target.note, "unlinkable", f"{target.note}: its name cannot be written in a link; not linked")
                )
                continue
            self.targets[target.entity_id] = target
            if target.type is EntityType.PERSON and target.note is None and len(target.name.split()) < 2:
                continue  # "Max", "Sync": a one-word person nobody wrote a note for is rarely a person
            for surface in dict.fromkeys((target.name, *target.surfaces)):
                clean = " ".join(unicodedata.normalize("NFC", surface).split())
                if _is_linkable_surface(clean):
                    claims[lower(clean)].append((target, clean, fold(clean) == fold(target.name)))
        self._surfaces: list[_Surface] = []
        self._automaton = ahocorasick.Automaton()  # lower-cased surfaces, searched in the lower-cased text
        self._exact = ahocorasick.Automaton()  # acronyms and the like, searched in the text as written
        for key, found in sorted(claims.items()):
            owners = {t.entity_id for t, _, _ in found}
            if len(owners) > 1:
                named = {t.entity_id for t, _, is_name in found if is_name}
                if len(named) != 1:
                    self.warnings.append(
                        Issue(None, "ambiguous-name", f"'{found[0][1]}' names {len(owners)} entities "
                              f"({', '.join(sorted(owners))}); it is not linked")
                    )
                    continue
                owner = next(iter(named))
                found = [item for item in found if item[0].entity_id == owner]
            target = found[0][0]
            written = frozenset(s for _, s, _ in found)
            self._add(key, target, written)
        for automaton in (self._automaton, self._exact):
            if len(automaton):
                automaton.make_automaton()
        self._by_note = {fold(t.note): t.entity_id for t in self.targets.values() if t.note is not None}
        self._by_bare_name = {fold(t.name): t.entity_id for t in self.targets.values() if t.note is None}
        self._link_keys: dict[str, str] = {}
        for target in self.targets.values():
            keys = [fold(target.name)]
            if target.note is not None:
                keys += [fold(_drop_md(target.note)), fold(stem_of(target.note))]
            for key in keys:
                self._link_keys.setdefault(key, target.entity_id)

    def _add(self, key: str, target: Target, written: frozenset[str]) -> None:
        person_or_company = target.type in (EntityType.PERSON, EntityType.COMPANY)
        sample = min(written)
        letters = [ch for ch in sample if ch.isalpha()]
        acronym = len(letters) > 0 and all(ch.isupper() for ch in letters) and len(letters) <= 6
        exact = acronym or (person_or_company and not sample[0].isupper())
        one_word = len(sample.split()) == 1
        weak = target.type is EntityType.PERSON and one_word and len(target.name.split()) > 1
        gated = (target.note is None and (target.type is EntityType.TOPIC or one_word)) or (
            target.type is EntityType.COMPANY and fold(sample) in target.common
        )
        variants = set(written)
        for surface in written:
            variants.add(unicodedata.normalize("NFD", surface))
            for a, b in (_APOSTROPHES, _APOSTROPHES[::-1]):
                if a in surface:
                    variants.add(surface.replace(a, b))
        index = len(self._surfaces)
        self._surfaces.append(
            _Surface(
                target.entity_id, frozenset(variants), exact, person_or_company,
                target.type is EntityType.COMPANY, weak, gated,
            )
        )
        automaton = self._exact if exact else self._automaton
        for variant in sorted(variants):
            key = variant if exact else lower(variant)
            if key not in automaton:
                automaton.add_word(key, (len(key), index))

    def self_ids(self, parsed: ParsedNote) -> frozenset[str]:
        """The entities the note at ``parsed.path`` stands for: its hub's entity, or an entity
        without a hub that has the note's name. A note never links to these."""
        found = {self._by_note.get(fold(parsed.path)), self._by_bare_name.get(fold(parsed.name))}
        return frozenset(f for f in found if f is not None)

    def __len__(self) -> int:
        return len(self.targets)

    def entity_of_link(self, target: str) -> str | None:
        """The entity a link target as written (``Stefan Mai``, ``People/Stefan Mai.md``,
        ``../People/Stefan%20Mai.md`` once decoded) points at, by name or hub path; else None."""
        key = fold(_drop_md(target.strip()))
        found = self._link_keys.get(key)
        if found is None and "/" in key:
            found = self._link_keys.get(key.rpartition("/")[2])
        return found

    def hits(self, lowered: str, text: str, start: int) -> list[tuple[int, int, _Surface]]:
        """Every whole-word occurrence of a surface in ``text[start:]`` that passes its case rule
        (in no particular order), in a new list."""
        out: list[tuple[int, int, _Surface]] = []
        if len(self._automaton):
            self._hits(self._automaton.iter(lowered, start), text, out)
        if len(self._exact):
            self._hits(self._exact.iter(text, start), text, out)
        return out

    def _hits(
        self, found: Iterable[tuple[int, tuple[int, int]]], text: str, out: list[tuple[int, int, _Surface]]
    ) -> None:
        """Add to ``out`` the hits of one automaton that are whole words and pass their case rule
        (one list for both automatons: a note has hundreds of hits, each once through Python)."""
        size = len(text)
        surfaces = self._surfaces
        append = out.append
        for last, (length, index) in found:
            begin, end = last - length + 1, last + 1
            if begin > 0:
                before = text[begin - 1]
                if before.isalnum() or (not before.isascii() and _is_word_char(before)):
                    continue
            if end < size:
                after = text[end]
                if after.isalnum() or (not after.isascii() and _is_word_char(after)):
                    continue
                if after == "-" and end + 1 < size and (text[end + 1] == "[" or _is_word_char(text[end + 1])):
                    continue  # "Meta-learning" is not Meta; nor "Meta-[[learning]]", or a rerun would differ
            surface = surfaces[index]
            if surface.exact or surface.capital:
                written = text[begin:end]
                if surface.exact:
                    if written not in surface.written:
                        continue
                elif not written[0].isupper() and written not in surface.written:
                    continue
            append((begin, end, surface))


def _is_linkable_surface(surface: str) -> bool:
    return len(surface) >= 2 and any(ch.isalpha() for ch in surface) and not _UNLINKABLE.search(surface)


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or unicodedata.category(ch)[0] == "M"


def _drop_md(path: str) -> str:
    return path[:-3] if path[-3:].lower() == ".md" else path


def is_opted_out(text: str, parsed: ParsedNote) -> bool:
    """Whether the note's front matter says ``vaultlink: false`` (also when its YAML is broken)."""
    value = parsed.metadata.get("vaultlink")
    if value is False or (isinstance(value, str) and value.strip().casefold() in ("false", "no", "off")):
        return True
    if isinstance(value, Mapping) and value.get("link") is False:
        return True
    return bool(parsed.frontmatter_end) and _OPT_OUT.search(text, 0, parsed.frontmatter_end) is not None


# Writing a link ------------------------------------------------------------------------------


def link_path(note: str, source: str, style: LinkStyle, unique: bool = True) -> str:
    """The path a new link to the note at ``note`` carries, from the note at ``source``, without
    ``.md``: ``Stefan Mai`` (shortest and unique), ``People/Stefan Mai`` (absolute, or shortest
    when another note shares the name), ``../People/Stefan Mai`` (relative)."""
    bare = _drop_md(note)
    if style.format is LinkFormat.SHORTEST:
        return stem_of(note) if unique else bare
    if style.format is LinkFormat.ABSOLUTE:
        return bare
    return relative_path(bare, source.rpartition("/")[0])


def relative_path(path: str, folder: str) -> str:
    """``path`` (vault-relative) as seen from ``folder`` (vault-relative, "" for the root)."""
    parts = path.split("/")
    base = [p for p in folder.split("/") if p]
    common = 0
    while common < min(len(base), len(parts) - 1) and base[common] == parts[common]:
        common += 1
    return "/".join([".."] * (len(base) - common) + parts[common:])


def write_link(path: str, shown: str, style: LinkStyle, in_table: bool = False) -> str:
    """A link to ``path`` (as :func:`link_path` gives it) that shows ``shown``.

    ``[[path]]`` when they are equal, else ``[[path|shown]]`` (``\\|`` on a table line); with
    markdown links, ``[shown](path.md)`` with the path percent-encoded.
    """
    if style.markdown:
        return f"[{shown}]({quote(path + '.md', safe='/')})"
    if path == shown:
        return f"[[{path}]]"
    bar = "\\|" if in_table else "|"
    return f"[[{path}{bar}{shown}]]"


def _target_link(target: Target, shown: str, source: str, style: LinkStyle, in_table: bool) -> str:
    if target.note is None:
        return write_link(target.name, shown, style, in_table)
    return write_link(link_path(target.note, source, style, target.unique), shown, style, in_table)


# Planning one note ---------------------------------------------------------------------------


def plan_note(text: str, parsed: ParsedNote, table: NameTable, options: LinkOptions = LinkOptions()) -> NoteLinks:
    """The link insertions for one note, sorted by offset, with the entities it names.

    ``text`` is the note's decoded text (no byte-order mark) and ``parsed`` its parse. Offsets
    in the edits are offsets in ``text``; applying them (:func:`apply_edits`) changes nothing
    but the inserted link syntax, and planning the result again gives no edit.
    """
    linked = frozenset(
        found
        for link in parsed.links
        if link.start >= 0 and link.target and (found := table.entity_of_link(link.target)) is not None
    )
    if not len(table):
        return NoteLinks((), frozenset(), linked)
    hits = table.hits(lower(text), text, parsed.frontmatter_end)
    if not hits:
        return NoteLinks((), frozenset(), linked)
    strong = set(linked)
    strong.update(surface.entity_id for _, _, surface in hits if not surface.weak)
    block = hubs.find_block(text, parsed.protected) if hubs.BLOCK_START in text else None
    spans = parsed.protected
    span_starts = [span.start for span in spans]
    heading_starts = [h.start for h in parsed.headings]
    heading_ends = [h.end for h in parsed.headings]
    first_seen: dict[str, int] = {}
    html: list[tuple[int, int]] | None = None
    tables: set[int] = set()
    avoid: set[int] = set()
    path = parsed.path
    targets = table.targets
    bisect_right = bisect.bisect_right
    n_spans = len(spans)
    size = len(text)
    # Leftmost first, the longest of those first: a hit that passes the filters is chosen when
    # it starts at or past the end of the last one chosen (``reach``), so the choice is final.
    hits.sort(key=_leftmost_longest)
    chosen: list[tuple[int, int, _Surface]] = []
    chosen_entities: set[str] = set()
    reach = -1
    for i, (start, end, surface) in enumerate(hits):
        entity_id = surface.entity_id
        if start >= first_seen.get(entity_id, size):  # it cannot be the first place a reader sees it
            if start < reach:
                continue  # nor be chosen
            if entity_id in chosen_entities and not options.all_mentions:
                next_start = hits[i + 1][0] if i + 1 < len(hits) else size
                if next_start >= end:
                    continue  # a repeat: no link of its own, and no later hit it could keep out (half the hits)
        if surface.gated or surface.weak:
            confirmed = targets[entity_id].confirmed
            if confirmed is None:
                if surface.weak and entity_id not in strong:
                    continue
            elif path not in confirmed and entity_id not in linked and (surface.gated or entity_id not in strong):
                continue  # never linked here, and never quoted: the note is not among its mentions
        if block is not None and block[0] < end and start < block[1]:
            continue
        if heading_starts:
            heading = bisect_right(heading_starts, start) - 1
            if heading >= 0 and start < heading_ends[heading]:
                continue
        index = bisect_right(span_starts, start) - 1
        inside = spans[index] if index >= 0 and spans[index].end > start else None
        protected = inside is not None or (index + 1 < n_spans and spans[index + 1].start < end)
        if start < first_seen.get(entity_id, size) and (not protected or _is_shown(text, inside, start, end)):
            first_seen[entity_id] = start
        if protected or start < reach or _is_setext_heading(text, start):
            continue  # (a hit before reach was judged only for first_seen)
        if (start > 0 and text[start - 1] in "[!") or (end < size and text[end] == "]"):
            continue  # "[Amazon]" may be a reference link; "!" before a wikilink makes an embed
        if surface.company and next_word(text, end) in PRODUCT_WORDS:
            continue  # "Google Keep" names a product: linking "Google" in it says the wrong thing
        if surface.gated or surface.weak:
            confirmed = targets[entity_id].confirmed
            known_here = confirmed is not None and path in confirmed
            if surface.gated and confirmed is not None and not known_here:
                continue
            if surface.weak and entity_id not in strong and not known_here:
                continue
        if html is None:
            html = _html_regions(text, parsed)
            tables, avoid = _table_layout(text)
        if html and any(s < end and start < e for s, e in html):
            continue
        if avoid and line_of(parsed.line_starts, start) in avoid:
            continue
        chosen.append((start, end, surface))
        chosen_entities.add(entity_id)
        reach = end
    first_lines = {entity_id: line_of(parsed.line_starts, at) for entity_id, at in first_seen.items()}
    if is_opted_out(text, parsed):
        return NoteLinks((), frozenset(c[2].entity_id for c in chosen), linked, first_lines)
    mentioned: set[str] = set()
    done = set(linked)
    edits: list[Edit] = []
    itself = table.self_ids(parsed)
    for start, end, surface in chosen:
        target = table.targets[surface.entity_id]
        if target.entity_id in itself:
            continue
        mentioned.add(target.entity_id)
        if target.type not in options.types or (not options.all_mentions and target.entity_id in done):
            continue
        done.add(target.entity_id)
        line = line_of(parsed.line_starts, start)
        written = text[start:end]
        new = _target_link(target, written, parsed.path, options.style, line in tables)
        edits.append(Edit(start, end, written, new, target.entity_id, line))
    return NoteLinks(tuple(edits), frozenset(mentioned), linked, first_lines)


def _leftmost_longest(hit: tuple[int, int, _Surface]) -> tuple[int, int]:
    return hit[0], hit[0] - hit[1]


def _is_shown(text: str, span: Span | None, start: int, end: int) -> bool:
    """Whether ``[start, end)`` inside a protected span is text a reader sees: a link's shown
    text or the inside of inline code (not a link's target, a URL, a tag or a comment)."""
    if span is None or end > span.end:
        return False
    if span.kind is SpanKind.INLINE_CODE:
        return True
    if span.kind not in (SpanKind.WIKILINK, SpanKind.MDLINK) or text[span.start] == "!":
        return False
    offset, shown = link_text_position(text[span.start : span.end])
    return span.start + offset <= start and end <= span.start + offset + len(shown)


def _is_setext_heading(text: str, offset: int) -> bool:
    """Whether the line holding ``offset`` is underlined with ``===`` or ``---`` (a heading)."""
    end = text.find("\n", offset)
    if end < 0 or text[end + 1 : end + 2] not in ("=", "-", " "):
        return False
    following = text.find("\n", end + 1)
    underline = text[end + 1 : len(text) if following < 0 else following]
    line_start = text.rfind("\n", 0, offset) + 1
    if not text[line_start:end].strip() or text[line_start:end].lstrip().startswith(("-", "*", "+", "|", ">")):
        return False
    return _SETEXT.fullmatch(underline) is not None


def _html_regions(text: str, parsed: ParsedNote) -> list[tuple[int, int]]:
    """The text between an HTML opening tag and its closing tag (``<span>Tom</span>``): Obsidian
    renders no markdown there, so a link would show as brackets. An element never closed runs
    to the next blank line."""
    out: list[tuple[int, int]] = []
    for span in parsed.protected:
        if span.kind is not SpanKind.HTML:
            continue
        opening = _HTML_OPEN.match(text, span.start, span.end)
        if opening is None or text[span.end - 2 : span.end] == "/>" or opening.group(1).lower() in _VOID_TAGS:
            continue
        closing = re.compile(rf"</{re.escape(opening.group(1))}\s*>", re.I).search(text, span.end)
        if closing is not None:
            out.append((span.end, closing.start()))
        else:
            blank = re.compile(r"\n[ \t]*\r?\n").search(text, span.end)
            out.append((span.end, len(text) if blank is None else blank.start()))
    return out


def _table_layout(text: str) -> tuple[set[int], set[int]]:
    """The 1-based lines of markdown tables (header, delimiter, rows), and the lines next to a
    table where a link is left out: a line right after the last row (a table row in GitHub's
    reading) and a line without a bar above a delimiter row (a link's ``|`` would make it a
    table header)."""
    if "|" not in text:
        return set(), set()
    lines = text.split("\n")
    table: set[int] = set()
    avoid: set[int] = set()
    for index in range(1, len(lines)):
        row = lines[index]
        if "|" not in row or "-" not in row or not TABLE_DELIMITER.fullmatch(row):
            continue
        if "|" not in lines[index - 1]:
            avoid.add(index)
            continue
        table.update((index, index + 1))
        follow = index + 1
        while follow < len(lines) and lines[follow].strip() and "|" in lines[follow]:
            table.add(follow + 1)
            follow += 1
        if follow < len(lines) and lines[follow].strip():
            avoid.add(follow + 1)
    return table, avoid


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """``text`` with every edit applied (edits must not overlap; any order)."""
    out: list[str] = []
    pos = 0
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        if edit.start < pos or text[edit.start : edit.end] != edit.old:
            raise ValueError(f"edit at {edit.start} does not fit the text")
        out.append(text[pos : edit.start])
        out.append(edit.new)
        pos = edit.end
    out.append(text[pos:])
    return "".join(out)


# Planning a vault ----------------------------------------------------------------------------


@dataclass(frozen=True)
class FileChange:
    """One file a plan would write: its text before (None for a new file) and after."""

    path: str
    before: str | None
    after: str
    sha256: str | None  # of the bytes the plan was made from; None for a new file
    bom: bool = False
    edits: tuple[Edit, ...] = ()
    diff: str | None = None  # its unified diff (three lines of context), when the plan made it

    @property
    def created(self) -> bool:
        return self.before is None

    @property
    def links(self) -> tuple[Edit, ...]:
        return tuple(e for e in self.edits if e.kind is EditKind.LINK)

    def encoded(self) -> bytes:
        """The bytes to write: UTF-8, with the byte-order mark again when the note had one."""
        return ("\ufeff" if self.bom else "").encode("utf-8") + self.after.encode("utf-8")


@dataclass(frozen=True)
class LinkPlan:
    """Every change one ``vaultlink link`` run would make, files sorted by path."""

    root: str
    changes: tuple[FileChange, ...]
    types: Mapping[str, EntityType] = field(default_factory=dict)  # entity id -> type, for reports
    warnings: tuple[Issue, ...] = ()

    @property
    def links(self) -> tuple[tuple[str, Edit], ...]:
        return tuple((c.path, e) for c in self.changes for e in c.links)

    def counts(self) -> dict[str, int]:
        """Notes changed, links by type, hubs created and hub blocks updated."""
        links = self.links
        per_type = Counter(self.types[edit.entity_id].value for _, edit in links if edit.entity_id in self.types)
        return {
            "files": len(self.changes),
            "notes_linked": len({path for path, _ in links}),
            "links": len(links),
            "person": per_type.get("person", 0),
            "company": per_type.get("company", 0),
            "topic": per_type.get("topic", 0),
            "hubs_created": sum(1 for c in self.changes if c.created),
            "hubs_updated": sum(
                1 for c in self.changes if not c.created and any(e.kind is EditKind.BLOCK for e in c.edits)
            ),
        }


@dataclass(frozen=True)
class VaultOptions:
    """What :func:`plan_vault` should do beyond one note's links."""

    all_mentions: bool = False
    types: frozenset[EntityType] = ALL_TYPES
    create_hubs: bool = False
    update_hubs: bool = True
    scope: frozenset[str] | None = None  # vault paths (or "Folder/" prefixes) that may change; None: all
    folders: Mapping[EntityType, str] = field(default_factory=lambda: dict(hubs.DEFAULT_FOLDERS))
    common: frozenset[str] = frozenset()  # folded company surfaces that are ordinary words


def detection_folders(folders: Mapping[EntityType, str]) -> dict[str, EntityType]:
    """The folders that mark hub notes: the usual ones and those new hubs are created in."""
    keys = {EntityType.PERSON: "people", EntityType.COMPANY: "companies", EntityType.TOPIC: "topics"}
    return hub_folders_of({"hubs": {keys[kind]: folder for kind, folder in folders.items()}})


def in_scope(path: str, scope: frozenset[str] | None) -> bool:
    """Whether ``path`` is one of the scope's paths or under one of its ``Folder/`` prefixes."""
    if scope is None:
        return True
    return path in scope or any(p.endswith("/") and path.startswith(p) for p in scope)


def plan_vault(
    notes: Sequence[tuple[Note, ParsedNote]],
    index: VaultIndex,
    options: VaultOptions = VaultOptions(),
    taken: Collection[str] = (),
    each: Mapper = serial_map,
    describe: Callable[[FileChange], str] | None = None,
) -> LinkPlan:
    """Plan the links of every note and the hub notes of every entity of the chosen types.

    ``notes`` are the notes as read just now (text, hash, parse); ``index`` gives the entities,
    relations and advice; ``taken`` lists other vault paths a new hub must not take (attachments,
    ignored notes). Entities come from the index, plus one per hub note it does not cover.
    ``each(work, n)`` gives ``[work(0), ..., work(n - 1)]``: the notes are planned through it, so
    a caller may run them in a pool (``work`` is pure per index). With ``describe`` (a diff of a
    change), a note whose only edits are links gets its :attr:`FileChange.diff` with its plan.
    """
    style = LinkStyle.from_settings(index.settings)
    by_path = {parsed.path: (note, parsed) for note, parsed in notes}
    private = {n.path for n in index.notes if n.private} | {
        p.path for _, p in notes if p.metadata.get("private") is True
    }
    blocks = {
        path: found
        for path, (note, parsed) in by_path.items()
        if hubs.BLOCK_START in note.text and (found := hubs.find_block(note.text, parsed.protected)) is not None
    }
    entities = _without_block_echoes(
        hubs.merge_entities(index.entities, hubs.entities_from_hubs((p for _, p in notes), detection_folders(options.folders))), blocks, by_path
    )
    index = replace(index, advice=tuple(a for a in index.advice if not _in_block(blocks, by_path, a.note, a.line)))
    hub_of = {e.id: e.note for e in entities if e.note}
    created: dict[str, str] = {}
    if options.create_hubs:
        used = set(by_path) | set(taken)
        elsewhere = {fold(path): path for path in taken}
        for entity in sorted(entities, key=lambda e: e.id):
            if entity.note is not None or entity.type not in options.types:
                continue
            seen = {m.note for m in entity.mentions} - private
            if not any(in_scope(path, options.scope) and path in by_path for path in seen):
                continue
            natural = hubs.hub_path(entity, (), options.folders)
            if fold(natural) in elsewhere:  # an ignored note is there already: link to it, leave it alone
                hub_of[entity.id] = elsewhere[fold(natural)]
                continue
            path = hubs.hub_path(entity, used, options.folders)
            used.add(path)
            created[entity.id] = path
            hub_of[entity.id] = path
    hub_paths = set(hub_of.values())
    stems = Counter(fold(stem_of(path)) for path in [*by_path, *created.values()])
    targets = [
        Target(
            entity_id=e.id,
            type=e.type,
            name=e.name,
            surfaces=e.aliases,
            note=hub_of.get(e.id),
            unique=stems[fold(stem_of(hub_of[e.id]))] <= 1 if e.id in hub_of else True,
            common=frozenset(fold(s) for s in (e.name, *e.aliases) if fold(s) in options.common),
            confirmed=frozenset(m.note for m in e.mentions) if e.mentions else None,
        )
        for e in entities
        # a topic is linked only to a topic note that exists (or that --create-hubs makes):
        # "[[Feedback|feedback]]" pointing at nothing would only clutter a note
        if e.type is not EntityType.TOPIC or e.id in hub_of
    ]
    table = NameTable(targets)
    link_options = LinkOptions(options.all_mentions, options.types, style)
    listing = _hubs_to_write(entities, hub_of, created, by_path, options)
    listed = {entity.id for entity in listing}
    found_in: dict[str, set[str]] = defaultdict(set)  # note -> listed entities extraction found there
    for entity in listing:
        for mention in entity.mentions:
            found_in[mention.note].add(entity.id)
    patterns = {entity.id: hubs.needle_pattern((entity.name, *entity.aliases)) for entity in listing}
    advice_in = _advice_by_note(index, private, listed)
    people = {entity.id for entity in listing if entity.type is EntityType.PERSON}
    names = {e.id: e.name for e in entities}
    note_link = _note_linker(style, stems)
    nothing: frozenset[str] = frozenset()
    paths = sorted(by_path)
    blocked = {hub_of[entity.id] for entity in listing}  # notes that may get a block edit too

    def plan_one(number: int) -> _Planned:
        """One note's links, and its row in the hub of each listed entity it names, in plain
        tuples: from a pool worker they come back pickled, and classes pickle slowly."""
        path = paths[number]
        note, parsed = by_path[path]
        links = plan_note(note.text, parsed, table, link_options)
        rows: dict[str, str] = {}
        if listed and path not in hub_paths and path not in private:
            shown_at: dict[int, tuple[str, str | None]] = {}
            for entity_id in (found_in.get(path, nothing) | links.mentioned | links.linked) & listed:
                line = links.first_lines.get(entity_id)
                snippet = ""
                if line is not None:
                    shown = shown_at.get(line)
                    if shown is None:
                        shown = shown_at[line] = _readable(note.text, parsed, line)
                    snippet = shown[1] if shown[1] is not None else hubs.quote(shown[0], patterns[entity_id])
                rows[entity_id] = hubs.mention_line(note_link(path, hub_of[entity_id]), parsed.date, snippet)
        advice_rows = []
        for item, listers in advice_in.get(path, ()):
            said = hubs.advice_text(item.question, item.text)
            written: dict[str, str] = {}  # by link: one string for every hub it is the same in
            for entity_id in listers:
                link = note_link(path, hub_of[entity_id])
                row = written.get(link) or written.setdefault(link, hubs.advice_row(said, link))
                group = _advice_group(entity_id in people, item, names)
                advice_rows.append((entity_id, group, item.date or "", item.line, row))
        described = None  # the text after its links, and its diff: sent back, not made twice
        if describe is not None and links.edits and path not in blocked and in_scope(path, options.scope):
            after = apply_edits(note.text, links.edits)
            described = after, describe(FileChange(path, note.text, after, note.sha256, note.bom, links.edits))
        return tuple(tuple(edit) for edit in links.edits), rows, advice_rows, described  # tuples pickle six times as fast

    edits: dict[str, list[Edit]] = {}
    rows_of: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    advice_of: dict[str, list[tuple[str, str, str, int, str]]] = defaultdict(list)
    described: dict[str, tuple[str, str]] = {}
    for path, (planned, rows, advice_rows, made) in zip(paths, each(plan_one, len(paths))):
        date = by_path[path][1].date or ""
        for entity_id, row in rows.items():
            rows_of[entity_id].append((path, date, row))
        for entity_id, group, given, line, row in advice_rows:
            advice_of[entity_id].append((group, given, path, line, row))
        if planned and in_scope(path, options.scope):
            edits[path] = [Edit._make(edit) for edit in planned]
        if made is not None:
            described[path] = made
    changes = _plan_hubs(listing, rows_of, advice_of, by_path, index, style, names, hub_of, created, stems, edits)
    for path, note_edits in edits.items():
        note, _ = by_path[path]
        # a plan's edits come sorted; a hub's block edit is added after them
        ordered = tuple(sorted(note_edits, key=lambda e: e.start) if path in blocked else note_edits)
        after, diff = described.get(path) or (apply_edits(note.text, ordered), None)
        changes.append(FileChange(path, note.text, after, note.sha256, note.bom, ordered, diff))
    return LinkPlan(
        root=index.root,
        changes=tuple(sorted(changes, key=lambda c: c.path)),
        types={e.id: e.type for e in entities},
        warnings=tuple(table.warnings),
    )


def _in_block(
    blocks: Mapping[str, tuple[int, int]], by_path: Mapping[str, tuple[Note, ParsedNote]], note: str, line: int
) -> bool:
    """Whether line ``line`` of ``note`` lies inside the note's managed block."""
    block = blocks.get(note)
    if block is None or line < 1:
        return False
    starts = by_path[note][1].line_starts
    return line <= len(starts) and block[0] <= starts[line - 1] < block[1]


def _without_block_echoes(
    entities: Sequence[Entity],
    blocks: Mapping[str, tuple[int, int]],
    by_path: Mapping[str, tuple[Note, ParsedNote]],
) -> tuple[Entity, ...]:
    """Entities without the mentions found inside managed blocks (vaultlink's own quotes, read
    back), and without entities known only from there; a hub that no longer exists is dropped.

    Without this, a second run would learn from the first run's hub blocks and never settle.
    """
    out: list[Entity] = []
    for entity in entities:
        if entity.note is not None and entity.note not in by_path:
            entity = replace(entity, note=None)
        kept = tuple(
            m
            for m in entity.mentions
            if m.note not in blocks
            or not (
                blocks[m.note][0] <= m.start < blocks[m.note][1]
                if m.start >= 0
                else m.source in (Source.TEXT, Source.GAZETTEER) and _in_block(blocks, by_path, m.note, m.line)
            )
        )
        if entity.mentions and not kept and entity.note is None:
            continue
        out.append(entity if len(kept) == len(entity.mentions) else replace(entity, mentions=kept))
    return tuple(out)


def _hubs_to_write(
    entities: Sequence[Entity],
    hub_of: Mapping[str, str],
    created: Mapping[str, str],
    by_path: Mapping[str, tuple[Note, ParsedNote]],
    options: VaultOptions,
) -> list[Entity]:
    """The entities whose hub this run writes, by id: every new hub, and each existing one in
    scope whose block is kept current, unless it is ignored or says ``vaultlink: false``."""
    if not (options.update_hubs or options.create_hubs):
        return []

    def wanted(entity: Entity) -> bool:
        hub = hub_of.get(entity.id)
        if hub is None or entity.type not in options.types:
            return False
        if entity.id in created:
            return True
        if not options.update_hubs or not in_scope(hub, options.scope) or hub not in by_path:
            return False
        return not is_opted_out(*_text_and_parse(by_path[hub]))

    return [entity for entity in sorted(entities, key=lambda e: e.id) if wanted(entity)]


def _note_linker(style: LinkStyle, stems: Counter[str]) -> Callable[[str, str], str]:
    """``link(path, hub)``: the link a hub lists the note at ``path`` with, made once per note
    and folder (all a link depends on besides the note, and only when links are relative)."""
    relative = style.format is LinkFormat.RELATIVE
    made: dict[tuple[str, str], str] = {}

    def link(path: str, hub: str) -> str:
        key = (path, hub.rpartition("/")[0] if relative else "")
        found = made.get(key)
        if found is None:
            unique = stems[fold(stem_of(path))] <= 1
            found = made[key] = write_link(link_path(path, hub, style, unique), stem_of(path), style)
        return found

    return link


def _plan_hubs(
    listing: Sequence[Entity],
    rows_of: Mapping[str, Sequence[tuple[str, str, str]]],
    advice_of: Mapping[str, Sequence[tuple[str, str, str, int, str]]],
    by_path: Mapping[str, tuple[Note, ParsedNote]],
    index: VaultIndex,
    style: LinkStyle,
    names: Mapping[str, str],
    hub_of: Mapping[str, str],
    created: Mapping[str, str],
    stems: Counter[str],
    edits: dict[str, list[Edit]],
) -> list[FileChange]:
    """New hub notes, and the managed block edits of existing ones (added to ``edits``), for the
    entities of ``listing``; ``rows_of`` and ``advice_of`` hold each one's mention and advice
    rows (as :func:`hubs.render_rows` takes them), made with the notes' plans.

    The blocks are put together here, not in a pool: a few hubs (a big company, a common topic)
    hold most of the rows, and pool workers, copying every page they touch, were slower."""
    relations_of: dict[str, list[Relation]] = defaultdict(list)
    for relation in index.relations if created else ():
        relations_of[relation.source].append(relation)
    out: list[FileChange] = []
    for entity in listing:
        mentions = rows_of.get(entity.id, ())
        items = advice_of.get(entity.id, ())
        if entity.id in created:
            company = _current_company(entity, relations_of[entity.id], names, hub_of, style, stems, created[entity.id])
            text = hubs.new_hub_text(entity, hubs.render_rows(mentions, items), company)
            out.append(FileChange(created[entity.id], None, text, None))
            continue
        hub = hub_of[entity.id]
        note, parsed = by_path[hub]
        found = hubs.block_edit(note.text, parsed, hubs.render_rows(mentions, items, hubs.newline_of(note.text)))
        if found is not None:
            start, end, new = found
            edit = Edit(start, end, note.text[start:end], new, "", line_of(parsed.line_starts, start), EditKind.BLOCK)
            edits.setdefault(hub, []).append(edit)
    return out


def _readable(text: str, parsed: ParsedNote, line: int) -> tuple[str, str | None]:
    """A line as a reader sees it, and its snippet when it is short enough to be quoted whole
    (then the same for every entity it names); else None."""
    shown = hubs.readable_line(text, parsed, line)
    return shown, hubs.quote(shown, None) if len(shown) <= hubs.SNIPPET_CHARS else None


def _text_and_parse(pair: tuple[Note, ParsedNote]) -> tuple[str, ParsedNote]:
    return pair[0].text, pair[1]


def _advice_by_note(
    index: VaultIndex, private: set[str], listed: Collection[str]
) -> dict[str, list[tuple[Advice, tuple[str, ...]]]]:
    """Each note's advice that a hub of ``listed`` lists, in the index's order, with those hubs'
    entities: the person who gave it, then each of its topics. Private notes' advice is left out."""
    out: dict[str, list[tuple[Advice, tuple[str, ...]]]] = defaultdict(list)
    if not listed:
        return out
    known: dict[tuple[str | None, tuple[str, ...]], tuple[str, ...]] = {}  # few pairs, many items
    for item in index.advice:
        if item.note in private:
            continue
        listers = known.get((item.person, item.topics))
        if listers is None:
            given = [item.person] if item.person and item.person in listed else []
            given += [topic for topic in dict.fromkeys(item.topics) if topic in listed]
            listers = known[(item.person, item.topics)] = tuple(given)
        if listers:
            out[item.note].append((item, listers))
    return out


def _advice_group(person: bool, item: Advice, names: Mapping[str, str]) -> str:
    """A person's advice is grouped by its first topic; a topic's advice by who gave it."""
    if person:
        return names.get(item.topics[0], item.topics[0]) if item.topics else "Other"
    return names.get(item.person, item.person) if item.person else "Other"


def _current_company(
    entity: Entity,
    relations: Sequence[Relation],
    names: Mapping[str, str],
    hub_of: Mapping[str, str],
    style: LinkStyle,
    stems: Counter[str],
    source: str,
) -> str | None:
    """``[[Company]]`` for a person's current employer (else their last known one), or None.

    ``relations`` are the entity's own (those it is the source of).
    """
    if entity.type is not EntityType.PERSON:
        return None
    for kind in (RelationType.WORKS_AT, RelationType.WORKED_AT):
        found = sorted(
            (names[r.target], r.target)
            for r in relations
            if r.type is kind and r.target in names
        )
        if found:
            name, company = found[0]
            hub = hub_of.get(company)
            plain = LinkStyle(style.format, markdown=False)  # properties hold wikilinks only
            if hub is None:
                return write_link(name, name, plain)
            return write_link(link_path(hub, source, plain, stems[fold(stem_of(hub))] <= 1), name, plain)
    return None


def keep_edits(plan: LinkPlan, keep: Callable[[FileChange, Edit | None], bool]) -> LinkPlan:
    """The plan with only the link edits (and new files, asked with ``None``) that ``keep`` accepts.

    Managed block edits stay with their note; a note left with no edit drops out.
    """
    changes: list[FileChange] = []
    for change in plan.changes:
        if change.created:
            if keep(change, None):
                changes.append(change)
            continue
        assert change.before is not None
        kept = tuple(e for e in change.edits if e.kind is EditKind.BLOCK or keep(change, e))
        if kept:
            changes.append(replace(change, edits=kept, after=apply_edits(change.before, kept), diff=None))
    return replace(plan, changes=tuple(changes))


def summarize_plan(plan: LinkPlan, written: bool = False) -> str:
    """One or two lines for people: what the plan changes (or changed, with ``written``)."""
    if not plan.changes:
        return "Nothing to change: every mention is already linked."
    c = plan.counts()
    lines = [
        f"{'Linked' if written else 'Would link'} {_count(c['links'], 'mention')} in {_count(c['notes_linked'], 'note')} "
        f"({c['person']} person, {c['company']} company, {c['topic']} topic)"
    ]
    if c["hubs_created"] or c["hubs_updated"]:
        lines.append(
            f"{'Created' if written else 'Would create'} {_count(c['hubs_created'], 'hub note')}; "
            f"{'updated' if written else 'would update'} {_count(c['hubs_updated'], 'hub block')}"
        )
    return "\n".join(lines)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def plan_to_document(plan: LinkPlan) -> dict[str, Any]:
    """The plan as JSON-ready data (``vaultlink link --json``), every list in a stable order."""
    return {
        "schema": 1,
        "vault": plan.root,
        "summary": plan.counts(),
        "changes": [
            {
                "path": change.path,
                "action": "create" if change.created else "modify",
                "links": [
                    {
                        "line": e.line,
                        "start": e.start,
                        "end": e.end,
                        "text": e.old,
                        "link": e.new,
                        "entity": e.entity_id,
                        "type": plan.types[e.entity_id].value if e.entity_id in plan.types else None,
                    }
                    for e in change.links
                ],
                "hub_block": change.created or any(e.kind is EditKind.BLOCK for e in change.edits),
            }
            for change in plan.changes
        ],
        "warnings": [{"note": w.path, "kind": w.kind, "message": w.message} for w in plan.warnings],
    }


def describe_edit(change: FileChange, edit: Edit | None, width: int = 110) -> str:
    """One line that shows a proposal in context: ``Chats/x.md:12: …been at [[Amazon]] and…``."""
    if edit is None or change.before is None:
        return f"{change.path}: new hub note"
    text = change.before
    start = text.rfind("\n", 0, edit.start) + 1
    end = text.find("\n", edit.end)
    end = len(text) if end < 0 else end
    before = text[start : edit.start].replace("\t", " ").lstrip()
    after = text[edit.end : end].replace("\t", " ").rstrip("\r ")
    room = max(10, (width - len(edit.new)) // 2)
    if len(before) > room:
        before = "…" + before[-room:]
    if len(after) > room:
        after = after[:room] + "…"
    return f"{change.path}:{edit.line}: {before}{edit.new}{after}"
