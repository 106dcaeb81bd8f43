"""Hub notes: one note per person, company or topic, and the block vaultlink keeps inside it. No I/O.

A hub note is the note an entity's links point to (``People/Stefan Mai.md``). vaultlink owns only
the part of a hub between two markers::

    <!-- vaultlink:start -->
    ## Mentioned in
    - [[Coffee chat with Stefan Mai]] · 2023-05-11 · Had a half-hour chat today with Stefan Mai…
    ## Advice
    ### Resume
    - Mostly through how you frame the resume… ([[Coffee chat with Stefan Mai]])
    <!-- vaultlink:end -->

Everything outside the markers is the user's and is never touched; a hub without markers gets the
block appended at its end; rendering the same facts again gives the same bytes, so an unchanged
block is never rewritten. Names become file names through :func:`safe_filename`, which cannot
produce a path that leaves its folder or a name Windows or macOS refuse.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import operator
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

import yaml  # type: ignore[import-untyped,unused-ignore]

from vaultlink.extract import find_hub
from vaultlink.markdown import link_text_position
from vaultlink.model import Entity, EntityType, ParsedNote, Span, SpanKind, fold

BLOCK_START = "<!-- vaultlink:start -->"
BLOCK_END = "<!-- vaultlink:end -->"

DEFAULT_FOLDERS: Mapping[EntityType, str] = {
    EntityType.PERSON: "People",
    EntityType.COMPANY: "Companies",
    EntityType.TOPIC: "Topics",
}
MAX_NAME_BYTES = 120  # well under the 255-byte limit of common file systems, with room for " 2.md"
SNIPPET_CHARS = 140
ADVICE_CHARS = 280
# Characters no file name may hold on Windows or macOS, plus those that break an Obsidian link.
_UNSAFE_NAME = re.compile(r'[<>:"/\\|?*#^\[\]\x00-\x1f\x7f]')
_RESERVED = frozenset(
    ["con", "prn", "aux", "nul"] + [f"com{i}" for i in range(1, 10)] + [f"lpt{i}" for i in range(1, 10)]
)
# Backslash-escaped in snippets so a quoted line cannot open a link, emphasis, math, a comment or HTML.
_MARKUP = re.compile(r"([\\`*_\[\]<>|$~=^%#])")
# Text read through a prose mask has a space where link syntax was ("at Amazon ,"): tidy it.
# Every branch starts with the space itself, so the engine skips ahead to spaces.
_LOOSE_SPACE = re.compile(r" (?:(?=[,.;:!?)\]}]|['\u2019]s\b)|(?<=[(\[{] ))")
_START = operator.attrgetter("start")
_LEADING_MARKERS = re.compile(r"^[ \t]*(?:>[ \t]*)*(?:(?:[-*+•]|\d+[.)])[ \t]+)?(?:\[[ xX]\][ \t]+)?")


@dataclass(frozen=True, slots=True)
class HubMention:
    """One note that mentions an entity, as its hub lists it."""

    note: str  # vault path of the mentioning note
    link: str  # the link to it, already written in the vault's link style
    date: str | None
    snippet: str


@dataclass(frozen=True, slots=True)
class HubAdvice:
    """One piece of advice, as a hub lists it under a group (a topic, or a person)."""

    group: str
    text: str
    question: str | None
    link: str  # link to the note the advice came from
    date: str | None
    note: str
    line: int


def hub_type_of(parsed: ParsedNote, folders: Mapping[str, EntityType] | None = None) -> EntityType | None:
    """The entity type a note is the hub of, by extraction's one rule (``type:`` property, hub
    folder, tag); ``folders`` maps folded folder names to types (default: the usual ones)."""
    hub = find_hub(parsed, folders)
    return hub.type if hub is not None else None


def entities_from_hubs(
    notes: Iterable[ParsedNote], folders: Mapping[str, EntityType] | None = None
) -> tuple[Entity, ...]:
    """An entity for every hub note (named after the note, with its aliases), sorted by path.

    Extraction knows more; this keeps linking useful for vaults whose entities come only from
    hub notes, and lets :func:`merge_entities` attach hubs that extraction did not.
    """
    out: list[Entity] = []
    for parsed in sorted(notes, key=lambda p: p.path):
        kind = hub_type_of(parsed, folders)
        if kind is None:
            continue
        out.append(Entity(f"{kind.value}:{slug(parsed.name)}", kind, parsed.name, parsed.aliases, parsed.path))
    return tuple(out)


def merge_entities(extracted: Sequence[Entity], from_hubs: Sequence[Entity]) -> tuple[Entity, ...]:
    """Extraction's entities, each with its hub when it has none, plus hubs no entity claims.

    A hub belongs to an extracted entity that names it as its note, or else to one of the same
    type whose name (or an alias) folds to the hub's name.
    """
    claimed = {entity.note for entity in extracted if entity.note}
    by_key: dict[tuple[EntityType, str], Entity] = {}
    for hub in from_hubs:
        if hub.note not in claimed:
            by_key.setdefault((hub.type, fold(hub.name)), hub)
    out: list[Entity] = []
    used: set[str] = set()
    for entity in extracted:
        if entity.note is None:
            for surface in (entity.name, *entity.aliases):
                found = by_key.get((entity.type, fold(surface)))
                if found is not None and found.note is not None and found.note not in used:
                    used.add(found.note)
                    aliases = tuple(dict.fromkeys((*entity.aliases, *found.aliases)))
                    entity = Entity(entity.id, entity.type, entity.name, aliases, found.note, entity.mentions)
                    break
        out.append(entity)
    ids = {entity.id for entity in out}
    for hub in from_hubs:
        if hub.note in claimed or hub.note in used or hub.id in ids:
            continue
        out.append(hub)
        ids.add(hub.id)
    return tuple(out)


def slug(text: str) -> str:
    """``Stefan Mai`` -> ``stefan-mai``; letters of any script are kept."""
    return re.sub(r"[^\w]+", "-", fold(text)).strip("-") or "x"


def safe_filename(name: str) -> str:
    """A file name (without ``.md``) for an entity name that every common file system accepts.

    Characters Windows, macOS or Obsidian links refuse (``<>:"/\\|?*#^[]`` and control
    characters) become spaces; leading dots and spaces and trailing dots and spaces go, so
    ``../../x`` becomes ``x`` and no name is hidden; Windows device names (CON, NUL, COM1…,
    also with an extension) get a trailing ``_``; the UTF-8 length is capped. Never empty.
    """
    text = unicodedata.normalize("NFC", name)
    text = _UNSAFE_NAME.sub(" ", text)
    text = " ".join(text.split())
    text = text.lstrip(". ").rstrip(". ")
    encoded = text.encode("utf-8")
    if len(encoded) > MAX_NAME_BYTES:
        text = encoded[:MAX_NAME_BYTES].decode("utf-8", "ignore").rstrip(". ")
    if not text:
        return "Untitled"
    if text.partition(".")[0].strip().casefold() in _RESERVED:
        text += "_"
    return text


def hub_path(entity: Entity, taken: Iterable[str], folders: Mapping[EntityType, str] = DEFAULT_FOLDERS) -> str:
    """Where a new hub for ``entity`` goes: ``People/Stefan Mai.md``, never over a taken path.

    ``taken`` holds vault paths already in use; they are compared case-insensitively because
    macOS and Windows do. A clash gets `` 2``, `` 3``… before ``.md``.
    """
    folder = folders[entity.type].strip("/")
    used = {fold(path) for path in taken}
    base = safe_filename(entity.name)
    candidate = f"{folder}/{base}.md" if folder else f"{base}.md"
    number = 2
    while fold(candidate) in used:
        candidate = f"{folder}/{base} {number}.md" if folder else f"{base} {number}.md"
        number += 1
    return candidate


def find_block(text: str, protected: Sequence[Span] = ()) -> tuple[int, int] | None:
    """Where the managed block sits: ``(start of the start marker, end of the end marker)``.

    Markers inside code blocks or inline code do not count (a note may document vaultlink).
    A start marker with no end marker after it means there is no block.
    """
    code = [s for s in protected if s.kind in (SpanKind.CODE_BLOCK, SpanKind.INDENTED_CODE, SpanKind.INLINE_CODE)]
    pos = 0
    while True:
        start = text.find(BLOCK_START, pos)
        if start < 0:
            return None
        if not _inside(code, start):
            break
        pos = start + len(BLOCK_START)
    pos = start + len(BLOCK_START)
    while True:
        end = text.find(BLOCK_END, pos)
        if end < 0:
            return None
        if not _inside(code, end):
            return start, end + len(BLOCK_END)
        pos = end + len(BLOCK_END)


def _has_marker(text: str, protected: Sequence[Span], marker: str) -> bool:
    code = [s for s in protected if s.kind in (SpanKind.CODE_BLOCK, SpanKind.INDENTED_CODE, SpanKind.INLINE_CODE)]
    pos = text.find(marker)
    while pos >= 0:
        if not _inside(code, pos):
            return True
        pos = text.find(marker, pos + 1)
    return False


def _inside(spans: Sequence[Span], offset: int) -> bool:
    return any(span.start <= offset < span.end for span in spans)


def render_block(
    mentions: Sequence[HubMention],
    advice: Sequence[HubAdvice] = (),
    newline: str = "\n",
) -> str:
    """The managed block, markers included: mentions newest first, then advice by group.

    Deterministic: mentions sort by date (newest first, undated last) then path; advice groups
    sort by name and items by date (newest first), note and line.
    """
    return render_rows(
        [(m.note, m.date or "", mention_line(m.link, m.date, m.snippet)) for m in mentions],
        [(a.group, a.date or "", a.note, a.line, advice_line(a.question, a.text, a.link)) for a in advice],
        newline,
    )


def mention_line(link: str, date: str | None, snippet: str) -> str:
    """A mention as its hub lists it: ``- [[link]] · date · snippet`` (absent parts left out)."""
    if date:
        return f"- {link} · {date} · {snippet}" if snippet else f"- {link} · {date}"
    return f"- {link} · {snippet}" if snippet else f"- {link}"


def advice_line(question: str | None, text: str, link: str) -> str:
    """An advice item as its hub lists it: the question in italics, the answer, its note's link."""
    return advice_row(advice_text(question, text), link)


