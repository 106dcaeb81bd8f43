"""The vault as a typed graph, and the data of its exports. Pure: no disk, no clock, no print.

Nodes are keyed by stable ids: an entity's id (``person:stefan-mai``), ``note:<path>`` for a note
that is not an entity's hub note, and :data:`~vaultlink.model.ME` (``me``) for the vault's author.
A hub note (``People/Stefan Mai.md``) is drawn as its entity, never as a second node: links to and
from it attach to the entity.

Every node carries ``type``, ``label``, ``note`` (hub note path or ``""``), ``aliases``,
``mentions``, ``note_count``, ``first_date``/``last_date`` (the notes that mention it) and
``chats``, ``first_chat``/``last_chat`` (notes where the author talked with this person).
Every edge is keyed by its type in a :class:`networkx.MultiDiGraph` and carries ``type``,
``weight`` (supporting notes, or mentions in the note), ``notes`` (paths, sorted) and ``date``
(the latest dated supporting note). Missing values are ``""`` or ``0``, never ``None``.

Private notes (``private: true``) and notes carrying an excluded tag are removed first
(:func:`filter_index`), with every entity, relation and advice item that only they support.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections import defaultdict
from dataclasses import dataclass, replace
from enum import Enum
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping, Sequence


from vaultlink.model import ME, Advice, Entity, EntityType, NoteSummary, Relation, VaultIndex, stem_of

if TYPE_CHECKING:
    import networkx as nx


class NodeType(str, Enum):
    """What a node stands for; the page gives each a colour and a shape."""

    ME = "me"
    PERSON = "person"
    COMPANY = "company"
    TOPIC = "topic"
    NOTE = "note"


class EdgeType(str, Enum):
    """What an edge means. The first six are relation types; ``links_to`` is a link between notes."""

    WORKS_AT = "works_at"
    WORKED_AT = "worked_at"
    TALKED_WITH = "talked_with"
    ADVISED_ON = "advised_on"
    INTRODUCED = "introduced"
    MENTIONS = "mentions"
    LINKS_TO = "links_to"


class ExportFormat(str, Enum):
    """The file formats ``vaultlink graph`` writes; ``html`` is rendered by :mod:`vaultlink.render`."""

    HTML = "html"
    GRAPHML = "graphml"
    GEXF = "gexf"
    JSON = "json"
    CANVAS = "canvas"


NODE_ORDER = (NodeType.ME, NodeType.PERSON, NodeType.COMPANY, NodeType.TOPIC, NodeType.NOTE)
EDGE_ORDER = tuple(EdgeType)
NOTE_PREFIX = "note:"
LIST_SEPARATOR = "|"
"""Joins list attributes in GraphML and GEXF: Obsidian forbids ``|`` in note names."""

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ENTITY_NODE = {
    EntityType.PERSON: NodeType.PERSON,
    EntityType.COMPANY: NodeType.COMPANY,
    EntityType.TOPIC: NodeType.TOPIC,
}
_NODE_DEFAULTS: dict[str, Any] = {
    "type": "",
    "label": "",
    "note": "",
    "aliases": (),
    "mentions": 0,
    "note_count": 0,
    "first_date": "",
    "last_date": "",
    "chats": 0,
    "first_chat": "",
    "last_chat": "",
}


def vault_name(index: VaultIndex) -> str:
    """The vault's folder name, as Obsidian calls the vault in ``obsidian://`` links."""
    return index.root.replace("\\", "/").rstrip("/").rpartition("/")[2] or index.root


def note_node_id(path: str) -> str:
    """The node id of a note that is not a hub note: ``note:Chats/Coffee chat.md``."""
    return NOTE_PREFIX + path


def is_hidden_note(note: NoteSummary, exclude_tags: Iterable[str] = ()) -> bool:
    """True for a private note or one tagged with an excluded tag or a tag nested under it.

    Tags compare case-insensitively with any leading ``#`` dropped, so ``--exclude-tag
    Private`` hides ``#private`` and ``#private/health``.
    """
    if note.private:
        return True
    wanted = {_tag_key(tag) for tag in exclude_tags if _tag_key(tag)}
    if not wanted:
        return False
    for tag in note.tags:
        key = _tag_key(tag)
        if key in wanted or any(key.startswith(parent + "/") for parent in wanted):
            return True
    return False


def _tag_key(tag: str) -> str:
    return tag.strip().lstrip("#").strip("/").casefold()


