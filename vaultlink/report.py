"""Answers from a vault index: the advice digest, contacts, follow-ups and lint. No I/O.

Everything here takes a :class:`~vaultlink.model.VaultIndex` (and, for follow-ups and lint,
the notes' parses and text) and returns frozen dataclasses; ``*_json`` functions turn them into
plain data and ``render_*`` functions into the markdown the CLI prints. Dates are
``YYYY-MM-DD`` strings; "today" is always given by the caller, never read from a clock.

For the graph page: :func:`person_card` / :func:`person_cards` (companies, chats, last chat,
topics, open follow-ups) and :func:`company_card` / :func:`company_cards` (who you know there
now, before, and one introduction away); follow-ups come from :func:`collect_followups`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Any, Iterable, Mapping, Sequence
from urllib.parse import quote

from vaultlink.errors import VaultlinkError
from vaultlink.extract import find_hub, hub_folders_of
from vaultlink.followup import FollowUp, find_followups, sort_followups, with_person
from vaultlink.markdown import parse_date
from vaultlink.model import (
    ME,
    Advice,
    Entity,
    EntityType,
    NoteSummary,
    ParsedNote,
    RelationType,
    Source,
    VaultIndex,
    fold,
    stem_of,
)

SCHEMA = 1
ADVICE_INDEX = "Advice Index.md"
BLOCK_START = "<!-- vaultlink:start -->"
BLOCK_END = "<!-- vaultlink:end -->"
OTHER_TOPIC = "Other"


class UnknownName(VaultlinkError):
    """A topic, person or company asked for is not in the vault (or is ambiguous), or a date
    cannot be read. The message says which names come close."""

    exit_code = 2


# Resolving what the user typed ---------------------------------------------------------------


def _keys(entity: Entity) -> set[str]:
    kind, _, tail = entity.id.partition(":")
    keys = {fold(entity.name), fold(tail), _slug(entity.name)}
    for alias in entity.aliases:
        keys.add(fold(alias))
        keys.add(_slug(alias))
    return {k for k in keys if k}


def _slug(text: str) -> str:
    return re.sub(r"[^\w]+", "-", fold(text)).strip("-")


def find_entity(index: VaultIndex, kind: EntityType, query: str) -> Entity:
    """The entity of ``kind`` the user means by ``query``: its id, name or an alias, compared
    case- and spacing-insensitively ("career switch", "career-switch", "Career Change"); for a
    person also a first name that only one person has. Raises :class:`UnknownName` otherwise."""
    wanted = {fold(query), _slug(query)} - {""}
    pool = [e for e in index.entities if e.type is kind]
    exact = [e for e in pool if e.id == query.strip()]
    if exact:
        return exact[0]
    matches = [e for e in pool if _keys(e) & wanted]
    if len(matches) == 1:
        return matches[0]
    if not matches and kind is EntityType.PERSON and " " not in query.strip():
        matches = [e for e in pool if fold(e.name.split()[0]) == fold(query)] if query.strip() else []
        if len(matches) == 1:
            return matches[0]
    label = kind.value
    if len(matches) > 1:
        names = " or ".join(sorted(e.name for e in matches))
        raise UnknownName(f"'{query}' could be {names}; give the full name")
    hint = ""
    close = _close_names(query, pool)
    if close:
        hint = f"; did you mean {', '.join(close)}?"
    elif pool:
        shown = sorted((e.name for e in pool), key=str.casefold)
        hint = f"; known: {', '.join(shown[:12])}{', …' if len(shown) > 12 else ''}"
    raise UnknownName(f"no {label} '{query}' in this vault{hint}")


def _close_names(query: str, pool: Sequence[Entity]) -> list[str]:
    """Names (or aliases) of ``pool`` that look like ``query``, whole or word by word."""
    wanted = fold(query)
    scored: dict[str, float] = {}
    for entity in pool:
        for surface in (entity.name, *entity.aliases):
            key = fold(surface)
            ratio = max(
                [difflib.SequenceMatcher(None, wanted, key).ratio()]
                + [difflib.SequenceMatcher(None, wanted, word).ratio() for word in key.split() if len(wanted.split()) == 1]
            )
            if ratio >= 0.75:
                scored[entity.name] = max(scored.get(entity.name, 0.0), ratio)
    return sorted(scored, key=lambda name: (-scored[name], name.casefold()))[:3]


def read_date(value: str | dt.date | None, what: str = "date") -> str | None:
    """``value`` as ``YYYY-MM-DD`` (any date :func:`~vaultlink.markdown.parse_date` reads, or a
    :class:`datetime.date`); None stays None; :class:`UnknownName` when it is not a date."""
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    found = parse_date(value)
    if found is None:
        raise UnknownName(f"{what} '{value}' is not a date; write it as YYYY-MM-DD")
    return found


# Links to notes ------------------------------------------------------------------------------


def note_link(path: str, paths: Iterable[str], markdown_links: bool = False) -> str:
    """A link to the note at ``path`` as written from the vault root: ``[[Name]]``, or
    ``[[Folder/Name]]`` when another note has the same name; a markdown link when the vault
    uses them (``useMarkdownLinks`` in ``.obsidian/app.json``)."""
    return _links_for([path], list(paths), markdown_links)[path]


def _links_for(wanted: Iterable[str], paths: Sequence[str], markdown_links: bool) -> dict[str, str]:
    stems: dict[str, int] = defaultdict(int)
    for path in paths:
        stems[fold(stem_of(path))] += 1
    out = {}
    for path in wanted:
        name = stem_of(path)
        if markdown_links:
            out[path] = f"[{_escape(name)}]({quote(path)})"
        else:
            unique = stems.get(fold(name), 0) <= 1
            out[path] = f"[[{name if unique else (path[:-3] if path.lower().endswith('.md') else path)}]]"
    return out


def _note_links(index: VaultIndex) -> dict[str, str]:
    """The link to every note of the index, in the vault's link style."""
    paths = [n.path for n in index.notes]
    markdown = bool(index.settings.get("useMarkdownLinks")) if index.settings else False
    return _links_for(paths, paths, markdown)