def advice_row(shown: str, link: str) -> str:
    """:func:`advice_line` from the item's :func:`advice_text`."""
    return f"- {shown} ({link})"


_ROW_NOTE = operator.itemgetter(0)
_ROW_DATE = operator.itemgetter(1)
_ADVICE_PLACE = operator.itemgetter(2, 3)


def render_rows(
    mentions: Sequence[tuple[str, str, str]],
    advice: Sequence[tuple[str, str, str, int, str]] = (),
    newline: str = "\n",
) -> str:
    """:func:`render_block` from lines already written: mentions as ``(note, date or "", line)``
    (:func:`mention_line`), advice as ``(group, date or "", note, line number, line)``
    (:func:`advice_line`). Rows that tie keep the order given."""
    lines = [BLOCK_START, "## Mentioned in", ""]
    ordered = sorted(mentions, key=_ROW_NOTE)
    ordered.sort(key=_ROW_DATE, reverse=True)
    if not ordered:
        lines.append("_No notes mention this yet._")
    lines.extend(row[2] for row in ordered)
    if advice:
        lines += ["", "## Advice"]
        groups: dict[str, list[tuple[str, str, str, int, str]]] = defaultdict(list)
        for row in advice:
            groups[row[0]].append(row)
        for group in sorted(groups, key=lambda g: (g == "Other", fold(g), g)):
            lines += ["", f"### {group}", ""]
            items = sorted(groups[group], key=_ADVICE_PLACE)
            items.sort(key=_ROW_DATE, reverse=True)
            lines.extend(row[4] for row in items)
    lines.append(BLOCK_END)
    return newline.join(lines)