def filter_index(index: VaultIndex, exclude_tags: Iterable[str] = ()) -> VaultIndex:
    """The index without private notes, excluded-tag notes and everything only they support.

    An entity stays when a visible note mentions it or is its hub note (an entity with no
    recorded source at all stays too); its mentions in hidden notes go, and a hidden hub note
    is forgotten. A relation whose notes are all hidden goes, as does one whose ends went.
    Advice from hidden notes goes. Links to hidden notes vanish from the remaining notes.
    Calling it again on its own result changes nothing.
    """
    exclude_tags = tuple(exclude_tags)
    hidden = {note.path for note in index.notes if is_hidden_note(note, exclude_tags)}
    if not hidden:
        return index
    notes = tuple(
        replace(note, links=tuple(link for link in note.links if link not in hidden))
        for note in index.notes
        if note.path not in hidden
    )
    entities: list[Entity] = []
    for entity in index.entities:
        support = {m.note for m in entity.mentions} | ({entity.note} if entity.note else set())
        if support and support <= hidden:
            continue
        entities.append(
            replace(
                entity,
                note=None if entity.note in hidden else entity.note,
                mentions=tuple(m for m in entity.mentions if m.note not in hidden),
            )
        )
    kept = {entity.id for entity in entities} | {ME}
    dropped = {entity.id for entity in index.entities} - kept
    relations: list[Relation] = []
    for relation in index.relations:
        ends = (relation.source, relation.target)
        if any(end in dropped or (end.startswith(NOTE_PREFIX) and end[len(NOTE_PREFIX) :] in hidden) for end in ends):
            continue
        if relation.notes:
            visible = tuple(path for path in relation.notes if path not in hidden)
            if not visible:
                continue
            relation = replace(relation, notes=visible)
        relations.append(relation)
    advice = tuple(
        replace(item, topics=tuple(t for t in item.topics if t not in dropped))
        for item in index.advice
        if item.note not in hidden
    )
    return replace(
        index,
        notes=notes,
        entities=tuple(entities),
        relations=tuple(relations),
        advice=advice,
        warnings=tuple(w for w in index.warnings if w.path not in hidden),
    )


class _Resolver:
    """Turns what extraction wrote (an entity id, a name or an alias) into an entity id."""

    def __init__(self, entities: Sequence[Entity]) -> None:
        self.ids = {entity.id for entity in entities}
        self.names: dict[tuple[EntityType, str], str] = {}
        for entity in sorted(entities, key=lambda e: e.id):
            for name in (entity.name, *entity.aliases):
                self.names.setdefault((entity.type, name.casefold()), entity.id)

    def resolve(self, ref: str | None, kind: EntityType) -> str | None:
        if not ref:
            return None
        if ref in self.ids or ref == ME:
            return ref
        return self.names.get((kind, ref.strip().casefold()))


@dataclass
class _EdgeDraft:
    notes: set[str]
    dates: set[str]
    weight: int = 0


