"""Resolve names to things: link targets to files, the way Obsidian does.

Obsidian resolves ``[[target]]`` case-insensitively by note name (the file name without
``.md``), or by path when the target holds a ``/``. When several files share a name it takes the
exact path, then a file in the linking note's folder, then the shortest path. Aliases are not
link targets: ``[[Stef]]`` does not reach a note whose alias is Stef.
"""

from __future__ import annotations

import hashlib
import operator
import posixpath
from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Iterable

from vaultlink.model import (
    ME,
    Advice,
    Entity,
    EntityType,
    Issue,
    Link,
    LinkKind,
    Mention,
    ParsedNote,
    Relation,
    RelationType,
    Source,
    fold,
)

from vaultlink.extract import ExtractContext, Found, NoteFacts, find_hub
from vaultlink.extract.lexicon import build_word_automaton, iter_words, word_view
from vaultlink.extract.names import slug
from vaultlink.extract.topics import topic_from_note
from vaultlink.markdown import line_of

if TYPE_CHECKING:
    import ahocorasick


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
        # a wikilink is relative only when written so: Obsidian's "relative path" link format
        if link.kind is LinkKind.MARKDOWN and not target.startswith("/") or target.startswith(("./", "../")):
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


# Entities ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NoteInput:
    """One note as entity resolution sees it: parse, local facts, and vault-name matches."""

    parsed: ParsedNote
    facts: NoteFacts
    matches: tuple[Found, ...] = ()


