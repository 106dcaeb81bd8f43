"""The data that flows through vaultlink: frozen dataclasses and small enums, stdlib only.

Paths are always vault-relative POSIX strings (``People/Stefan Mai.md``); offsets are indices
into a note's decoded text (after any byte-order mark), so a span can be cut out of the text
and put back without touching anything else.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from enum import Enum
from typing import Any, Mapping, NamedTuple


class SpanKind(str, Enum):
    """Kinds of text that are not prose: never linked, and read by extraction only with care."""

    FRONTMATTER = "frontmatter"
    CODE_BLOCK = "code_block"
    INDENTED_CODE = "indented_code"
    INLINE_CODE = "inline_code"
    COMMENT = "comment"  # %% Obsidian comment %%
    HTML_COMMENT = "html_comment"
    HTML = "html"
    MATH = "math"
    URL = "url"
    WIKILINK = "wikilink"
    MDLINK = "mdlink"
    TAG = "tag"
    BLOCK_ID = "block_id"
    CALLOUT = "callout"  # the "> [!note] Title" header line
    FIELD = "field"  # Dataview inline field "key:: value"
    MANAGED = "managed"  # a block vaultlink keeps between <!-- vaultlink:start --> and :end


class LinkKind(str, Enum):
    WIKI = "wiki"
    MARKDOWN = "markdown"
    PROPERTY = "property"  # a "[[Note]]" quoted inside a front matter property


class Span(NamedTuple):
    """A stretch of a note that is not prose (see :class:`SpanKind`). This and the other parts of
    a parse (links, headings, sections) are named tuples, not dataclasses: a 10,000-note vault
    has 200,000 of them, which load from the cache about twice as fast and take less memory."""

    start: int
    end: int
    kind: SpanKind


class Link(NamedTuple):
    """One link as written. ``target`` is the link path without heading or block part."""

    target: str
    kind: LinkKind
    embed: bool
    line: int
    start: int
    end: int
    heading: str | None = None
    block: str | None = None
    display: str | None = None


class Heading(NamedTuple):
    level: int
    text: str
    line: int
    start: int  # offset of the first '#'
    end: int  # offset of the end of the line (before the line break)


class Section(NamedTuple):
    """A heading and the body under it, up to the next heading of any level."""

    heading: Heading | None
    start: int  # start of the body (the line after the heading)
    end: int


@dataclass(frozen=True)
class Issue:
    """A warning about one note (or the vault when ``path`` is None). Never fatal."""

    path: str | None
    kind: str
    message: str


@dataclass(frozen=True)
class Note:
    """A note as read from disk: decoded text and what identifies this version of it."""

    path: str
    text: str
    size: int
    mtime_ns: int
    sha256: str
    bom: bool = False


@dataclass(frozen=True)
class ParsedNote:
    """What the parser found in one note. Built from text alone; holds no reference to it."""

    path: str
    title: str
    metadata: Mapping[str, Any]
    frontmatter_end: int
    aliases: tuple[str, ...]
    tags: tuple[str, ...]
    date: str | None
    headings: tuple[Heading, ...]
    sections: tuple[Section, ...]
    links: tuple[Link, ...]
    protected: tuple[Span, ...]
    line_starts: tuple[int, ...]
    warnings: tuple[Issue, ...] = ()
    fields: Mapping[str, str] = field(default_factory=dict)
    """Dataview's inline fields (``company:: Stripe`` on a line of its own), keys as written."""

    @property
    def name(self) -> str:
        """The note's name as Obsidian links to it: the file name without ``.md``."""
        return stem_of(self.path)

    @property
    def folder(self) -> str:
        return self.path.rpartition("/")[0]


@lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """The key two spellings of one name share: NFC, case-folded, inner whitespace collapsed."""
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    return " ".join(text.casefold().split())


def stem_of(path: str) -> str:
    """``People/Stefan Mai.md`` -> ``Stefan Mai``; other extensions are kept."""
    name = path.rpartition("/")[2]
    return name[:-3] if name.lower().endswith(".md") else name


class EntityType(str, Enum):
    PERSON = "person"
    COMPANY = "company"
    TOPIC = "topic"


class Source(str, Enum):
    """Where a mention came from, strongest first."""

    TITLE = "title"
    FRONTMATTER = "frontmatter"
    LINK = "link"
    TAG = "tag"
    TEXT = "text"
    GAZETTEER = "gazetteer"


class RelationType(str, Enum):
    WORKS_AT = "works_at"
    WORKED_AT = "worked_at"
    TALKED_WITH = "talked_with"
    ADVISED_ON = "advised_on"
    INTRODUCED = "introduced"
    MENTIONS = "mentions"


ME = "me"


class Mention(NamedTuple):
    """One place an entity is named. A named tuple, not a dataclass: a 10,000-note vault has
    300,000 of them, and they load from the cache twice as fast this way."""

    note: str
    line: int
    text: str
    source: Source
    start: int = -1  # offset in the note's text, -1 when not in the body (a title, a property)
    end: int = -1


@dataclass(frozen=True)
class Entity:
    id: str
    type: EntityType
    name: str
    aliases: tuple[str, ...] = ()
    note: str | None = None
    mentions: tuple[Mention, ...] = ()


@dataclass(frozen=True)
class Relation:
    source: str
    target: str
    type: RelationType
    notes: tuple[str, ...] = ()
    date: str | None = None


@dataclass(frozen=True)
class Advice:
    note: str
    line: int
    person: str | None
    question: str | None
    text: str
    topics: tuple[str, ...] = ()
    date: str | None = None


@dataclass(frozen=True)
class NoteSummary:
    """A note as the vault index reports it."""

    path: str
    title: str
    date: str | None
    tags: tuple[str, ...]
    links: tuple[str, ...]
    unresolved: tuple[str, ...]
    participants: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    private: bool = False


@dataclass(frozen=True)
class LinkStats:
    wikilinks: int = 0
    markdown_links: int = 0
    embeds: int = 0
    property_links: int = 0
    resolved: int = 0
    unresolved: int = 0


@dataclass(frozen=True)
class VaultIndex:
    """Everything a scan learned about a vault. The input of graph, linker and reports."""

    root: str
    notes: tuple[NoteSummary, ...]
    attachments: tuple[str, ...]
    entities: tuple[Entity, ...]
    relations: tuple[Relation, ...]
    advice: tuple[Advice, ...]
    warnings: tuple[Issue, ...]
    link_stats: LinkStats = field(default_factory=LinkStats)
    settings: Mapping[str, Any] = field(default_factory=dict)

    def entity(self, entity_id: str) -> Entity | None:
        for entity in self.entities:
            if entity.id == entity_id:
                return entity
        return None