def build_graph(index: VaultIndex, *, include_notes: bool = True, exclude_tags: Iterable[str] = ()) -> nx.MultiDiGraph:
    """The typed graph of a vault, private and excluded notes left out (see :func:`filter_index`).

    With ``include_notes=False`` only people, companies, topics and the author remain; notes
    still appear in edge ``notes`` attributes. Nodes and edges are added in a sorted order, so
    the same index always gives the same graph, node for node and edge for edge.
    """
    import networkx as nx

    index = filter_index(index, exclude_tags)
    resolver = _Resolver(index.entities)
    notes_by_path = {note.path: note for note in index.notes}
    note_dates = {path: _note_date(notes_by_path, path) for path in notes_by_path}
    hubs = {entity.note: entity.id for entity in index.entities if entity.note and entity.note in notes_by_path}

    def node_of(path: str) -> str | None:
        if path in hubs:
            return hubs[path]
        if include_notes and path in notes_by_path:
            return note_node_id(path)
        return None

    drafts: dict[tuple[str, str, EdgeType], _EdgeDraft] = {}

    def add(source: str, target: str, kind: EdgeType, notes: Iterable[str], date: str | None = None, weight: int = 0) -> None:
        if source == target:
            return
        key = (source, target, kind)
        draft = drafts.get(key)
        if draft is None:
            draft = drafts[key] = _EdgeDraft(set(), set())
        for path in notes:
            if path in note_dates:
                draft.notes.add(path)
        if date and _ISO_DATE.match(date):
            draft.dates.add(date[:10])
        draft.weight += weight

    def end_of(ref: str) -> str | None:
        return node_of(ref[len(NOTE_PREFIX) :]) if ref.startswith(NOTE_PREFIX) else ref

    for relation in index.relations:
        kind = EdgeType(relation.type.value)
        source, target = end_of(relation.source), end_of(relation.target)
        if source is None or target is None:
            continue
        if kind is EdgeType.TALKED_WITH and target == ME:
            source, target = target, source
        add(source, target, kind, relation.notes, relation.date)
    for note in index.notes:
        for ref in note.participants:
            person = resolver.resolve(ref, EntityType.PERSON)
            if person is not None and person != ME:
                add(ME, person, EdgeType.TALKED_WITH, (note.path,), note.date)
    advised: dict[tuple[str, str], set[str]] = defaultdict(set)
    for item in index.advice:
        person = resolver.resolve(item.person, EntityType.PERSON)
        if person is None or person == ME:
            continue
        for ref in item.topics:
            topic = resolver.resolve(ref, EntityType.TOPIC)
            if topic is not None:
                advised[(person, topic)].add(item.note)
    for (person, topic), paths in advised.items():
        add(person, topic, EdgeType.ADVISED_ON, paths)
    for entity in index.entities:  # the bulk of the edges: one per entity and note, no add() per mention
        counts: dict[str, int] = defaultdict(int)
        for mention in entity.mentions:
            counts[mention.note] += 1
        for path, count in counts.items():
            source = node_of(path)
            if source is None or source == entity.id:
                continue
            key = (source, entity.id, EdgeType.MENTIONS)
            draft = drafts.get(key)
            if draft is None:
                draft = drafts[key] = _EdgeDraft(set(), set())
            if path in note_dates:
                draft.notes.add(path)
            draft.weight += count
    for note in index.notes:
        source = node_of(note.path)
        if source is None:
            continue
        for link in note.links:
            target = node_of(link)
            if target is not None:
                add(source, target, EdgeType.LINKS_TO, (note.path,), None, 1)

    graph = nx.MultiDiGraph(vault=vault_name(index))
    endpoints = {end for key in drafts for end in key[:2]}
    if ME in endpoints:
        graph.add_node(ME, **{**_NODE_DEFAULTS, "type": NodeType.ME.value, "label": "Me"})
    for entity in sorted(index.entities, key=lambda e: (NODE_ORDER.index(_ENTITY_NODE[e.type]), e.id)):
        graph.add_node(entity.id, **_entity_attributes(entity, notes_by_path))
    if include_notes:
        for note in sorted(index.notes, key=lambda n: n.path):
            if note.path not in hubs:
                graph.add_node(note_node_id(note.path), **_note_attributes(note))
    backlinks: dict[str, int] = defaultdict(int)
    chat_notes: dict[str, set[str]] = defaultdict(set)
    chat_dates: dict[str, set[str]] = defaultdict(set)
    for (source, target, kind), draft in sorted(drafts.items(), key=_draft_order):
        if source not in graph or target not in graph:
            continue
        latest = max(max((note_dates[path] for path in draft.notes), default=""), max(draft.dates, default=""))
        graph.add_edge(
            source,
            target,
            key=kind.value,
            type=kind.value,
            weight=max(1, draft.weight or len(draft.notes)),
            notes=tuple(sorted(draft.notes)),
            date=latest,
        )
        if kind is EdgeType.LINKS_TO:
            backlinks[target] += 1
        elif kind is EdgeType.TALKED_WITH:
            for end in (source, target):
                if end != ME:
                    chat_notes[end] |= draft.notes
                    chat_dates[end] |= draft.dates
                    chat_dates[end].update(note_dates[path] for path in draft.notes if note_dates[path])
    for node in chat_notes:
        dates = sorted(chat_dates[node])
        graph.nodes[node].update(
            chats=len(chat_notes[node]) or max(1, len(dates)),
            first_chat=dates[0] if dates else "",
            last_chat=dates[-1] if dates else "",
        )
    for node, count in backlinks.items():
        if graph.nodes[node]["type"] == NodeType.NOTE.value:
            graph.nodes[node]["mentions"] = count
    return graph


def _draft_order(item: tuple[tuple[str, str, EdgeType], _EdgeDraft]) -> tuple[str, str, int]:
    (source, target, kind), _ = item
    return (source, target, EDGE_ORDER.index(kind))


