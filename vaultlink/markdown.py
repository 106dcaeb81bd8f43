"""Parse one note: text in, :class:`ParsedNote` out. No I/O.

The parser finds the front matter, headings, sections, links, tags and the date, and one mask of
*protected spans*: the text that is not prose (code, comments, math, HTML, URLs, existing links,
tags, block ids, callout headers, Dataview fields). Extraction and linking both read this mask,
so a name inside a code block is never extracted and never linked.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import re
from typing import Any, Iterable, Iterator, Sequence
from urllib.parse import unquote

import yaml

from vaultlink.model import Heading, Issue, Link, LinkKind, ParsedNote, Section, Span, SpanKind, stem_of

try:  # libyaml is about ten times faster; python-frontmatter picks it the same way
    from yaml import CSafeLoader as _YamlLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _YamlLoader  # type: ignore[assignment]

_FRONTMATTER_OPEN = re.compile(r"---[ \t]*\r?\n")
# A table's delimiter row ("|---|:--:|"); a line holding it is one only with a bar in it too
TABLE_DELIMITER = re.compile(r"[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*\r?")
_SUBPATH = re.compile(r"[#^]")  # where a wikilink's path ends and its heading or block part starts
_FRONTMATTER_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.M)
_FENCE = re.compile(r"^((?:[ ]{0,3}>[ ]?)*)[ ]{0,3}(`{3,}|~{3,})([^\n]*)$", re.M)  # also in a quote or callout
_HEADING = re.compile(r"^[ ]{0,3}(#{1,6})(?:[ \t]+([^\r\n]*?))?[ \t]*\r?$", re.M)
_INDENTED = re.compile(r"^(?: {4}|\t)", re.M)
_LIST_ITEM = re.compile(r"^[ \t]*(?:[-*+•]|\d+[.)])[ \t]")

# One scanner for every inline construct; alternatives are tried left to right at each position,
# so inline code wins over a link written inside it, and a link wins over the URL inside it.
# Every alternative starts with a plain character and none is a named group: that lets the
# regex engine skip straight to the few characters that can start one (about 50x faster on
# prose than named alternatives). The kind is read back from the first characters of a match.
_INLINE_BASE = r"""
    ``[^\n]*?``|`[^`\n]+`
  | %%.*?(?:%%|\Z)
  | <!--.*?(?:-->|\Z)
  | <(?=/?[A-Za-z])/?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>
  | \$\$.+?\$\$
  | \$(?=[^\s$])[^$\n]*?[^\s$]\$(?!\d)|\$[^\s$]\$(?!\d)
  | !\[\[[^\[\]\n]*\]\]
  | \[\[[^\[\]\n]*\]\]
  | \#(?<![^\s(\[,;]\#)[^\s\#!@$%^&*()=+\[\]{}|\\;:'",.<>?`~]+
  | \^(?<=\s\^)[A-Za-z0-9-]+(?=[ \t]*\r?$)
  | >[ \t>]*\[![^\[\]\n]+\][+-]?[^\n]*