_MARKUP = re.compile(r"([\\`*_\[\]<>|$~=^%#])")


def _escape(text: str) -> str:
    """Text quoted from a note, made inert: it cannot open a link, a comment, math or HTML."""
    return _MARKUP.sub(r"\\\1", " ".join(text.split()))


# Advice --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AdviceItem:
    """One piece of advice with who gave it, when and where. ``person`` is an entity id or None
    when a chat had several people and the note does not say who; ``said_by`` then lists them."""

    text: str
    question: str | None
    person: str | None
    person_name: str | None
    said_by: tuple[str, ...]
    date: str | None
    note: str
    line: int
    topics: tuple[str, ...]
    link: str = ""  # the link to ``note``, in the vault's link style


@dataclass(frozen=True)
class TopicAdvice:
    """The advice on one topic, newest first; ``people`` are the distinct people who gave it."""

    topic: str | None  # topic entity id; None for advice with no topic
    name: str
    people: tuple[str, ...]
    items: tuple[AdviceItem, ...]


@dataclass(frozen=True)
class AdviceDigest:
    topics: tuple[TopicAdvice, ...]
    topic: str | None = None
    person: str | None = None
    since: str | None = None

    @property
    def count(self) -> int:
        return len({(i.note, i.line) for group in self.topics for i in group.items})


def advice_digest(
    index: VaultIndex,
    topic: str | None = None,
    person: str | None = None,
    since: str | dt.date | None = None,
) -> AdviceDigest:
    """Every advice item said by someone, grouped by topic; topics ranked by how many different
    people spoke to them (then by how many items, then by name), "Other" (no topic) last.

    Advice counts when a person is credited with it or its note is a chat (its participants
    said it); advice-shaped text in other notes (a recipe's steps, a company note's summary)
    does not. ``topic``, ``person`` and ``since`` filter; the first two are resolved with
    :func:`find_entity` and raise :class:`UnknownName` when unknown.
    """
    topic_entity = find_entity(index, EntityType.TOPIC, topic) if topic else None
    person_entity = find_entity(index, EntityType.PERSON, person) if person else None
    since_date = read_date(since, "--since")
    names = {e.id: e.name for e in index.entities}
    participants = {n.path: n.participants for n in index.notes}
    links = _note_links(index)
    groups: dict[str | None, list[AdviceItem]] = defaultdict(list)
    for advice in index.advice:
        chat_people = participants.get(advice.note, ())
        if advice.note == ADVICE_INDEX or (advice.person is None and not chat_people):
            continue
        if person_entity is not None and advice.person != person_entity.id:
            continue
        if since_date is not None and (advice.date is None or advice.date < since_date):
            continue
        item = replace(_advice_item(advice, names, chat_people), link=links.get(advice.note, ""))
        for topic_id in advice.topics or (None,):
            if topic_entity is not None and topic_id != topic_entity.id:
                continue
            groups[topic_id].append(item)
    out = []
    for topic_id, items in groups.items():
        ordered = tuple(sorted(items, key=lambda i: (i.date is None, _newest_first(i.date), i.note, i.line)))
        people = tuple(sorted({i.person_name for i in ordered if i.person_name}, key=str.casefold))
        name = names.get(topic_id, topic_id) if topic_id else OTHER_TOPIC
        out.append(TopicAdvice(topic_id, name or OTHER_TOPIC, people, ordered))
    out.sort(key=lambda g: (g.topic is None, -len(g.people), -len(g.items), fold(g.name)))
    return AdviceDigest(
        tuple(out),
        topic=topic_entity.id if topic_entity else None,
        person=person_entity.id if person_entity else None,
        since=since_date,
    )


_SPEAKER_PREFIX = re.compile(r"^(?:me|i|q|question|myself)[ \t]*:[ \t]*", re.I)


def _advice_item(advice: Advice, names: Mapping[str, str], chat_people: Sequence[str]) -> AdviceItem:
    question = _SPEAKER_PREFIX.sub("", " ".join(advice.question.split())) if advice.question else None
    said_by = (names.get(advice.person, advice.person),) if advice.person else tuple(names.get(p, p) for p in chat_people)
    return AdviceItem(
        text=" ".join(advice.text.split()),
        question=question or None,
        person=advice.person,
        person_name=names.get(advice.person, advice.person) if advice.person else None,
        said_by=said_by,
        date=advice.date,
        note=advice.note,
        line=advice.line,
        topics=advice.topics,
    )