def _note_date(notes: Mapping[str, NoteSummary], path: str) -> str:
    note = notes.get(path)
    if note is None or not note.date or not _ISO_DATE.match(note.date):
        return ""
    return note.date[:10]


def _entity_attributes(entity: Entity, notes: Mapping[str, NoteSummary]) -> dict[str, Any]:
    paths = {m.note for m in entity.mentions if m.note != entity.note}
    dates = sorted(d for d in (_note_date(notes, path) for path in paths) if d)
    return {
        **_NODE_DEFAULTS,
        "type": _ENTITY_NODE[entity.type].value,
        "label": entity.name,
        "note": entity.note or "",
        "aliases": tuple(entity.aliases),
        "mentions": sum(1 for m in entity.mentions if m.note != entity.note),
        "note_count": len(paths),
        "first_date": dates[0] if dates else "",
        "last_date": dates[-1] if dates else "",
    }


def _note_attributes(note: NoteSummary) -> dict[str, Any]:
    date = note.date[:10] if note.date and _ISO_DATE.match(note.date) else ""
    return {
        **_NODE_DEFAULTS,
        "type": NodeType.NOTE.value,
        "label": note.title or stem_of(note.path),
        "note": note.path,
        "first_date": date,
        "last_date": date,
    }


# --- the side panel -----------------------------------------------------------------------------


LISTED = 50
"""A panel lists at most this many notes under "Mentioned in" and "Linked from" (newest first)."""


@dataclass(frozen=True)
class PanelItem:
    """One line of a node's panel. Every field is optional; the page shows what is set.

    ``node`` is a node to jump to, ``note`` a note path shown with its date and an Obsidian
    link, ``advice`` a quote with who said it and where, ``text`` plain words, and ``items`` a
    nested group (advice by topic, for instance).
    """

    node: str | None = None
    note: str | None = None
    advice: Advice | None = None
    text: str | None = None
    items: tuple[PanelItem, ...] = ()


@dataclass(frozen=True)
class PanelSection:
    """A titled list in a node's panel (``Works at``, ``Chats``, ``Advice``…)."""

    title: str
    items: tuple[PanelItem, ...]