@dataclass
class Registry:
    """Every name the vault confirms, folded, mapped to its canonical form."""

    people: dict[str, str] = field(default_factory=dict)
    companies: dict[str, str] = field(default_factory=dict)
    person_hubs: dict[str, str] = field(default_factory=dict)  # canonical -> hub path
    company_hubs: dict[str, str] = field(default_factory=dict)
    topic_hubs: dict[str, str] = field(default_factory=dict)  # topic id -> hub path
    aliases: dict[str, list[str]] = field(default_factory=dict)  # canonical -> aliases
    first_names: dict[str, list[str]] = field(default_factory=dict)  # folded first word -> canonical full names

    def digest(self) -> str:
        """What phase-two matching depends on: changes when a confirmed name comes or goes."""
        data = repr((sorted(self.people.items()), sorted(self.companies.items())))
        return hashlib.sha256(data.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def build_registry(inputs: list[NoteInput], ctx: ExtractContext) -> Registry:
    """Collect the names the vault confirms: hubs and their aliases, chat participants, full
    names found in context, companies found in context, and the config's people."""
    reg = Registry()
    for item in sorted(inputs, key=lambda i: i.parsed.path):
        hub = find_hub(item.parsed, ctx.hub_folders)
        if hub is None:
            continue
        if hub.type is EntityType.PERSON:
            reg.person_hubs.setdefault(hub.name, hub.path)
            _register(reg.people, hub.name, hub.name)
            for alias in hub.aliases:
                _register(reg.people, alias, hub.name)
            reg.aliases.setdefault(hub.name, []).extend(hub.aliases)
        elif hub.type is EntityType.COMPANY:
            canonical = _canonical_company(hub.name, ctx)
            reg.company_hubs.setdefault(canonical, hub.path)
            _register(reg.companies, hub.name, canonical)
            for alias in hub.aliases:
                _register(reg.companies, alias, canonical)
            reg.aliases.setdefault(canonical, []).extend(a for a in hub.aliases if a != canonical)
            if hub.name != canonical:
                reg.aliases[canonical].append(hub.name)
        else:
            reg.topic_hubs.setdefault(topic_from_note(hub.name, hub.aliases, ctx.taxonomy).id, hub.path)
    for name, aliases in ctx.extra_people.items():
        _register(reg.people, name, name)
        for alias in aliases:
            _register(reg.people, alias, name)
        if aliases:
            reg.aliases.setdefault(name, []).extend(a for a in aliases if a not in reg.aliases.get(name, []))
    for item in inputs:
        for found in item.facts.found:
            if found.type is EntityType.PERSON and len(found.name.split()) >= 2:
                _register(reg.people, found.name, found.name)
            elif found.type is EntityType.COMPANY:
                _register(reg.companies, found.name, found.name)
    for key, canonical in list(reg.people.items()):
        if " " in canonical:
            first = fold(canonical.split()[0])
            names = reg.first_names.setdefault(first, [])
            if canonical not in names:
                names.append(canonical)
    return reg


def _register(table: dict[str, str], surface: str, canonical: str) -> None:
    key = fold(surface)
    if key and key not in table:
        table[key] = canonical


def _canonical_company(name: str, ctx: ExtractContext) -> str:
    known = ctx.lexicon.companies.get(fold(name))
    return known.name if known else ctx.extra_companies.get(fold(name), name)


def build_matcher(reg: Registry, ctx: ExtractContext) -> ahocorasick.Automaton:
    """One automaton over every confirmed person name, alias and non-gazetteer company name."""
    table: dict[str, tuple[EntityType, str]] = {}
    for key, canonical in reg.people.items():
        if len(key) >= 3:
            table[key] = (EntityType.PERSON, canonical)
    for key, canonical in reg.companies.items():
        if key in ctx.lexicon.companies or len(key) < 2:
            continue  # gazetteer names were matched with their own rules in extraction
        table.setdefault(key, (EntityType.COMPANY, canonical))
    return build_word_automaton(table)  # type: ignore[arg-type]


def match_vault_names(
    parsed: ParsedNote, masked: str, matcher: ahocorasick.Automaton, view: str | None = None
) -> tuple[Found, ...]:
    """Phase two: every confirmed name of the vault where this note writes it, capitalised.

    ``view`` is :func:`word_view` of ``masked`` when the caller already has it.
    """
    if not len(matcher):
        return ()
    out = []
    for start, end, (key, (kind, canonical)) in iter_words(matcher, view if view is not None else word_view(masked)):
        if not masked[start : start + 1].isupper() or (start > 0 and masked[start - 1] == "-"):
            continue  # lowercase, or the tail of a hyphenated name ("Jean-Pierre")
        if canonical.isupper() and key == fold(canonical) and not masked[start:end].isupper():
            continue  # an acronym is written in capitals: "At Netflix" is not "AT" (its long alias may be in any case)
        out.append(Found(kind, canonical, line_of(parsed.line_starts, start), start, end, Source.TEXT, "vault"))
    return tuple(out)


@dataclass
class Resolution:
    entities: tuple[Entity, ...]
    relations: tuple[Relation, ...]
    advice: tuple[Advice, ...]
    participants: dict[str, tuple[str, ...]]  # note path -> person ids
    warnings: tuple[Issue, ...]


_MENTION_ORDER = operator.itemgetter(0, 1, 4)  # (note, line, start) of a Mention, at C speed


def resolve_entities(inputs: list[NoteInput], reg: Registry, ctx: ExtractContext) -> Resolution:
    """Turn names as written into entities, and claims into relations between them."""
    mentions: dict[str, list[Mention]] = defaultdict(list)
    names: dict[str, str] = {}
    types: dict[str, EntityType] = {}
    hub_paths: dict[str, str] = {}
    relations: dict[tuple[str, str, RelationType], dict[str, Any]] = {}
    advice: list[Advice] = []
    participants: dict[str, tuple[str, ...]] = {}
    warnings: list[Issue] = []
    ambiguous_seen: set[tuple[str, str]] = set()
    minted: dict[tuple[EntityType, str], str] = {}

    def entity_id(kind: EntityType, canonical: str) -> str:
        key = (kind, canonical)
        eid = minted.get(key)
        if eid is None:
            eid = minted[key] = f"{kind.value}:{slug(canonical)}"
            names.setdefault(eid, canonical)
            types[eid] = kind
        return eid

    topic_eids: dict[str, str] = {}
    company_ids: dict[str, str] = {}  # name as written -> entity id: what company() answers does not depend on the note

    def topic_entity(topic_id: str) -> str:
        eid = topic_eids.get(topic_id)
        if eid is None:  # a vault names a few dozen topics hundreds of thousands of times
            eid = topic_eids[topic_id] = f"topic:{topic_id}"
            topic = ctx.taxonomy.get(topic_id)
            names.setdefault(eid, topic.name if topic else topic_id)
            types[eid] = EntityType.TOPIC
        return eid

    def relate(source: str, target: str, kind: RelationType, path: str, date: str | None) -> None:
        entry = relations.get((source, target, kind))
        if entry is None:
            entry = relations[(source, target, kind)] = {"notes": {}, "date": None}
        entry["notes"][path] = None
        if date and (entry["date"] is None or date > entry["date"]):
            entry["date"] = date

    for canonical, path in reg.person_hubs.items():
        hub_paths[entity_id(EntityType.PERSON, canonical)] = path
    for canonical, path in reg.company_hubs.items():
        hub_paths[entity_id(EntityType.COMPANY, canonical)] = path

    for item in sorted(inputs, key=lambda i: i.parsed.path):
        parsed, facts = item.parsed, item.facts
        path, date = parsed.path, parsed.date
        local_first: dict[str, set[str]] = defaultdict(set)
        for full in [f.name for f in facts.found if f.type is EntityType.PERSON and " " in f.name] + [
            p for p in facts.participants if " " in p
        ]:
            local_first[fold(full.split()[0])].add(full)

        def person(name: str, strength: str) -> str | None:
            key = fold(name)
            if key in reg.people and (" " in reg.people[key] or " " not in name):
                canonical = reg.people[key]
                if " " in canonical or " " in name:
                    return entity_id(EntityType.PERSON, canonical)
            if " " in name:
                return entity_id(EntityType.PERSON, reg.people.get(key, name))
            same_note = sorted(local_first.get(key, ()))
            if len(same_note) == 1:
                return entity_id(EntityType.PERSON, reg.people.get(fold(same_note[0]), same_note[0]))
            candidates = reg.first_names.get(key, [])
            if len(same_note) > 1 or len(candidates) > 1:
                pool = same_note if len(same_note) > 1 else candidates
                if (path, key) not in ambiguous_seen:
                    ambiguous_seen.add((path, key))
                    warnings.append(
                        Issue(path, "ambiguous-name", f"{path}: '{name}' could be {' or '.join(sorted(pool))}; not merged. "
                              "Write the full name or link it to settle it")
                    )
                return None
            if len(candidates) == 1:
                return entity_id(EntityType.PERSON, candidates[0])
            if key in reg.people:
                return entity_id(EntityType.PERSON, reg.people[key])
            if strength in ("participant", "strong", "speaker", "hub", "link"):
                return entity_id(EntityType.PERSON, name)
            return None

        def company(name: str) -> str:
            eid = company_ids.get(name)
            if eid is None:  # the same few hundred names, tens of thousands of times
                eid = company_ids[name] = entity_id(
                    EntityType.COMPANY, reg.companies.get(fold(name), _canonical_company(name, ctx))
                )
            return eid

        ids_here: dict[str, str] = {}
        chat_people: list[str] = []
        for name in facts.participants:
            pid = person(name, "participant")
            if pid:
                chat_people.append(pid)
                ids_here[fold(name)] = pid
        participants[path] = tuple(dict.fromkeys(chat_people))
        seen_spans: set[tuple[int, int, EntityType]] = set()
        for found in (*facts.found, *item.matches):
            if found.start >= 0:
                span = (found.start, found.end, found.type)
                if span in seen_spans:
                    continue
                seen_spans.add(span)
            if found.type is EntityType.PERSON:
                eid = person(found.name, found.strength)
                if eid:
                    ids_here.setdefault(fold(found.name), eid)
            else:
                eid = company(found.name)
            if eid is None:
                continue
            mentions[eid].append(Mention(path, found.line, found.name, found.source, found.start, found.end))
        for pid in chat_people:
            relate(ME, pid, RelationType.TALKED_WITH, path, date)

        def resolve_name(name: str | None) -> str | None:
            if name is None:
                return None
            return ids_here.get(fold(name)) or person(name, "strong")

        for claim in facts.claims:
            subject = resolve_name(claim.subject)
            if subject is None:
                continue
            if claim.type is RelationType.INTRODUCED:
                target = resolve_name(claim.object)
                if target and target != subject:
                    relate(subject, target, claim.type, path, date)
            else:
                relate(subject, company(claim.object), claim.type, path, date)
        for fact in facts.advice:
            speaker = resolve_name(fact.draft.speaker) if fact.draft.speaker else None
            if speaker is None and len(chat_people) == 1:
                speaker = chat_people[0]
            topic_ids = tuple(topic_entity(t) for t in fact.topics)
            advice.append(Advice(path, fact.draft.line, speaker, fact.draft.question, fact.draft.text, topic_ids, date))
            if speaker:
                for topic_id in topic_ids:
                    relate(speaker, topic_id, RelationType.ADVISED_ON, path, date)
        for hit in facts.topics:
            tid = topic_entity(hit.topic)
            source = Source.TITLE if facts.hub is EntityType.TOPIC and hit.offset == 0 else Source.TEXT
            mentions[tid].append(Mention(path, line_of(parsed.line_starts, hit.offset), hit.evidence, source))

    for topic_id, path in reg.topic_hubs.items():
        hub_paths[topic_entity(topic_id)] = path

    relations = _settle_employers(relations, inputs)
    entities = []
    for eid in sorted(names):
        if eid not in mentions and eid not in hub_paths:
            continue
        canonical = names[eid]
        aliases = list(reg.aliases.get(canonical, []))
        if types[eid] is EntityType.COMPANY:
            known = ctx.lexicon.companies.get(fold(canonical))
            if known is not None:
                aliases.extend(a for a in (known.name, *known.aliases) if a != canonical)
        elif types[eid] is EntityType.TOPIC:
            topic = ctx.taxonomy.get(eid.partition(":")[2])
            if topic is not None:
                aliases.extend(topic.aliases)
        entities.append(
            Entity(
                id=eid,
                type=types[eid],
                name=canonical,
                aliases=tuple(dict.fromkeys(a for a in aliases if fold(a) != fold(canonical))),
                note=hub_paths.get(eid),
                mentions=tuple(sorted(mentions.get(eid, ()), key=_MENTION_ORDER)),
            )
        )
    kept = {entity.id for entity in entities} | {ME}
    ordered = tuple(
        Relation(source, target, kind, tuple(sorted(entry["notes"])), entry["date"])
        for (source, target, kind), entry in sorted(relations.items(), key=lambda item: (item[0][0], item[0][1], item[0][2]._value_))
        if source in kept and target in kept  # never a relation to an entity that was not kept
    )
    # advice told by someone not kept (a speaker who is no one's name) is nobody's
    advice = [a if a.person is None or a.person in kept else replace(a, person=None) for a in advice]
    return Resolution(tuple(entities), ordered, tuple(advice), participants, tuple(warnings))


def _settle_employers(
    relations: dict[tuple[str, str, RelationType], dict[str, Any]], inputs: list[NoteInput]
) -> dict[tuple[str, str, RelationType], dict[str, Any]]:
    """A person both ``works_at`` and ``worked_at`` one company: the latest note decides."""
    for (source, target, kind) in list(relations):
        if kind is not RelationType.WORKS_AT:
            continue
        past = relations.get((source, target, RelationType.WORKED_AT))
        if past is None:
            continue
        now = relations[(source, target, kind)]
        if (past["date"] or "") > (now["date"] or ""):
            del relations[(source, target, kind)]
            past["notes"].update(now["notes"])
        else:
            del relations[(source, target, RelationType.WORKED_AT)]
            now["notes"].update(past["notes"])
    return relations