def _newest_first(date: str | None) -> tuple[int, ...]:
    return tuple(-ord(ch) for ch in date) if date else ()


def advice_json(digest: AdviceDigest) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "filters": {"topic": digest.topic, "person": digest.person, "since": digest.since},
        "count": digest.count,
        "topics": [
            {
                "topic": group.topic,
                "name": group.name,
                "people": list(group.people),
                "items": [
                    {
                        "text": item.text,
                        "question": item.question,
                        "person": item.person,
                        "person_name": item.person_name,
                        "said_by": list(item.said_by),
                        "date": item.date,
                        "note": item.note,
                        "line": item.line,
                        "link": item.link,
                        "topics": list(item.topics),
                    }
                    for item in group.items
                ],
            }
            for group in digest.topics
        ],
    }


def render_advice(digest: AdviceDigest, *, escape: bool = False) -> str:
    """The digest as markdown: a section per topic, each item with who, when and a link."""
    clean = _escape if escape else (lambda s: " ".join(s.split()))
    if not digest.topics:
        return "_No advice found._"
    lines: list[str] = []
    for group in digest.topics:
        who = f"{len(group.people)} {'person' if len(group.people) == 1 else 'people'}"
        count = f"{len(group.items)} item{'s' if len(group.items) != 1 else ''}"
        lines += [f"## {group.name} ({who}, {count})", ""]
        for item in group.items:
            question = f"*{clean(item.question)}* " if item.question else ""
            attribution = ", ".join(part for part in (" & ".join(item.said_by) or "unknown", item.date) if part)
            lines.append(f"- {question}{clean(item.text)} — {attribution} · {item.link}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def advice_index_block(digest: AdviceDigest, newline: str = "\n") -> str:
    """The managed block of ``Advice Index.md``, markers included. Quoted text is escaped so
    that nothing in it becomes a link, tag or comment; the same digest gives the same bytes."""
    body = render_advice(digest, escape=True).rstrip("\n")
    people = len({p for g in digest.topics for p in g.people})
    header = f"{digest.count} pieces of advice from {people} people, by topic (most people first)."
    text = "\n".join([BLOCK_START, header, "", body, BLOCK_END])
    return text.replace("\n", newline)


def put_block(text: str, parsed: ParsedNote | None, block: str) -> str:
    """``text`` with its managed block replaced by ``block`` (appended when it has none).
    Markers inside code do not count; everything outside the block keeps its bytes."""
    code = [s for s in (parsed.protected if parsed else ()) if s.kind.value in ("code_block", "indented_code", "inline_code")]

    def find(marker: str, pos: int) -> int:
        while True:
            at = text.find(marker, pos)
            if at < 0 or not any(s.start <= at < s.end for s in code):
                return at
            pos = at + len(marker)

    start = find(BLOCK_START, 0)
    end = find(BLOCK_END, start + len(BLOCK_START)) if start >= 0 else -1
    if start >= 0 and end >= 0:
        return text[:start] + block + text[end + len(BLOCK_END) :]
    newline = "\r\n" if "\r\n" in text[: text.find("\n") + 1] else "\n"
    if not text:
        return block + newline
    lead = "" if text.endswith("\n\n") or text.endswith("\r\n\r\n") else newline if text.endswith("\n") else newline * 2
    return text + lead + block + newline


def new_advice_index(block: str) -> str:
    """The text of a new ``Advice Index.md``: a title, a line on what it is, and the block."""
    return (
        "# Advice Index\n\n"
        "What everyone advised, by topic. vaultlink keeps the part between the markers current "
        "(`vaultlink advice --write`); write anything you like outside it.\n\n"
        f"{block}\n"
    )


# Contacts ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ref:
    id: str
    name: str


@dataclass(frozen=True)
class Contact:
    """A person you know: talked with in a chat note, or kept as a person note.

    With a company asked for, ``at_company`` is ``"current"``, ``"past"`` or None (not there,
    but reachable), ``reach`` is ``"direct"`` (you know them) or ``"introduction"`` (someone
    you know is linked to them by an introduction), and ``path`` runs from the person you know
    to them (``Sam Patel → Priya Raman``: Sam introduced Priya).
    """

    id: str
    name: str
    aliases: tuple[str, ...]
    note: str | None
    current: tuple[Ref, ...]
    past: tuple[Ref, ...]
    chats: int
    chat_notes: tuple[str, ...]
    first_chat: str | None
    last_chat: str | None
    topics: tuple[Ref, ...]
    introduced_by: tuple[Ref, ...] = ()
    introduced: tuple[Ref, ...] = ()
    days_since: int | None = None
    at_company: str | None = None
    reach: str | None = None
    path: tuple[Ref, ...] = ()


@dataclass(frozen=True)
class ContactList:
    people: tuple[Contact, ...]
    company: Ref | None = None
    stale_days: int | None = None
    today: str | None = None


class _People:
    """The facts about people a report needs, gathered once from an index."""

    def __init__(self, index: VaultIndex, today: str | None = None) -> None:
        self.index = index
        self.today = today
        self.names = {e.id: e.name for e in index.entities}
        self.entities = {e.id: e for e in index.entities}
        self.dates = {n.path: n.date for n in index.notes}
        self.chats: dict[str, list[str]] = defaultdict(list)
        self.current: dict[str, list[str]] = defaultdict(list)
        self.past: dict[str, list[str]] = defaultdict(list)
        self.introduced_by: dict[str, list[str]] = defaultdict(list)
        self.introduced: dict[str, list[str]] = defaultdict(list)
        self.advised: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for relation in index.relations:
            if relation.type is RelationType.TALKED_WITH and relation.source == ME:
                self.chats[relation.target].extend(n for n in relation.notes if n != ADVICE_INDEX)
            elif relation.type is RelationType.WORKS_AT:
                self.current[relation.source].append(relation.target)
            elif relation.type is RelationType.WORKED_AT:
                self.past[relation.source].append(relation.target)
            elif relation.type is RelationType.INTRODUCED:
                self.introduced_by[relation.target].append(relation.source)
                self.introduced[relation.source].append(relation.target)
        for advice in index.advice:
            if advice.person:
                for topic in advice.topics:
                    self.advised[advice.person][topic] += 1
        self.known = {
            e.id for e in index.entities if e.type is EntityType.PERSON and (self.chats.get(e.id) or e.note)
        }

    def ref(self, entity_id: str) -> Ref:
        return Ref(entity_id, self.names.get(entity_id, entity_id))

    def refs(self, ids: Iterable[str]) -> tuple[Ref, ...]:
        return tuple(sorted((self.ref(i) for i in dict.fromkeys(ids)), key=lambda r: r.name.casefold()))

    def contact(self, person_id: str) -> Contact:
        entity = self.entities.get(person_id)
        notes = sorted(set(self.chats.get(person_id, ())))
        dates = sorted(d for d in (self.dates.get(n) for n in notes) if d)
        topics = sorted(self.advised.get(person_id, {}).items(), key=lambda kv: (-kv[1], fold(self.names.get(kv[0], kv[0]))))
        last = dates[-1] if dates else None
        return Contact(
            id=person_id,
            name=self.names.get(person_id, person_id),
            aliases=entity.aliases if entity else (),
            note=entity.note if entity else None,
            current=self.refs(self.current.get(person_id, ())),
            past=self.refs(c for c in self.past.get(person_id, ()) if c not in self.current.get(person_id, ())),
            chats=len(notes),
            chat_notes=tuple(notes),
            first_chat=dates[0] if dates else None,
            last_chat=last,
            topics=tuple(self.ref(t) for t, _ in topics),
            introduced_by=self.refs(self.introduced_by.get(person_id, ())),
            introduced=self.refs(self.introduced.get(person_id, ())),
            days_since=_days_between(last, self.today),
        )


def _days_between(start: str | None, end: str | None) -> int | None:
    if not start or not end:
        return None
    return (dt.date.fromisoformat(end) - dt.date.fromisoformat(start)).days


def contacts(
    index: VaultIndex,
    company: str | None = None,
    stale_days: int | None = None,
    today: str | dt.date | None = None,
) -> ContactList:
    """The people you know, with companies (now and before), chats, first and last chat, topics.

    ``company`` (a name or alias: "Facebook" finds Meta) keeps those who are or were there, plus
    people there one introduction away from someone you know, with the path; current first,
    then past, then by introduction. ``stale_days`` keeps people whose last chat is at least that
    many days before ``today`` (required then), longest silence first; people never met in a
    dated chat are not stale, they are not contacts yet. Otherwise sorted by name.
    """
    today_date = read_date(today, "--today")
    if stale_days is not None and today_date is None:
        raise UnknownName("--stale needs today's date")
    facts = _People(index, today_date)
    target = find_entity(index, EntityType.COMPANY, company) if company else None
    if target is not None:
        people = list(_at_company(facts, target.id))
    else:
        people = sorted((facts.contact(pid) for pid in facts.known), key=lambda c: (c.name.casefold(), c.id))
    if stale_days is not None:
        people = [c for c in people if c.days_since is not None and c.days_since >= stale_days]
        people.sort(key=lambda c: (c.last_chat or "", c.name.casefold()))
    return ContactList(tuple(people), facts.ref(target.id) if target else None, stale_days, today_date)


def _at_company(facts: _People, company_id: str) -> list[Contact]:
    there: dict[str, str] = {}
    for pid, companies in facts.past.items():
        if company_id in companies:
            there[pid] = "past"
    for pid, companies in facts.current.items():
        if company_id in companies:
            there[pid] = "current"
    out: list[Contact] = []
    for pid, status in there.items():
        contact = facts.contact(pid)
        if pid in facts.known:
            path = (*contact.introduced_by[:1], facts.ref(pid))
            out.append(_with(contact, at_company=status, reach="direct", path=path))
            continue
        links = [p for p in (*facts.introduced_by.get(pid, ()), *facts.introduced.get(pid, ())) if p in facts.known]
        if links:
            via = min(set(links), key=lambda p: (facts.ref(p).name.casefold(), p))
            out.append(_with(contact, at_company=status, reach="introduction", path=(facts.ref(via), facts.ref(pid))))
    rank = {("current", "direct"): 0, ("past", "direct"): 1, ("current", "introduction"): 2, ("past", "introduction"): 3}
    out.sort(key=lambda c: (rank[(c.at_company or "", c.reach or "")], c.name.casefold()))
    return out


def _with(contact: Contact, **changes: Any) -> Contact:
    return replace(contact, **changes)


def _refs_json(refs: Iterable[Ref]) -> list[dict[str, str]]:
    return [{"id": r.id, "name": r.name} for r in refs]


def contact_json(contact: Contact) -> dict[str, Any]:
    return {
        "id": contact.id,
        "name": contact.name,
        "aliases": list(contact.aliases),
        "note": contact.note,
        "current": _refs_json(contact.current),
        "past": _refs_json(contact.past),
        "chats": contact.chats,
        "chat_notes": list(contact.chat_notes),
        "first_chat": contact.first_chat,
        "last_chat": contact.last_chat,
        "days_since_last_chat": contact.days_since,
        "topics": _refs_json(contact.topics),
        "introduced_by": _refs_json(contact.introduced_by),
        "introduced": _refs_json(contact.introduced),
        "at_company": contact.at_company,
        "reach": contact.reach,
        "path": _refs_json(contact.path),
    }


def contacts_json(result: ContactList) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "company": {"id": result.company.id, "name": result.company.name} if result.company else None,
        "stale_days": result.stale_days,
        "today": result.today,
        "count": len(result.people),
        "people": [contact_json(c) for c in result.people],
    }