def describe_nodes(
    index: VaultIndex,
    graph: nx.MultiDiGraph,
    *,
    exclude_tags: Iterable[str] = (),
    extra: Mapping[str, Sequence[PanelSection]] | None = None,
    advice_limit: int | None = None,
) -> dict[str, tuple[PanelSection, ...]]:
    """The side panel of every node of ``graph``, as sections; empty sections are left out.

    Give the ``index`` and ``exclude_tags`` the graph was built from: the same filter runs
    here, so a private or excluded note is never cited. A person shows where they work now and before, the chats with dates,
    their advice grouped by topic, introductions and other notes; a company the people there
    now and before; a topic who advised on it and what they said; a note the entities in it.
    ``extra`` appends sections per node id (follow-ups, who-you-know, from other reports).
    ``advice_limit`` keeps only each person's and each topic's most recent advice (the rest is
    counted, with the command that lists it) and reduces a note's advice to a count: a big
    vault's page would otherwise carry every quote in the vault.
    """
    index = filter_index(index, exclude_tags)
    visible = {note.path: note for note in index.notes}
    resolver = _Resolver(index.entities)
    advice_by_person: dict[str, list[Advice]] = defaultdict(list)
    advice_by_topic: dict[str, list[Advice]] = defaultdict(list)
    advice_by_note: dict[str, list[Advice]] = defaultdict(list)
    for item in index.advice:
        if item.note not in visible:
            continue
        advice_by_note[item.note].append(item)
        person = resolver.resolve(item.person, EntityType.PERSON)
        if person is not None:
            advice_by_person[person].append(item)
        for ref in item.topics:
            topic = resolver.resolve(ref, EntityType.TOPIC)
            if topic is not None:
                advice_by_topic[topic].append(item)
    mentioned_in: dict[str, set[str]] = defaultdict(set)
    in_note: dict[str, list[str]] = defaultdict(list)
    for entity in index.entities:
        for mention in entity.mentions:
            if mention.note in visible and mention.note != entity.note:
                mentioned_in[entity.id].add(mention.note)
                if entity.id not in in_note[mention.note]:
                    in_note[mention.note].append(entity.id)

    note_dates = {path: _note_date(visible, path) for path in visible}
    labels = {node: str(data["label"]).casefold() for node, data in graph.nodes(data=True)}
    types = {node: data["type"] for node, data in graph.nodes(data=True)}

    def _label(_: nx.MultiDiGraph, node: str) -> str:
        return labels.get(node, node.casefold())

    def by_date(paths: Iterable[str], limit: int | None = None) -> tuple[PanelItem, ...]:
        ordered = sorted(
            (path for path in set(paths) if path in visible), key=lambda p: (note_dates[p], p), reverse=True
        )
        items = [PanelItem(note=path) for path in ordered[:limit]]
        if limit is not None and len(ordered) > limit:
            items.append(PanelItem(text=f"… and {len(ordered) - limit} older notes"))
        return tuple(items)

    outgoing_edges: dict[tuple[str, str], list[tuple[str, dict[str, Any]]]] = defaultdict(list)
    incoming_edges: dict[tuple[str, str], list[tuple[str, dict[str, Any]]]] = defaultdict(list)
    for source, target, key, data in graph.edges(keys=True, data=True):
        outgoing_edges[(source, key)].append((target, data))
        incoming_edges[(target, key)].append((source, data))

    def edges(node: str, kind: EdgeType, outgoing: bool) -> list[tuple[str, dict[str, Any]]]:
        found = (outgoing_edges if outgoing else incoming_edges).get((node, kind.value), [])
        return sorted(found, key=lambda pair: pair[0])

    def linked(node: str, kind: EdgeType, outgoing: bool) -> tuple[PanelItem, ...]:
        return tuple(
            PanelItem(node=other, items=by_date(data["notes"]))
            for other, data in sorted(edges(node, kind, outgoing), key=lambda e: (-len(e[1]["notes"]), _label(graph, e[0])))
        )

    def grouped(
        items: Sequence[Advice], key_of: Callable[[Advice], Iterable[str | None]], more: str
    ) -> tuple[PanelItem, ...]:
        kept = sorted(items, key=_advice_order, reverse=True)[:advice_limit] if advice_limit is not None else items
        groups: dict[str, list[Advice]] = defaultdict(list)
        for item in kept:
            keys = [k for k in (key_of(item) or ()) if k is not None] or [""]
            for key in keys:
                groups[key].append(item)
        ordered = sorted(groups.items(), key=lambda g: (g[0] == "", -len(g[1]), _label(graph, g[0]) if g[0] else ""))
        return tuple(
            PanelItem(
                node=key if key in graph else None,
                text=None if key in graph else (key or "Other"),
                items=tuple(PanelItem(advice=a) for a in sorted(advice_list, key=_advice_order)),
            )
            for key, advice_list in ordered
        ) + ((PanelItem(text=f"… and {len(items) - len(kept)} older: {more}"),) if len(kept) < len(items) else ())

    panels: dict[str, tuple[PanelSection, ...]] = {}
    for node, data in graph.nodes(data=True):
        kind = data["type"]
        sections: list[PanelSection] = []
        if kind == NodeType.PERSON.value:
            chats = {p for _, d in edges(node, EdgeType.TALKED_WITH, False) for p in d["notes"]}
            chats |= {p for _, d in edges(node, EdgeType.TALKED_WITH, True) for p in d["notes"]}
            sections += [
                PanelSection("Works at", linked(node, EdgeType.WORKS_AT, True)),
                PanelSection("Worked at", linked(node, EdgeType.WORKED_AT, True)),
                PanelSection("Chats", by_date(chats)),
                PanelSection(
                    "Advice",
                    grouped(
                        advice_by_person.get(node, []),
                        lambda a: [resolver.resolve(t, EntityType.TOPIC) for t in a.topics],
                        f'vaultlink advice VAULT --person "{data["label"]}"',
                    ),
                ),
                PanelSection("Introduced", linked(node, EdgeType.INTRODUCED, True)),
                PanelSection("Introduced by", linked(node, EdgeType.INTRODUCED, False)),
                PanelSection("Mentioned in", by_date(mentioned_in.get(node, set()) - chats, LISTED)),
            ]
        elif kind == NodeType.COMPANY.value:
            sections += [
                PanelSection("People there now", linked(node, EdgeType.WORKS_AT, False)),
                PanelSection("People there before", linked(node, EdgeType.WORKED_AT, False)),
                PanelSection("Mentioned in", by_date(mentioned_in.get(node, set()), LISTED)),
            ]
        elif kind == NodeType.TOPIC.value:
            sections += [
                PanelSection(
                    "Advice",
                    grouped(
                        advice_by_topic.get(node, []),
                        lambda a: [resolver.resolve(a.person, EntityType.PERSON)],
                        f'vaultlink advice VAULT --topic "{data["label"]}"',
                    ),
                ),
                PanelSection("Mentioned in", by_date(mentioned_in.get(node, set()), LISTED)),
            ]
        elif kind == NodeType.ME.value:
            sections.append(
                PanelSection(
                    "Talked with",
                    tuple(
                        PanelItem(node=other, text=_chat_summary(graph.nodes[other]))
                        for other, _ in sorted(
                            edges(node, EdgeType.TALKED_WITH, True),
                            key=lambda e: (graph.nodes[e[0]]["last_chat"], e[0]),
                            reverse=True,
                        )
                    ),
                )
            )
        path = data["note"] if kind == NodeType.NOTE.value else ""
        if path:
            note = visible.get(path)
            entities = in_note.get(path, [])
            for title, wanted in (("People", NodeType.PERSON), ("Companies", NodeType.COMPANY), ("Topics", NodeType.TOPIC)):
                members = [e for e in entities if types.get(e) == wanted.value]
                sections.append(PanelSection(title, tuple(PanelItem(node=e) for e in sorted(members, key=lambda e: _label(graph, e)))))
            in_this = sorted(advice_by_note.get(path, []), key=_advice_order)
            if advice_limit is None:
                sections.append(PanelSection("Advice in this note", tuple(PanelItem(advice=a) for a in in_this)))
            elif in_this:
                told = f"{len(in_this)} piece{'s' if len(in_this) != 1 else ''} of advice: open the note to read"
                sections.append(PanelSection("Advice in this note", (PanelItem(text=told),)))
            if note is not None:
                sections.append(PanelSection("Links to", by_date(note.links)))
        if kind != NodeType.ME.value:
            sections.append(
                PanelSection(
                    "Linked from",
                    _capped(
                        [
                            PanelItem(node=other)
                            for other, _ in sorted(edges(node, EdgeType.LINKS_TO, False), key=lambda e: _label(graph, e[0]))
                        ],
                        "notes",
                    ),
                )
            )
        sections += list((extra or {}).get(node, ()))
        panels[node] = tuple(section for section in sections if section.items)
    return panels