def block_edit(text: str, parsed: ParsedNote, block: str) -> tuple[int, int, str] | None:
    """The edit that puts ``block`` into the hub ``text``: ``(start, end, new text)``, or None.

    Only the inside of existing markers is replaced; without markers the block is appended at
    the end, after a blank line (in the note's own line ending). None when nothing changes (or
    only spacing does), and None when a start marker has no end marker: then which text is
    vaultlink's is unclear, and the note is left alone.
    """
    found = find_block(text, parsed.protected)
    if found is None and _has_marker(text, parsed.protected, BLOCK_START):
        return None  # a start marker with no end: which text is ours is unclear, so touch nothing
    if found is not None:
        start, end = found
        if _squash(text[start:end]) == _squash(block):
            return None  # only spacing differs: not worth a write, and keeps runs stable
        return start, end, block
    newline = newline_of(text)
    if not text:
        return 0, 0, block + newline
    if text.endswith(newline + newline) or text.endswith("\n\n"):
        lead = ""
    elif text.endswith("\n"):
        lead = newline
    else:
        lead = newline + newline
    return len(text), len(text), lead + block + newline


def _squash(text: str) -> str:
    return "".join(text.split())


def newline_of(text: str) -> str:
    """The line ending a note uses: ``\\r\\n`` when its first line ends so, else ``\\n``."""
    first = text.find("\n")
    return "\r\n" if first > 0 and text[first - 1] == "\r" else "\n"


def new_hub_text(entity: Entity, block: str, company_link: str | None = None) -> str:
    """The text of a new hub note: front matter (``type``, ``aliases``, a person's ``company``),
    a title heading, and the managed block. Values are YAML-quoted as needed, never injected."""
    meta: dict[str, object] = {"type": entity.type.value}
    aliases = [a for a in dict.fromkeys(entity.aliases) if fold(a) != fold(entity.name)]
    if aliases:
        meta["aliases"] = aliases
    if entity.type is EntityType.PERSON and company_link:
        meta["company"] = company_link
    front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, default_flow_style=False, width=10_000)
    title = " ".join(entity.name.split())
    return f"---\n{front}---\n# {title}\n\n{block}\n"