def render_contacts(result: ContactList) -> str:
    """One line per person: companies, chats, first and last chat, topics (and the path)."""
    if not result.people:
        if result.company:
            return f"_Nobody you know is or was at {result.company.name}._\n"
        return "_No contacts found._\n"
    lines: list[str] = []
    if result.company:
        lines += [f"## People at {result.company.name}", ""]
    elif result.stale_days is not None:
        lines += [f"## Not talked to in {result.stale_days} days (as of {result.today})", ""]
    for c in result.people:
        parts = [f"**{c.name}**"]
        if result.company:
            parts.append({"current": "now there", "past": "was there"}.get(c.at_company or "", ""))
            if c.reach == "introduction":
                parts.append("one introduction away: " + " → ".join(r.name for r in c.path))
            elif len(c.path) > 1:
                parts.append("introduced by " + c.path[0].name)
        companies = ", ".join([r.name for r in c.current] + [f"ex-{r.name}" for r in c.past])
        if companies:
            parts.append(companies)
        if c.chats:
            span = c.first_chat if c.first_chat == c.last_chat else f"{c.first_chat} → {c.last_chat}"
            parts.append(f"{c.chats} chat{'s' if c.chats != 1 else ''} ({span})" if span else f"{c.chats} chats")
        else:
            parts.append("no chats")
        if c.days_since is not None and result.stale_days is not None:
            parts.append(f"{c.days_since} days ago")
        if c.topics:
            parts.append("topics: " + ", ".join(t.name for t in c.topics[:6]))
        lines.append("- " + " · ".join(p for p in parts if p))
    return "\n".join(lines) + "\n"