def _capped(items: list[PanelItem], what: str) -> tuple[PanelItem, ...]:
    if len(items) <= LISTED:
        return tuple(items)
    return (*items[:LISTED], PanelItem(text=f"… and {len(items) - LISTED} more {what}"))


def _label(graph: nx.MultiDiGraph, node: str) -> str:
    return str(graph.nodes[node]["label"]).casefold() if node in graph else node.casefold()


def _advice_order(item: Advice) -> tuple[str, str, int]:
    return (item.date or "", item.note, item.line)


def _chat_summary(data: Mapping[str, Any]) -> str:
    chats = int(data.get("chats", 0))
    last = data.get("last_chat") or ""
    return f"{chats} chat{'s' if chats != 1 else ''}" + (f", last {last}" if last else "")


# --- exports ------------------------------------------------------------------------------------


def exportable_graph(graph: nx.MultiDiGraph, positions: Mapping[str, tuple[float, float]] | None = None) -> nx.MultiDiGraph:
    """A copy whose every attribute is a str, int, float or bool, as GraphML and GEXF require.

    Tuples become ``|``-joined strings; each node gets every attribute (a default when unset),
    and ``x``/``y`` when ``positions`` are given, so Gephi opens the graph laid out.
    """
    import networkx as nx

    copy = nx.MultiDiGraph()
    copy.graph.update({key: _legal(value) for key, value in graph.graph.items()})
    for node, data in graph.nodes(data=True):
        attrs = {key: _legal(value) for key, value in {**_NODE_DEFAULTS, **data}.items()}
        if positions is not None:
            x, y = positions.get(node, (0.0, 0.0))
            attrs.update(x=float(x), y=float(y))
        copy.add_node(node, **attrs)
    for source, target, key, data in graph.edges(keys=True, data=True):
        copy.add_edge(source, target, key=key, **{name: _legal(value) for name, value in data.items()})
    return copy