def readable_line(text: str, parsed: ParsedNote, line: int) -> str:
    """Line ``line`` (1-based) as a reader sees it: links become their shown text, embeds,
    tags, comments, HTML and URLs vanish, inline code keeps its content; whitespace collapsed.

    The same line gives the same result before and after vaultlink wraps a name in a link,
    which keeps hub blocks stable from one run to the next.
    """
    starts = parsed.line_starts
    if not 1 <= line <= len(starts):
        return ""
    start = starts[line - 1]
    end = starts[line] - 1 if line < len(starts) else len(text)
    parts: list[str] = []
    pos = start
    spans = parsed.protected
    first = max(0, bisect.bisect_right(spans, start, key=_START) - 1)
    for span in itertools.islice(spans, first, None):
        if span.start >= end:
            break
        if span.end <= start:
            continue
        s, e = max(span.start, start), min(span.end, end)
        parts.append(text[pos:s])
        chunk = text[span.start : span.end]
        if span.kind in (SpanKind.WIKILINK, SpanKind.MDLINK) and not chunk.startswith("!") and (s, e) == (
            span.start,
            span.end,
        ):
            parts.append(link_text_position(chunk)[1])
        elif span.kind is SpanKind.INLINE_CODE and (s, e) == (span.start, span.end):
            parts.append(chunk.strip("`"))
        else:
            parts.append(" ")
        pos = max(pos, e)
    parts.append(text[pos:end])
    out = "".join(parts)
    markers = _LEADING_MARKERS.match(out)  # every part of it is optional: it always matches
    return " ".join(out[markers.end() if markers else 0 :].split())


def lower_keep_length(text: str) -> str:
    """``text.lower()`` with the same length, so an offset found in it is an offset in ``text``.

    Only ``İ`` grows when lowered; it is left as it is (on both sides of any comparison).
    """
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(ch if ch == "\u0130" else ch.lower() for ch in text)


def needle_pattern(needles: Iterable[str]) -> re.Pattern[str] | None:
    """One pattern for the names an entity is written as: whole words, lower case, any spacing."""
    keys = sorted({lower_keep_length(" ".join(n.split())) for n in needles if n.strip()}, key=len, reverse=True)
    if not keys:
        return None
    return re.compile(rf"(?:{'|'.join(_needle(key) for key in keys)})(?!\w)")


def _needle(key: str) -> str:
    """One name of :func:`needle_pattern`: its words apart by any spaces or tabs, with no word
    character before it. That is checked after the first character, so every alternative starts
    with a plain character and the regex engine skips straight to where a name can start."""
    first = re.escape(key[0])
    return first + rf"(?<!\w{first})" + r"[ \t]+".join(re.escape(word) for word in key[1:].split(" "))


def quote_line(text: str, parsed: ParsedNote, line: int, pattern: re.Pattern[str] | None, limit: int = SNIPPET_CHARS) -> str:
    """A short quote of line ``line`` as a reader sees it, cut around the first name ``pattern``
    finds there (or from its start), with markup escaped."""
    return quote(readable_line(text, parsed, line), pattern, limit)


def quote(readable: str, pattern: re.Pattern[str] | None, limit: int = SNIPPET_CHARS) -> str:
    """``readable`` (a line from :func:`readable_line`) cut around the first name ``pattern``
    finds in it (or from its start), with markup escaped."""
    if len(readable) <= limit or pattern is None:  # it all fits: where the name is does not matter
        return escape_markup(_window(readable, 0, limit))
    found = pattern.search(lower_keep_length(readable))
    return escape_markup(_window(readable, found.start() if found else 0, limit))


def _window(text: str, at: int, limit: int) -> str:
    """At most ``limit`` characters of ``text`` around offset ``at``, cut at spaces, with ellipses."""
    if len(text) <= limit:
        return text
    start = max(0, at - limit // 3)
    if start > 0:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < at else start
    end = start + limit
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > at else end
    return ("…" if start > 0 else "") + text[start:end].strip() + ("…" if end < len(text) else "")


@functools.lru_cache(maxsize=1 << 16)
def advice_text(question: str | None, text: str) -> str:
    """An advice item as its hub shows it: the question in italics, then the answer, shortened."""
    asked = f"*{escape_markup(_shorten(question, SNIPPET_CHARS))}* " if question else ""
    return asked + escape_markup(_shorten(text, ADVICE_CHARS))


def _shorten(text: str | None, limit: int) -> str:
    flat = _LOOSE_SPACE.sub("", " ".join((text or "").split()))
    return _window(flat, 0, limit)


def escape_markup(text: str) -> str:
    """Backslash-escape what could turn quoted text into a link, tag, emphasis, math or HTML."""
    return _MARKUP.sub(r"\\\1", text) if _MARKUP.search(text) else text