# Cards for the graph page --------------------------------------------------------------------


@dataclass(frozen=True)
class PersonCard:
    """What a person's panel shows: companies, chats, last chat (and its note), topics, open
    follow-ups."""

    contact: Contact
    last_chat_note: str | None
    open_followups: tuple[FollowUp, ...]


@dataclass(frozen=True)
class CompanyCard:
    """What a company's panel shows: who you know there now, before, and one introduction away."""

    company: Ref
    current: tuple[Contact, ...]
    past: tuple[Contact, ...]
    via_introduction: tuple[Contact, ...]


def person_card(index: VaultIndex, person_id: str, followups: Sequence[FollowUp] = (), today: str | None = None) -> PersonCard:
    """The panel facts of one person; ``followups`` is what :func:`collect_followups` found."""
    return _person_card(_People(index, today), person_id, followups)


def person_cards(index: VaultIndex, followups: Sequence[FollowUp] = (), today: str | None = None) -> dict[str, PersonCard]:
    """:func:`person_card` for every person of the index, at the cost of one."""
    facts = _People(index, today)
    by_person: dict[str, list[FollowUp]] = defaultdict(list)
    for item in followups:
        for pid in dict.fromkeys((item.person, *item.people)):
            if pid:
                by_person[pid].append(item)
    return {
        e.id: _person_card(facts, e.id, by_person.get(e.id, ()))
        for e in index.entities
        if e.type is EntityType.PERSON
    }


def _person_card(facts: _People, person_id: str, followups: Sequence[FollowUp]) -> PersonCard:
    contact = facts.contact(person_id)
    last_note = None
    if contact.last_chat:
        last_note = max((n for n in contact.chat_notes if facts.dates.get(n) == contact.last_chat), default=None)
    open_items = tuple(f for f in sort_followups(followups) if not f.done and person_id in (f.person, *f.people))
    return PersonCard(contact, last_note, open_items)


def company_card(index: VaultIndex, company_id: str) -> CompanyCard:
    """The panel facts of one company (``company:meta``)."""
    return _company_card(_People(index), company_id)


def company_cards(index: VaultIndex) -> dict[str, CompanyCard]:
    """:func:`company_card` for every company of the index."""
    facts = _People(index)
    return {e.id: _company_card(facts, e.id) for e in index.entities if e.type is EntityType.COMPANY}