def _legal(value: Any) -> str | int | float | bool:
    if isinstance(value, (bool, int, float, str)):
        return value
    if value is None:
        return ""
    if isinstance(value, (tuple, list, set, frozenset)):
        return LIST_SEPARATOR.join(str(item) for item in value)
    return str(value)


_XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'


def to_graphml(graph: nx.MultiDiGraph, positions: Mapping[str, tuple[float, float]] | None = None) -> str:
    """GraphML text of the graph, attributes made legal by :func:`exportable_graph`."""
    import networkx as nx

    return _XML_DECLARATION + "\n".join(nx.generate_graphml(exportable_graph(graph, positions))) + "\n"


def to_gexf(graph: nx.MultiDiGraph, positions: Mapping[str, tuple[float, float]] | None = None) -> str:
    """GEXF 1.2 text of the graph, with colours, sizes and (given ``positions``) coordinates.

    networkx's GEXF writer takes an edge's ``type`` for GEXF's own directed/undirected flag
    and a node's ``label`` for its label, so the relation type travels as ``relation`` and
    as the edge's label.
    """
    import networkx as nx

    safe = exportable_graph(graph)
    for node, data in safe.nodes(data=True):
        red, green, blue = _rgb(NODE_STYLE[NodeType(data["type"])]["color"])
        viz: dict[str, Any] = {"color": {"r": red, "g": green, "b": blue, "a": 1.0}, "size": float(node_size(data))}
        if positions is not None and node in positions:
            x, y = positions[node]
            viz["position"] = {"x": float(x), "y": float(-y), "z": 0.0}
        data["viz"] = viz
    for _, _, data in safe.edges(data=True):
        kind = data.pop("type")
        data["relation"] = kind
        data["label"] = kind
    text = _XML_DECLARATION + "\n".join(nx.generate_gexf(safe)) + "\n"
    # networkx stamps today's date into <meta>: drop it, so the same vault gives the same file
    return re.sub(r'(<meta) lastmodifieddate="[^"]*"', r"\1", text, count=1)


def to_node_link(graph: nx.MultiDiGraph, positions: Mapping[str, tuple[float, float]] | None = None) -> dict[str, Any]:
    """Node-link data (``nodes``, ``edges``) ready for ``json.dumps``; lists stay lists."""
    import networkx as nx

    copy = nx.MultiDiGraph(graph)
    for node, data in copy.nodes(data=True):
        data["aliases"] = list(data.get("aliases", ()))
        if positions is not None and node in positions:
            data["x"], data["y"] = (round(float(v), 1) for v in positions[node])
    for _, _, data in copy.edges(data=True):
        data["notes"] = list(data.get("notes", ()))
    result: dict[str, Any] = nx.node_link_data(copy, edges="edges")
    return result


def to_json(graph: nx.MultiDiGraph, positions: Mapping[str, tuple[float, float]] | None = None) -> str:
    """:func:`to_node_link` as indented JSON text."""
    return json.dumps(to_node_link(graph, positions), ensure_ascii=False, indent=1) + "\n"


CANVAS_COLORS = {
    NodeType.ME: "6",
    NodeType.PERSON: "5",
    NodeType.COMPANY: "2",
    NodeType.TOPIC: "4",
    NodeType.NOTE: "",
}
"""JSON Canvas preset colours: 1 red, 2 orange, 3 yellow, 4 green, 5 cyan, 6 purple."""
_CANVAS_SIZE = {"file": (400, 240), "text": (260, 80)}
_CANVAS_CELL = (440, 280)
_CANVAS_SCALE = 8.0
"""Canvas units per page pixel: two linked entities end up about two cells apart."""


def to_canvas(graph: nx.MultiDiGraph, positions: Mapping[str, tuple[float, float]]) -> dict[str, Any]:
    """An Obsidian Canvas (JSON Canvas 1.0) of the graph, laid out at ``positions``.

    A node with a note (an entity's hub note, a note node) is a ``file`` node that opens the
    note; the others (the author, entities without a hub note) are ``text`` nodes. Each node
    takes the free grid cell nearest its scaled position, so no two boxes overlap; ids are
    stable hashes of the node ids, so a second export gives the same file.
    """
    cells = _snap_to_cells(
        [(node, positions.get(node, (0.0, 0.0))) for node in graph.nodes],
    )
    ids = {node: _canvas_id(node) for node in graph.nodes}
    nodes: list[dict[str, Any]] = []
    for node, data in graph.nodes(data=True):
        column, row = cells[node]
        kind = "file" if data.get("note") else "text"
        width, height = _CANVAS_SIZE[kind]
        item: dict[str, Any] = {
            "id": ids[node],
            "type": kind,
            "x": column * _CANVAS_CELL[0] - width // 2,
            "y": row * _CANVAS_CELL[1] - height // 2,
            "width": width,
            "height": height,
        }
        if kind == "file":
            item["file"] = data["note"]
        else:
            item["text"] = _canvas_text(data)
        color = CANVAS_COLORS[NodeType(data["type"])]
        if color:
            item["color"] = color
        nodes.append(item)
    edges = [
        {
            "id": _canvas_id(f"{source}\0{target}\0{key}"),
            "fromNode": ids[source],
            "toNode": ids[target],
            "label": key.replace("_", " "),
        }
        for source, target, key in graph.edges(keys=True)
    ]
    return {"nodes": nodes, "edges": edges}