"""
_INLINE_MDLINK = r"""
  | !\[[^\[\]\n]*\]\((?:<[^>\n]*>|[^()\s]*(?:\([^()\s]*\)[^()\s]*)*)(?:[ \t]+"[^"\n]*")?\)
  | \[[^\[\]\n]*\]\((?:<[^>\n]*>|[^()\s]*(?:\([^()\s]*\)[^()\s]*)*)(?:[ \t]+"[^"\n]*")?\)
"""
_INLINE_URL = r"""
  | h(?<!\wh)ttps?://[^\s<>\[\]"'`]+
  | f(?<!\wf)(?:tp|ile)://[^\s<>\[\]"'`]+
  | o(?<!\wo)bsidian://[^\s<>\[\]"'`]+
  | m(?<!\wm)ailto:[^\s<>\[\]"'`]+
  | w(?<!\ww)ww\.[^\s<>\[\]"'`]+
"""
_INLINE = {
    (md, url): re.compile(
        _INLINE_BASE + (_INLINE_MDLINK if md else "") + (_INLINE_URL if url else ""), re.X | re.M | re.S
    )
    for md in (False, True)
    for url in (False, True)
}
_LINE_FIELD_KEY = r"^[ \t]*(?:[-*+][ \t]+)?(?P<key>[^\W\d][\w \t./-]{0,60}?)[ \t]*::"  # "- company::"
_FIELD = re.compile(rf"{_LINE_FIELD_KEY}[^\n]*|[\[(][^\W\d][\w .-]{{0,60}}::[^\])\n]*[\])]", re.M)
_TRIGGERS = ("`", "%%", "<", "$", "![", "[", "#", "^", ">", "www.")
_URL_TRAILING = ".,;:!?*_~'\""
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_PROPERTY_LINK = re.compile(r"\[\[([^\[\]\n]+)\]\]")
_NUMERIC_TAG = re.compile(r"^[\d/_-]*$")

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})[-_.](\d{1,2})[-_.](\d{1,2})(?!\d)")
_COMPACT_DATE = re.compile(r"(?<!\d)(20\d{2}|19\d{2})(\d{2})(\d{2})(?!\d)")
_TEXT_DATES = re.compile(
    rf"""
    (?P<iso>(?<!\d)\d{{4}}-\d{{1,2}}-\d{{1,2}}(?!\d))
  | (?P<mdy>\b(?:{_MONTH_RE})\.?[ \t]+\d{{1,2}}(?:st|nd|rd|th)?,?[ \t]+\d{{4}}\b)
  | (?P<dmy>\b\d{{1,2}}(?:st|nd|rd|th)?[ \t]+(?:of[ \t]+)?(?:{_MONTH_RE})\.?,?[ \t]+\d{{4}}\b)
  | (?P<slash>(?<![\d/])\d{{1,2}}/\d{{1,2}}/(?:\d{{4}}|\d{{2}})(?![\d/]))
    """,
    re.X | re.I,
)
_DIGIT = re.compile(r"\d")
_DATE_KEYS = ("date", "Date", "created", "Created", "day", "meeting_date")


def parse_note(path: str, text: str) -> ParsedNote:
    """Parse ``text`` (decoded, without a byte-order mark) of the note at vault-relative ``path``.

    Never raises on content: invalid YAML becomes a warning and an empty mapping, an unclosed
    fence runs to the end of the note, an unclosed ``%%`` comment to the end of its segment.
    """
    warnings: list[Issue] = []
    fm_end, metadata = _read_frontmatter(path, text, warnings)
    line_starts = _line_starts(text)
    regions = _block_regions(text, fm_end)
    protected: list[Span] = []
    if fm_end:
        protected.append(Span(0, fm_end, SpanKind.FRONTMATTER))
    links: list[Link] = []
    inline_tags: list[str] = []
    headings: list[Heading] = []
    for seg_start, seg_end in _gaps(regions, fm_end, len(text)):
        _scan_inline(text, seg_start, seg_end, line_starts, protected, links, inline_tags)
        headings.extend(_find_headings(text, seg_start, seg_end, line_starts))
    protected.extend(regions)
    protected.sort(key=lambda span: span.start)
    if MANAGED_START in text:
        protected = _with_managed_blocks(text, protected)
    links.extend(_property_links(metadata))
    # A "# line" inside a multi-line %% comment, <!-- comment --> or $$ math $$ is not a heading.
    headings = sorted((h for h in headings if not is_protected(protected, h.start, h.start + 1)), key=lambda h: h.start)
    fields = _inline_fields(text, fm_end, protected) if "::" in text else {}
    return ParsedNote(
        path=path,
        title=_title(path, metadata),
        metadata=metadata,
        frontmatter_end=fm_end,
        aliases=as_string_list(metadata.get("aliases", metadata.get("alias"))),
        tags=_unique(
            [t.lstrip("#") for t in as_string_list(metadata.get("tags", metadata.get("tag")), split_commas=True)]
            + inline_tags
        ),
        date=_note_date(path, {**fields, **metadata} if fields else metadata, text, protected, fm_end),
        headings=tuple(headings),
        sections=_sections(headings, fm_end, len(text), line_starts),
        links=tuple(links),
        protected=tuple(protected),
        line_starts=tuple(line_starts),
        warnings=tuple(warnings),
        fields=fields,
    )


# Dataview's inline field: "company:: Stripe" on a line of its own (a list item too)
_INLINE_FIELD = re.compile(rf"{_LINE_FIELD_KEY}[ \t]*(?P<value>\S[^\n]*?)[ \t\r]*$", re.M)  # the same line, read


def _inline_fields(text: str, start: int, protected: Sequence[Span]) -> dict[str, str]:
    """The note's inline fields on lines of their own, the first value of each key: those the
    scan protected as fields, so none in code, comments or front matter."""
    fields: dict[str, str] = {}
    starts = [span.start for span in protected]
    for match in _INLINE_FIELD.finditer(text, start):
        key = match.group("key")
        index = bisect.bisect_right(starts, match.start("key")) - 1
        if key not in fields and index >= 0 and protected[index].kind is SpanKind.FIELD and protected[index].end > match.start("key"):
            fields[key] = match.group("value")
    return fields


MANAGED_START = "<!-- vaultlink:start -->"
MANAGED_END = "<!-- vaultlink:end -->"


def _with_managed_blocks(text: str, protected: list[Span]) -> list[Span]:
    """vaultlink's own managed blocks (the lists in hub notes) become one protected span each:
    what vaultlink wrote is neither extracted again nor linked. Links inside still count."""
    blocks = []
    pos = text.find(MANAGED_START)
    while pos >= 0:
        end = text.find(MANAGED_END, pos)
        end = len(text) if end < 0 else end + len(MANAGED_END)
        blocks.append(Span(pos, end, SpanKind.MANAGED))
        pos = text.find(MANAGED_START, end)
    kept = [span for span in protected if not any(b.start <= span.start < b.end for b in blocks)]
    return sorted(kept + blocks, key=lambda span: span.start)


def line_of(line_starts: tuple[int, ...] | list[int], offset: int) -> int:
    """The 1-based line number of ``offset``."""
    return bisect.bisect_right(line_starts, offset)


def as_string_list(value: Any, split_commas: bool = False) -> tuple[str, ...]:
    """Normalise a front matter value that may be a list, a string or empty into clean strings.

    ``None``, empty strings and empty list items are dropped; numbers become strings; a string
    with ``split_commas`` (tags are often written ``tags: a, b``) is split on commas and spaces.
    """
    if value is None:
        return ()
    items: Iterable[Any] = value if isinstance(value, (list, tuple, set)) else [value]
    out: list[str] = []
    for item in items:
        if item is None or isinstance(item, (dict, list)):
            continue
        text = str(item).strip()
        if not text:
            continue
        if split_commas:
            out.extend(part for part in re.split(r"[,\s]+", text) if part)
        else:
            out.append(text)
    return tuple(_unique(out))


def is_protected(spans: tuple[Span, ...] | list[Span], start: int, end: int) -> bool:
    """Whether ``[start, end)`` touches any protected span (spans sorted by start, disjoint)."""
    index = bisect.bisect_right(spans, start, key=lambda s: s.start) - 1  # type: ignore[call-arg]
    if index >= 0 and spans[index].end > start:
        return True
    index += 1
    return index < len(spans) and spans[index].start < end


def prose_mask(text: str, spans: Iterable[Span], keep_link_text: bool = True) -> str:
    """``text`` with every protected span blanked to spaces (line breaks kept), same length.

    With ``keep_link_text`` the shown text of a wikilink or markdown link stays readable at its
    own offset, so "I met [[Stefan Mai]] at Amazon" still reads as a sentence.
    """
    parts: list[str] = []
    pos = 0
    for span in spans:
        if span.start < pos:
            continue
        parts.append(text[pos : span.start])
        chunk = text[span.start : span.end]
        blank = _blank(chunk)
        if keep_link_text and span.kind in (SpanKind.WIKILINK, SpanKind.MDLINK) and not chunk.startswith("!"):
            offset, shown = link_text_position(chunk)
            blank = blank[:offset] + shown + blank[offset + len(shown) :]
        parts.append(blank)
        pos = span.end
    parts.append(text[pos:])
    return "".join(parts)


def link_text_position(chunk: str) -> tuple[int, str]:
    """Where the shown text sits inside a link as written, and that text.

    ``[[Stefan Mai|Stefan]]`` shows ``Stefan`` at offset 13; ``[[People/Stefan Mai#Bio]]``
    shows the link path; ``[Stefan](Stefan%20Mai.md)`` shows ``Stefan`` at offset 1.
    """
    if chunk.startswith("[["):
        inner = chunk[2:-2]
        bar = _split_alias(inner)
        if bar >= 0:
            start = bar + (2 if inner[bar] == "\\" else 1)
            return 2 + start, inner[start:]
        target = _SUBPATH.split(inner, maxsplit=1)[0]
        return 2, target
    close = chunk.find("](")
    return 1, chunk[1:close]


def _blank(chunk: str) -> str:
    if "\n" not in chunk and "\r" not in chunk:  # a span may end in the "\r" of a CRLF line
        return " " * len(chunk)
    return re.sub(r"[^\r\n]", " ", chunk)


def _read_frontmatter(path: str, text: str, warnings: list[Issue]) -> tuple[int, dict[str, Any]]:
    if not text.startswith("---"):
        return 0, {}
    opening = _FRONTMATTER_OPEN.match(text)
    if not opening:
        return 0, {}
    closing = _FRONTMATTER_CLOSE.search(text, opening.end())
    if not closing:
        return 0, {}
    raw = text[opening.end() : closing.start()]
    end = closing.end()
    if not raw.strip():
        return end, {}
    try:
        loaded = yaml.load(raw, Loader=_YamlLoader)
    except yaml.YAMLError as error:
        where = getattr(error, "problem_mark", None)
        line = f" (line {where.line + 2})" if where is not None else ""
        reason = getattr(error, "problem", None) or "not valid YAML"
        warnings.append(
            Issue(path, "invalid-yaml", f"{path}: front matter is not valid YAML{line}: {reason}; read as empty")
        )
        return end, {}
    except (ValueError, TypeError, OverflowError, RecursionError) as error:  # e.g. a timestamp out of range
        warnings.append(Issue(path, "invalid-yaml", f"{path}: front matter could not be read: {error}; read as empty"))
        return end, {}
    if not isinstance(loaded, dict):
        warnings.append(
            Issue(path, "invalid-yaml", f"{path}: front matter is not a mapping of properties; read as empty")
        )
        return end, {}
    if "*" in raw and _is_endless(loaded):
        message = f"{path}: front matter aliases (*name) repeat without end; read as empty"
        warnings.append(Issue(path, "invalid-yaml", message))
        return end, {}
    try:
        return end, {str(key): _plain(value) for key, value in loaded.items()}
    except RecursionError:
        warnings.append(Issue(path, "invalid-yaml", f"{path}: front matter nests too deep; read as empty"))
        return end, {}


def _is_endless(value: Any, limit: int = 100_000) -> bool:
    """Whether YAML aliases make ``value`` cyclic (``&a [*a]``) or huge (a "billion laughs")."""
    stack = [value]
    for _ in range(limit):
        if not stack:
            return False
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple, set)):
            stack.extend(item)
    return bool(stack)


def _plain(value: Any) -> Any:
    """YAML values made JSON-safe: dates become ISO strings, keys strings, sets lists."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10] if not isinstance(value, dt.datetime) else value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_plain(v) for v in value]
    if isinstance(value, float) and value != value:  # NaN is not JSON
        return None
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def _line_starts(text: str) -> list[int]:
    return list(itertools.accumulate((len(line) + 1 for line in text.split("\n")[:-1]), initial=0))


def _block_regions(text: str, fm_end: int) -> list[Span]:
    """Fenced and indented code blocks, in order, disjoint."""
    regions: list[Span] = []
    if "```" in text or "~~~" in text:
        pos = fm_end
        while True:
            opening = _FENCE.search(text, pos)
            if not opening:
                break
            quote, fence, info = opening.groups()
            if fence[0] == "`" and "`" in info:
                pos = opening.end()  # a backtick fence's info string may not hold a backtick
                continue
            if quote:
                end = _quoted_fence_end(text, opening.end(), quote.count(">"), fence)
            else:
                closing_re = re.compile(rf"^[ ]{{0,3}}{re.escape(fence[0])}{{{len(fence)},}}[ \t]*\r?$", re.M)
                closing = closing_re.search(text, opening.end())
                end = len(text) if closing is None else closing.end()
            regions.append(Span(opening.start(), end, SpanKind.CODE_BLOCK))
            pos = end
    if "    " in text or "\t" in text:
        regions = _merge_indented(text, fm_end, regions)
    return regions


def _quoted_fence_end(text: str, pos: int, depth: int, fence: str) -> int:
    """The end of a fence opened in a blockquote or callout (its line ends at ``pos``).

    It closes at a closing fence in the same quote, or where the quote ends: a code block
    never runs past its blockquote.
    """
    prefix = re.compile(rf"(?:[ ]{{0,3}}>[ ]?){{{depth}}}")
    closing = re.compile(rf"[ ]{{0,3}}{re.escape(fence[0])}{{{len(fence)},}}[ \t]*\r?$")
    end = pos
    while end < len(text):
        line_start = end + 1
        line_end = text.find("\n", line_start)
        line_end = len(text) if line_end < 0 else line_end
        quoted = prefix.match(text, line_start, line_end)
        if quoted is None:
            return end
        if closing.match(text, quoted.end(), line_end):
            return line_end
        end = line_end
    return end


def _merge_indented(text: str, fm_end: int, fences: list[Span]) -> list[Span]:
    """Add indented code blocks: indented lines after a blank line that do not continue a list."""
    out = list(fences)
    lines = text[fm_end:].split("\n")
    offset = fm_end
    previous_blank = True
    context_is_list = False
    block_start = -1
    block_end = -1
    fence_starts = {span.start: span.end for span in fences}
    skip_until = -1
    for line in lines:
        line_end = offset + len(line)
        if offset < skip_until:
            offset = line_end + 1
            continue
        if offset in fence_starts:
            skip_until = fence_starts[offset]
            if block_start >= 0:
                out.append(Span(block_start, block_end, SpanKind.INDENTED_CODE))
                block_start = -1
            offset = line_end + 1
            previous_blank = False
            continue
        stripped = line.strip()
        if not stripped:
            previous_blank = True
            offset = line_end + 1
            continue
        indented = line.startswith("    ") or line.startswith("\t")
        if indented and (block_start >= 0 or (previous_blank and not context_is_list)):
            if block_start < 0:
                block_start = offset
            block_end = line_end
        else:
            if block_start >= 0:
                out.append(Span(block_start, block_end, SpanKind.INDENTED_CODE))
                block_start = -1
            if not indented:
                context_is_list = bool(_LIST_ITEM.match(line))
        previous_blank = False
        offset = line_end + 1
    if block_start >= 0:
        out.append(Span(block_start, block_end, SpanKind.INDENTED_CODE))
    out.sort(key=lambda span: span.start)
    return out


def _gaps(regions: list[Span], start: int, end: int) -> Iterator[tuple[int, int]]:
    pos = start
    for region in regions:
        if region.start > pos:
            yield pos, region.start
        pos = max(pos, region.end)
    if pos < end:
        yield pos, end


def _scan_inline(
    text: str,
    start: int,
    end: int,
    line_starts: list[int],
    protected: list[Span],
    links: list[Link],
    tags: list[str],
) -> None:
    segment = text[start:end]
    scanner = _INLINE[("](" in segment, "://" in segment or "www." in segment or "mailto:" in segment)]
    found = _inline_spans(scanner, text, start, end, line_starts, links, tags)
    if "::" in segment:
        found = _add_fields(text, start, end, found)
    protected.extend(found)


def _inline_spans(
    scanner: re.Pattern[str],
    text: str,
    start: int,
    end: int,
    line_starts: list[int],
    links: list[Link],
    tags: list[str],
) -> list[Span]:
    found: list[Span] = []
    for match in _scan(scanner, text, start, end):
        m_start, m_end = match.span()
        kind = _inline_kind(text, m_start)
        if kind is SpanKind.URL:
            while m_end > m_start and (
                text[m_end - 1] in _URL_TRAILING
                or text[m_end - 1] == ")" and text.count("(", m_start, m_end) < text.count(")", m_start, m_end)
            ):
                m_end -= 1
        elif kind is SpanKind.TAG:
            tag = text[m_start + 1 : m_end]
            if _NUMERIC_TAG.match(tag):
                continue  # "#1" or "#2024" is not a tag in Obsidian
            tags.append(tag)
        elif kind is SpanKind.WIKILINK:
            link = _wikilink(text, m_start, m_end, line_starts)
            if link is None:
                continue
            links.append(link)
        elif kind is SpanKind.MDLINK:
            link = _mdlink(text, m_start, m_end, line_starts)
            if link is not None:
                links.append(link)
        elif kind is SpanKind.CALLOUT:
            # Obsidian renders links and tags in a callout's title: they count, the rest stays protected.
            title = text.index("]", m_start) + 1
            inner = _inline_spans(scanner, text, title, m_end, line_starts, links, tags)
            found.extend(_fill_gaps(m_start, m_end, inner, SpanKind.CALLOUT))
            continue
        found.append(Span(m_start, m_end, kind))
    return found


def _fill_gaps(start: int, end: int, inner: list[Span], kind: SpanKind) -> list[Span]:
    """``inner`` plus spans of ``kind`` over what it leaves uncovered of ``[start, end)``."""
    out: list[Span] = []
    pos = start
    for span in inner:
        if span.start > pos:
            out.append(Span(pos, span.start, kind))
        out.append(span)
        pos = span.end
    if pos < end:
        out.append(Span(pos, end, kind))
    return out


def _scan(scanner: re.Pattern[str], text: str, start: int, end: int) -> Iterator[re.Match[str]]:
    """``scanner.finditer`` over ``[start, end)``, but only tried where a construct can begin.

    ``str.find`` locates the few characters that can open one far faster than the regex engine
    steps through prose, and trying the scanner at each of them in order, skipping those inside
    the previous match, gives exactly the matches of ``finditer``.
    """
    candidates: set[int] = set()
    find = text.find
    for trigger in _TRIGGERS:
        pos = find(trigger, start, end)
        while pos >= 0:
            candidates.add(pos)
            pos = find(trigger, pos + 1, end)
    for marker in ("://", "mailto:"):
        pos = find(marker, start, end)
        while pos >= 0:
            scheme = pos
            while scheme > start and text[scheme - 1].isalpha():
                scheme -= 1
            candidates.add(scheme if marker == "://" else pos)
            pos = find(marker, pos + 1, end)
    cursor = start
    for pos in sorted(candidates):
        if pos < cursor:
            continue
        match = scanner.match(text, pos, end)
        if match is None or match.end() <= pos:
            continue
        if text[pos] == ">" and text[text.rfind("\n", 0, pos) + 1 : pos].strip(" \t>"):
            continue  # a '>' in the middle of a line opens no callout: what follows is read as usual
        cursor = match.end()
        yield match


def _inline_kind(text: str, start: int) -> SpanKind:
    first = text[start]
    if first == "`":
        return SpanKind.INLINE_CODE
    if first == "%":
        return SpanKind.COMMENT
    if first == "<":
        return SpanKind.HTML_COMMENT if text.startswith("<!--", start) else SpanKind.HTML
    if first == "$":
        return SpanKind.MATH
    if first == "#":
        return SpanKind.TAG
    if first == "^":
        return SpanKind.BLOCK_ID
    if first == ">":
        return SpanKind.CALLOUT
    if first == "!":
        return SpanKind.WIKILINK if text.startswith("![[", start) else SpanKind.MDLINK
    if first == "[":
        return SpanKind.WIKILINK if text.startswith("[[", start) else SpanKind.MDLINK
    return SpanKind.URL


def _add_fields(text: str, start: int, end: int, found: list[Span]) -> list[Span]:
    """Dataview inline fields, around what the scanner already found (``found``: sorted, disjoint).

    A link in ``company:: [[Acme]]`` stays a link; the key and the rest of the value are protected.
    """
    fields = [Span(m.start(), m.end(), SpanKind.FIELD) for m in _FIELD.finditer(text, start, end)]
    if not fields:
        return found
    kept: list[Span] = []
    first = 0
    for field in fields:
        while first < len(found) and found[first].end <= field.start:
            first += 1
        last = first
        while last < len(found) and found[last].start < field.end:
            last += 1
        for span in _fill_gaps(field.start, field.end, found[first:last], SpanKind.FIELD):
            if span.kind is SpanKind.FIELD and span.start < span.end:
                kept.append(span)
    return sorted(found + kept, key=lambda span: span.start)


def _split_alias(inner: str) -> int:
    """Index of the alias separator in a wikilink's inside (``|``, or ``\\|`` in a table)."""
    bar = inner.find("|")
    if bar > 0 and inner[bar - 1] == "\\":
        return bar - 1
    return bar


def _split_subpath(target: str) -> tuple[str, str | None, str | None]:
    path, hash_, sub = target.partition("#")
    if not hash_:
        return target.strip(), None, None
    sub = sub.strip()
    if sub.startswith("^"):
        return path.strip(), None, sub[1:]
    return path.strip(), sub.replace("#", " > ") if sub else None, None


def _wikilink(text: str, start: int, end: int, line_starts: list[int]) -> Link | None:
    embed = text[start] == "!"
    inner = text[start + (3 if embed else 2) : end - 2]
    bar = _split_alias(inner)
    display = None
    if bar >= 0:
        display = inner[bar + (2 if inner[bar] == "\\" else 1) :].strip() or None
        inner = inner[:bar]
    return _make_link(inner, LinkKind.WIKI, embed, display, start, end, line_starts)


def _mdlink(text: str, start: int, end: int, line_starts: list[int]) -> Link | None:
    embed = text[start] == "!"
    chunk = text[start:end]
    close = chunk.find("](")
    display = chunk[1 + embed : close] or None
    href = chunk[close + 2 : -1].strip()
    if href.endswith('"'):
        href = href[: href.find(' "')] if ' "' in href else href
    if href.startswith("<") and href.endswith(">"):
        href = href[1:-1]
    if not href or _SCHEME.match(href) or href.startswith("#") and len(href) == 1:
        return None
    return _make_link(unquote(href), LinkKind.MARKDOWN, embed, display, start, end, line_starts)


def _make_link(
    raw: str, kind: LinkKind, embed: bool, display: str | None, start: int, end: int, line_starts: list[int]
) -> Link | None:
    """A link from its written target (``Note#Heading``, ``Note#^block``); None when empty."""
    target, heading, block = _split_subpath(raw)
    if not target and heading is None and block is None:
        return None
    return Link(target, kind, embed, line_of(line_starts, start), start, end, heading, block, display)


def _property_links(metadata: dict[str, Any]) -> Iterator[Link]:
    for value in _walk_strings(metadata):
        if "[[" not in value:
            continue
        for match in _PROPERTY_LINK.finditer(value):
            inner = match.group(1)
            bar = _split_alias(inner)
            display = inner[bar + 1 :].strip() if bar >= 0 else None
            target, heading, block = _split_subpath(inner[:bar] if bar >= 0 else inner)
            if target:
                yield Link(target, LinkKind.PROPERTY, False, 0, -1, -1, heading, block, display)


def _walk_strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _walk_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk_strings(item)


def _find_headings(text: str, start: int, end: int, line_starts: list[int]) -> Iterator[Heading]:
    if "#" not in text[start:end]:
        return
    for match in _HEADING.finditer(text, start, end):
        body = (match.group(2) or "").rstrip()
        body = re.sub(r"[ \t]+#+$", "", body)
        h_end = match.end()
        if text[h_end - 1 : h_end] == "\r":
            h_end -= 1
        yield Heading(len(match.group(1)), body.strip(), line_of(line_starts, match.start()), match.start(), h_end)


def _sections(headings: list[Heading], fm_end: int, length: int, line_starts: list[int]) -> tuple[Section, ...]:
    sections: list[Section] = []
    first = headings[0].start if headings else length
    if first > fm_end:
        sections.append(Section(None, fm_end, first))
    for index, heading in enumerate(headings):
        # the next line's start, not heading.end + 1: that would be the "\n" of a "\r\n"
        body_start = line_starts[heading.line] if heading.line < len(line_starts) else length
        body_end = headings[index + 1].start if index + 1 < len(headings) else length
        sections.append(Section(heading, body_start, max(body_start, body_end)))
    return tuple(sections)


def _title(path: str, metadata: dict[str, Any]) -> str:
    title = metadata.get("title")
    if isinstance(title, str) and title.strip():
        return title.strip()
    return stem_of(path.rpartition("/")[2])


def _note_date(path: str, metadata: dict[str, Any], text: str, protected: list[Span], fm_end: int) -> str | None:
    for key in _DATE_KEYS:
        if key in metadata:
            found = parse_date(str(metadata[key])) if metadata[key] is not None else None
            if found:
                return found
    name = path.rpartition("/")[2]
    for pattern in (_ISO_DATE, _COMPACT_DATE):
        match = pattern.search(name)
        if match:
            found = _valid(int(match.group(1)), int(match.group(2)), int(match.group(3)))
            if found:
                return found
    return first_date_in(text, protected, fm_end)


def first_date_in(text: str, protected: list[Span] | tuple[Span, ...], start: int = 0) -> str | None:
    """The first date written in prose, as ``YYYY-MM-DD``; dates inside code or links don't count."""
    digit = _DIGIT.search(text, start)
    while digit is not None:
        line_start = text.rfind("\n", 0, digit.start()) + 1
        line_end = text.find("\n", digit.start())
        line_end = len(text) if line_end < 0 else line_end
        for match in _TEXT_DATES.finditer(text, max(line_start, start), line_end):
            if is_protected(protected, match.start(), match.end()):
                continue
            found = parse_date(match.group(0))
            if found:
                return found
        digit = _DIGIT.search(text, line_end)
    return None


def parse_date(value: str) -> str | None:
    """Read one written date ("2023-05-11", "May 11, 2023", "11 May 2023", "5/11/2023").

    Slashed dates are read month first, as most chat notes in English write them, unless the
    first number cannot be a month. A link to a daily note counts as its date ("[[2023-05-11]]").
    Returns ``YYYY-MM-DD`` or None.
    """
    value = value.strip()
    if value.startswith("[[") and value.endswith("]]"):
        value = value[2:-2].partition("|")[0].rpartition("/")[2].strip()
    match = _ISO_DATE.match(value)
    if match:
        return _valid(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    match = _TEXT_DATES.match(value)
    if not match:
        return None
    numbers = [int(n) for n in re.findall(r"\d+", value)]
    if match.lastgroup in ("mdy", "dmy"):
        month_word = re.search(_MONTH_RE, value, re.I)
        assert month_word is not None
        month = _MONTHS[month_word.group(0).lower()]
        day, year = numbers[0], numbers[-1]
        return _valid(year, month, day)
    if match.lastgroup == "slash":
        first, second, year = numbers
        if year < 100:
            year += 2000
        if first > 12 >= second:
            first, second = second, first
        return _valid(year, first, second)
    return None


def _valid(year: int, month: int, day: int) -> str | None:
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    seen: set[str] = set()
    out: list[str] = []
    for item in items:
        key = item.casefold()
        if key not in seen:
            seen.add(key)
            out.append(item)
    return tuple(out)