def _company_card(facts: _People, company_id: str) -> CompanyCard:
    people = _at_company(facts, company_id)
    return CompanyCard(
        facts.ref(company_id),
        tuple(c for c in people if c.reach == "direct" and c.at_company == "current"),
        tuple(c for c in people if c.reach == "direct" and c.at_company == "past"),
        tuple(c for c in people if c.reach == "introduction"),
    )


def followups_for(followups: Sequence[FollowUp], person_id: str, include_done: bool = False) -> list[FollowUp]:
    """The follow-ups concerning one person, open first, oldest first."""
    return [f for f in sort_followups(followups) if (include_done or not f.done) and person_id in (f.person, *f.people)]


# Follow-ups ----------------------------------------------------------------------------------

_CAPITALISED = re.compile(r"(?<![\w'’-])[A-Z][\w'’-]+")


def collect_followups(index: VaultIndex, notes: Mapping[str, tuple[ParsedNote, str]]) -> list[FollowUp]:
    """Every follow-up of the vault, open first and oldest first.

    ``notes`` maps a vault path to its parse and text. A hub note (a person, company or topic
    note) gives only its tasks: its prose describes, it does not promise. A line that names
    nobody the index found is given a person when one of its words is a person's alias or a
    first name only one person has ("Stefan: ask whether…").
    """
    written_at: dict[str, dict[int, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    persons = [e for e in index.entities if e.type is EntityType.PERSON]
    for entity in persons:
        for mention in entity.mentions:
            if mention.line > 0:
                starts = written_at[mention.note][mention.line]
                position = mention.start if mention.start >= 0 else 1 << 30
                starts[entity.id] = min(starts.get(entity.id, position), position)
    guesses = _first_names(persons)
    summaries = {n.path: n for n in index.notes}
    out: list[FollowUp] = []
    for path in sorted(notes):
        if path == ADVICE_INDEX:
            continue
        parsed, text = notes[path]
        summary = summaries.get(path)
        hub = find_hub(parsed, hub_folders(index))
        items = find_followups(
            parsed,
            text,
            people_by_line={line: sorted(ids, key=lambda pid: (ids[pid], pid)) for line, ids in written_at.get(path, {}).items()},
            participants=summary.participants if summary else (),
            prose=hub is None,
        )
        for item in items:
            if item.person is None and not item.people:
                guessed = tuple(dict.fromkeys(guesses[w] for w in _CAPITALISED.findall(item.text) if w in guesses))
                if guessed:
                    item = with_person(item, guessed[0], guessed)
            out.append(item)
    return sort_followups(out)


def _first_names(persons: Sequence[Entity]) -> dict[str, str]:
    """Words that name exactly one person: a first name nobody else has, or an alias."""
    owners: dict[str, set[str]] = defaultdict(set)
    for entity in persons:
        words = entity.name.split()
        if len(words) >= 2:
            owners[words[0]].add(entity.id)
        for alias in entity.aliases:
            if " " not in alias.strip() and alias.strip()[:1].isupper():
                owners[alias.strip().rstrip(".")].add(entity.id)
    return {word: next(iter(ids)) for word, ids in owners.items() if len(ids) == 1}


@dataclass(frozen=True)
class FollowUpList:
    """Follow-ups as a report shows them: the items (open first, oldest first), the names of the
    people they concern, the link to each note, and the day overdue is measured against."""

    items: tuple[FollowUp, ...]
    names: Mapping[str, str]
    links: Mapping[str, str]
    today: str | None = None
    include_done: bool = False

    @property
    def shown(self) -> tuple[FollowUp, ...]:
        return tuple(f for f in self.items if self.include_done or not f.done)

    def is_overdue(self, item: FollowUp) -> bool:
        return bool(self.today and item.due and not item.done and item.due < self.today)


def followup_list(
    index: VaultIndex, items: Sequence[FollowUp], today: str | dt.date | None = None, include_done: bool = False
) -> FollowUpList:
    """Wrap what :func:`collect_followups` found for showing (``today`` makes "overdue")."""
    return FollowUpList(
        tuple(sort_followups(items)),
        {e.id: e.name for e in index.entities if e.type is EntityType.PERSON},
        _note_links(index),
        read_date(today, "--today"),
        include_done,
    )


def followups_json(result: FollowUpList) -> dict[str, Any]:
    names = result.names
    return {
        "schema": SCHEMA,
        "today": result.today,
        "open": sum(1 for f in result.items if not f.done),
        "done": sum(1 for f in result.items if f.done),
        "followups": [
            {
                "note": f.note,
                "line": f.line,
                "link": result.links.get(f.note, ""),
                "text": f.text,
                "kind": f.kind,
                "owner": f.owner,
                "done": f.done,
                "written": f.written,
                "due": f.due,
                "due_text": f.due_text,
                "overdue": result.is_overdue(f),
                "person": {"id": f.person, "name": names.get(f.person, f.person)} if f.person else None,
                "people": [{"id": p, "name": names.get(p, p)} for p in f.people],
            }
            for f in result.shown
        ],
    }


def render_followups(result: FollowUpList) -> str:
    """Open follow-ups (then done ones with ``include_done``), oldest first, as a task list."""
    names = result.names
    open_count = sum(1 for f in result.items if not f.done)
    lines = [f"## Follow-ups: {open_count} open, {len(result.items) - open_count} done", ""]
    if not result.shown:
        lines.append("_Nothing to follow up on._")
    for f in result.shown:
        who = names.get(f.person, f.person) if f.person else " & ".join(names.get(p, p) for p in f.people)
        owed = " (owed to me)" if f.owner == "them" else ""
        due = ""
        if f.due:
            due = f" · due {f.due}" + (", overdue" if result.is_overdue(f) else "")
        elif f.due_text:
            due = f" · due {f.due_text}"
        written = f" · written {f.written}" if f.written else ""
        lead = f"**{who}**{owed}: " if who else ""
        text = " ".join(f.text.split())
        lines.append(f"- [{'x' if f.done else ' '}] {lead}{text}{due}{written} · {result.links.get(f.note, f.note)}")
    return "\n".join(lines) + "\n"


# Lint ----------------------------------------------------------------------------------------

CHAT_TYPES = frozenset({"chat", "coffee-chat", "coffee chat", "1-1", "1:1", "one-on-one", "meeting", "mentoring", "call", "interview", "informational-interview"})
CHAT_TAGS = frozenset({"coffee-chat", "coffeechat", "chat", "1-1", "1:1", "one-on-one", "informational-interview", "mentoring", "meeting"})
CHAT_FOLDERS = frozenset({"chats", "coffee chats", "coffee-chats", "meetings", "1-1s", "1:1s", "one-on-ones", "conversations"})


@dataclass(frozen=True)
class Finding:
    """One lint finding. ``kind`` is one of the ``LINT_KINDS``; ``subject`` is what it is about
    (a person id, an alias, a link target) and ``related`` the other notes involved."""

    kind: str
    note: str
    line: int
    message: str
    subject: str | None = None
    related: tuple[str, ...] = field(default=())


LINT_KINDS = (
    "chat-without-date",
    "chat-without-participant",
    "unlinked-person",
    "duplicate-person",
    "shared-alias",
    "broken-link",
    "missing-embed",
    "invalid-front-matter",
)


def hub_folders(index: VaultIndex) -> dict[str, EntityType]:
    """The folders that hold hub notes in this vault (the usual ones and ``[hubs]`` of its config)."""
    return hub_folders_of({"hubs": index.settings.get("hubs") or {}})


def is_chat_note(
    summary: NoteSummary, parsed: ParsedNote, folders: Mapping[str, EntityType] | None = None
) -> bool:
    """A note of a conversation: it has participants, or its ``type``, a tag or its folder says
    it is a chat (``type: chat``/``1-1``/``mentoring``, ``#coffee-chat``, ``Chats/``). Hub
    notes (found with ``folders``, see :func:`hub_folders`) never are."""
    if find_hub(parsed, folders) is not None:
        return False
    if summary.participants:
        return True
    declared = parsed.metadata.get("type")
    if isinstance(declared, str) and declared.strip().casefold() in CHAT_TYPES:
        return True
    if any(tag.casefold() in CHAT_TAGS for tag in parsed.tags):
        return True
    return any(part.casefold() in CHAT_FOLDERS for part in parsed.path.split("/")[:-1])


def lint(index: VaultIndex, notes: Mapping[str, ParsedNote]) -> tuple[Finding, ...]:
    """What to fix in the vault, sorted by note, line and kind.

    - ``chat-without-date`` / ``chat-without-participant``: a chat note (see
      :func:`is_chat_note`) whose date or people could not be read;
    - ``unlinked-person``: a note names a person who has a person note, in plain text (not in a
      heading, not in a link), and never links to that note; once per note and person;
    - ``duplicate-person``: two person notes where one's name is the other's name or alias;
    - ``shared-alias``: one alias in the ``aliases`` of two notes (links by alias become a guess);
    - ``broken-link``: a link to a note that does not exist (Obsidian offers to create it, but
      it is usually a typo or a renamed note);
    - ``missing-embed``: an embed (``![[file]]``) of a file that is not in the vault; reported
      apart from broken links, since a missing picture is lost content, not a link to write;
    - ``invalid-front-matter``: front matter that is not valid YAML (its date, people and
      aliases are not read).
    Private notes (``private: true``) are checked for everything except unlinked names.
    """
    folders = hub_folders(index)
    findings: list[Finding] = []
    summaries = {n.path: n for n in index.notes}
    for path in sorted(notes):
        parsed, summary = notes[path], summaries.get(path)
        if summary is None:
            continue
        if is_chat_note(summary, parsed, folders):
            if not summary.date:
                findings.append(Finding("chat-without-date", path, 1, f"{path}: chat note without a date; add `date: YYYY-MM-DD` to its front matter"))
            if not summary.participants:
                findings.append(
                    Finding("chat-without-participant", path, 1, f"{path}: chat note without a person; add `person: Full Name` to its front matter")
                )
        unresolved = set(summary.unresolved)
        reported: set[str] = set()
        for link in parsed.links:
            if link.target not in unresolved or link.target in reported:
                continue
            reported.add(link.target)
            name = link.target.rpartition("/")[2]
            is_file = "." in name and not name.lower().endswith(".md")
            if link.embed and is_file:
                findings.append(Finding("missing-embed", path, max(link.line, 1), f"{path}:{link.line}: embeds '{link.target}', which is not in the vault", link.target))
            else:
                findings.append(Finding("broken-link", path, max(link.line, 1), f"{path}:{link.line}: links to '{link.target}', which does not exist", link.target))
    for warning in index.warnings:
        if warning.kind == "invalid-yaml" and warning.path:
            findings.append(Finding("invalid-front-matter", warning.path, 1, warning.message))
    findings.extend(_unlinked_people(index, notes, summaries))
    findings.extend(_duplicate_hubs(notes, folders))
    kinds = {k: i for i, k in enumerate(LINT_KINDS)}
    return tuple(sorted(findings, key=lambda f: (f.note, f.line, kinds.get(f.kind, 99), f.subject or "")))


def _unlinked_people(index: VaultIndex, notes: Mapping[str, ParsedNote], summaries: Mapping[str, NoteSummary]) -> list[Finding]:
    out = []
    for entity in index.entities:
        if entity.type is not EntityType.PERSON or not entity.note:
            continue
        first: dict[str, Any] = {}
        for mention in sorted(entity.mentions, key=lambda m: (m.note, m.start)):
            if mention.note in (entity.note, ADVICE_INDEX) or mention.note in first or mention.start < 0:
                continue
            if mention.source not in (Source.TEXT, Source.GAZETTEER):
                continue
            parsed, summary = notes.get(mention.note), summaries.get(mention.note)
            if parsed is None or summary is None or summary.private or entity.note in summary.links:
                continue
            if any(h.start <= mention.start <= h.end for h in parsed.headings):
                continue
            if any(l.start <= mention.start < l.end for l in parsed.links):
                continue
            first[mention.note] = mention
        for note, mention in first.items():
            out.append(
                Finding(
                    "unlinked-person",
                    note,
                    mention.line,
                    f"{note}:{mention.line}: '{mention.text}' is {entity.name} ({entity.note}) but the note never links to them; "
                    "`vaultlink link --write` adds the link",
                    entity.id,
                    (entity.note,),
                )
            )
    return out


def _duplicate_hubs(notes: Mapping[str, ParsedNote], folders: Mapping[str, EntityType]) -> list[Finding]:
    out = []
    people: list[tuple[str, str, tuple[str, ...]]] = []
    alias_owners: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for path in sorted(notes):
        parsed = notes[path]
        hub = find_hub(parsed, folders)
        if hub is not None and hub.type is EntityType.PERSON:
            people.append((path, parsed.name, parsed.aliases))
        for alias in parsed.aliases:
            owners = alias_owners[fold(alias)]
            if all(p != path for p, _ in owners):
                owners.append((path, alias))
    surfaces: dict[str, list[tuple[str, str]]] = defaultdict(list)  # folded name or alias -> (path, name)
    for path, name, aliases in people:
        for surface in dict.fromkeys(fold(s) for s in (name, *aliases)):
            surfaces[surface].append((path, name))
    pairs: set[tuple[str, str]] = set()
    for path_b, name_b, _ in people:
        for path_a, name_a in surfaces.get(fold(name_b), ()):
            if path_a != path_b:
                pairs.add(tuple(sorted((path_a, path_b))))  # type: ignore[arg-type]
    names = {path: name for path, name, _ in people}
    for path_a, path_b in sorted(pairs):
        out.append(
            Finding(
                "duplicate-person",
                path_b,
                1,
                f"{path_b}: the same person as {path_a} ('{names[path_b]}' / '{names[path_a]}'); merge them into one note",
                names[path_a],
                (path_a,),
            )
        )
    for key, owners in alias_owners.items():
        if len(owners) > 1:
            paths = tuple(p for p, _ in owners)
            out.append(
                Finding(
                    "shared-alias",
                    paths[-1],
                    1,
                    f"alias '{owners[0][1]}' is given by {len(paths)} notes ({', '.join(paths)}); keep it on one",
                    owners[0][1],
                    paths[:-1],
                )
            )
    return out


def lint_json(findings: Sequence[Finding]) -> dict[str, Any]:
    counts: dict[str, int] = defaultdict(int)
    for f in findings:
        counts[f.kind] += 1
    return {
        "schema": SCHEMA,
        "ok": not findings,
        "count": len(findings),
        "counts": dict(sorted(counts.items())),
        "findings": [
            {"kind": f.kind, "note": f.note, "line": f.line, "message": f.message, "subject": f.subject, "related": list(f.related)}
            for f in findings
        ],
    }


def render_lint(findings: Sequence[Finding]) -> str:
    """One line per finding, ``path:line: [kind] message``, then a count by kind."""
    if not findings:
        return "No problems found.\n"
    lines = []
    for f in findings:
        message = f.message
        prefix = f"{f.note}:{f.line}: "
        if message.startswith(prefix):
            message = message[len(prefix) :]
        elif message.startswith(f"{f.note}: "):
            message = message[len(f.note) + 2 :]
        lines.append(f"{f.note}:{f.line}: [{f.kind}] {message}")
    counts: dict[str, int] = defaultdict(int)
    for f in findings:
        counts[f.kind] += 1
    lines.append("")
    lines.append(f"{len(findings)} problem{'s' if len(findings) != 1 else ''}: " + ", ".join(f"{k} {n}" for k, n in sorted(counts.items())))
    return "\n".join(lines) + "\n"