def _snap_to_cells(points: Sequence[tuple[str, tuple[float, float]]]) -> dict[str, tuple[int, int]]:
    """The free grid cell nearest each scaled point; earlier points (entities before notes) choose first."""
    taken: set[tuple[int, int]] = set()
    cells: dict[str, tuple[int, int]] = {}
    for node, (x, y) in points:
        want = (round(x * _CANVAS_SCALE / _CANVAS_CELL[0]), round(y * _CANVAS_SCALE / _CANVAS_CELL[1]))
        radius = 0
        while node not in cells:
            ring = [
                (want[0] + dx, want[1] + dy)
                for dx in range(-radius, radius + 1)
                for dy in range(-radius, radius + 1)
                if max(abs(dx), abs(dy)) == radius
            ]
            free = [cell for cell in ring if cell not in taken]
            if free:
                best = min(free, key=lambda c: ((c[0] - want[0]) ** 2 + (c[1] - want[1]) ** 2, c))
                cells[node] = best
                taken.add(best)
            radius += 1
    return cells


def _canvas_id(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def _canvas_text(data: Mapping[str, Any]) -> str:
    # Canvas text is markdown: escape what would turn a name into markup or a link.
    label = re.sub(r"([\\`*_\[\]#<>|~=$%^])", r"\\\1", str(data.get("label", "")))
    return f"**{label}**\n{data.get('type', '')}"


def to_canvas_text(graph: nx.MultiDiGraph, positions: Mapping[str, tuple[float, float]]) -> str:
    """:func:`to_canvas` as the text of a ``.canvas`` file."""
    return json.dumps(to_canvas(graph, positions), ensure_ascii=False, indent="\t") + "\n"


# --- style shared by the page and the GEXF export -----------------------------------------------

NODE_STYLE: dict[NodeType, dict[str, str]] = {
    NodeType.ME: {"color": "#b07aa1", "shape": "star", "label": "Me"},
    NodeType.PERSON: {"color": "#4e79a7", "shape": "dot", "label": "Person"},
    NodeType.COMPANY: {"color": "#f28e2b", "shape": "square", "label": "Company"},
    NodeType.TOPIC: {"color": "#59a14f", "shape": "triangle", "label": "Topic"},
    NodeType.NOTE: {"color": "#9c9c9c", "shape": "diamond", "label": "Note"},
}
EDGE_STYLE: dict[EdgeType, dict[str, str]] = {
    EdgeType.WORKS_AT: {"color": "#e15759", "label": "works at"},
    EdgeType.WORKED_AT: {"color": "#ff9d9a", "label": "worked at"},
    EdgeType.TALKED_WITH: {"color": "#b07aa1", "label": "talked with"},
    EdgeType.ADVISED_ON: {"color": "#59a14f", "label": "advised on"},
    EdgeType.INTRODUCED: {"color": "#edc948", "label": "introduced"},
    EdgeType.MENTIONS: {"color": "#bab0ac", "label": "mentions"},
    EdgeType.LINKS_TO: {"color": "#76b7b2", "label": "links to"},
}


def node_size(data: Mapping[str, Any]) -> int:
    """A node's drawn size: grows with the square root of its mentions (chats count double)."""
    if data.get("type") == NodeType.ME.value:
        return 30
    if data.get("type") == NodeType.NOTE.value:
        return 6 + min(int(data.get("mentions", 0)), 8)
    weight = int(data.get("mentions", 0)) + 2 * int(data.get("chats", 0))
    return min(10 + round(4 * math.sqrt(weight)), 48)


def _rgb(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)
