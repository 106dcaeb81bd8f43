"""Extraction without a model: what one note says about people, companies, relations, advice, topics.

:func:`extract_note` reads one note (its text and :class:`ParsedNote`) and returns
:class:`NoteFacts` with names *as written*. Turning names into entities across the vault
(aliases, first names, two Sams) is :mod:`vaultlink.resolve`'s job.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Mapping, NamedTuple

from vaultlink.extract import context
from vaultlink.extract.advice import AUTHOR_SPEAKERS, SPEAKER_STAMP, AdviceDraft, find_advice
from vaultlink.extract.lexicon import Lexicon, Topic, load_lexicon
from vaultlink.extract.names import PERSON, clean_name, is_person_name, is_stopword, looks_like_full_name
from vaultlink.extract.participants import company_property, frontmatter_participants, title_participants
from vaultlink.extract.lexicon import PRODUCT_WORDS as _PRODUCT_WORDS
from vaultlink.extract.lexicon import iter_words, next_word, word_view
from vaultlink.extract.topics import TopicHit, TopicMatcher, topic_from_note
from vaultlink.markdown import TABLE_DELIMITER, line_of, prose_mask
from vaultlink.model import EntityType, ParsedNote, RelationType, Source
from vaultlink.model import fold

__all__ = ["Claim", "ExtractContext", "Found", "Hub", "NoteFacts", "extract_note", "find_hub", "make_context"]

HUB_FOLDERS = {
    "people": EntityType.PERSON,
    "persons": EntityType.PERSON,
    "contacts": EntityType.PERSON,
    "companies": EntityType.COMPANY,
    "company": EntityType.COMPANY,
    "organizations": EntityType.COMPANY,
    "organisations": EntityType.COMPANY,
    "orgs": EntityType.COMPANY,
    "topics": EntityType.TOPIC,
    "topic": EntityType.TOPIC,
}
HUB_TYPES = {
    "person": EntityType.PERSON,
    "people": EntityType.PERSON,
    "contact": EntityType.PERSON,
    "company": EntityType.COMPANY,
    "org": EntityType.COMPANY,
    "organization": EntityType.COMPANY,
    "organisation": EntityType.COMPANY,
    "topic": EntityType.TOPIC,
}
_FIRST_PERSON = re.compile(r"\b(?:I|I'm|I've|I'd|we|We|my|My|our|Our)\b")
_PRONOUN = re.compile(r"\b(?:he|she|they|He|She|They|his|her|their|His|Her|Their)\b")
# Someone the named person knows, whose job the clause then tells: "a friend who works at Stripe",
# "Amara's sister works at N26", "her partner is at Monzo" (not "a partner at Sequoia": a role;
# nor "worked with a friend at Adyen": both did).
# A relative clause in commas stays in the aside ("Amara's friend, who I met at Web Summit, works at
# Revolut"); a new subject or a conjunction ends it ("a friend at Adyen before she joined Stripe");
# a comma right before the company is the cue's own ("her husband runs his own agency, Bright Pixel").
_SOMEONE_ELSE = re.compile(
    r"(?<!with )(?:(?:\b(?:[Hh]is|[Hh]er|[Tt]heir|[Mm]y|[Oo]ur|[Yy]our|[Ww]hose)|['’]s)[ \t]+(?:[\w-]+[ \t]+)?partner"
    r"|(?:\b(?:[Aa]|[Aa]n|[Hh]is|[Hh]er|[Tt]heir|[Mm]y|[Oo]ur|[Yy]our|[Ww]hose)|['’]s)[ \t]+(?:[\w-]+[ \t]+)?"
    r"(?:friend|sister|brother|sibling|husband|wife|spouse|boyfriend|girlfriend|fianc[ée]e?|cousin|mom|mum|dad"
    r"|mother|father|parent|son|daughter|kid|roommate|flatmate|housemate|co-?worker|colleague|boss|neighbou?r"
    r"|classmate|uncle|aunt))s?\b(?:,[ \t]*(?:who|whom|whose)\b[^,;\n]*,)?"
    r"(?:(?!\b(?:she|he|they|I|we|before|after|when|while|until|then)\b)[^,;\n])*,?[ \t]*\Z"
)
_IN_BEFORE = re.compile(r"\bin[ \t]+\Z")
# After a name on a company hub's list: its role there ("— data scientist", "(CEO)").
# Where a person's name must be for a company hub's list item to be about them
_LIST_HEAD = re.compile(
    r"[ \t]*(?:[-*+•]|\d+[.)])[ \t]+(?:(?:[Cc]o-?)?(?:[Ff]ounded|[Rr]un|[Ll]ed)[ \t]+by[ \t]+)?(?:\*\*|\[\[)?"
)
# Words that say a job is not, or no longer, someone's: "— intern last summer", "(former CTO)"
_NOT_HELD = r"former|formerly|ex-|turned[ \t]+down|declined|rejected|interview\w*"
# ... and on a company hub's list, what says they are elsewhere: "— now at Stripe", "at Notion"
_HUB_ELSEWHERE = re.compile(
    rf"[^\n]{{0,80}}?\b(?:{_NOT_HELD}|left|was|used[ \t]+to|now[ \t]+at|at[ \t]+[A-Z]|on[ \t]+the[ \t]+[A-Z])"
)
# Where a list item turns to someone's past ("…, previously an engineer at Naver"): what follows
# is no sign that they work elsewhere now.
_PAST_ASIDE = re.compile(r"[,;(][ \t]*(?:previously|formerly|before[ \t]+that|prior[ \t]+to|ex-)|\n", re.I)
_NOW_ELSEWHERE = re.compile(r"[^\n]*?\bnow[ \t]+(?:at|with)[ \t]+(?:\[\[)?[A-Z]")  # "…; before that Coupang, now at Toss"
# The sections of a company hub that list people who do not work there
_OUTSIDERS = re.compile(
    r"\b(?:candidates?|interview(?:s|ed|ees?)?|applicants?|investors?|customers?|clients?|"
    r"alumni|former|ex-|past|partners?|advisors?|advisers?|competitors?)",
    re.I,
)
_HUB_ROLE_TAIL = re.compile(rf"(?:\]\])?[ \t]*(?:[—–-]{{1,2}}|\(|,)[^\n]{{0,60}}?\b{context.ROLE}\b")
# "Leila: When I was at Twilio…": in a transcript line, "I" is the speaker.
_SPEAKER = re.compile(
    r"^[ \t]*" + SPEAKER_STAMP + r"(?:\*\*)?(?P<name>[^\W\d_][\w'’.-]*(?:[ \t]+[^\W\d_][\w'’.-]*){0,2})(?:\*\*)?[ \t]*:", re.M
)
_I_SUBJECT = re.compile(r"\b(?:I|I'm|I've|I'd|I’m|I’ve|I’d)\b")
_MY = re.compile(r"\b(?:[Mm]y|[Oo]ur)\b")
# "Met Noor Khan and Lucas Moreau, the two co-founders of Tidepool": every one of them.
_PLURAL_ROLE = re.compile(
    r"(?:,[ \t]*|[ \t]+(?:are|were)[ \t]+)(?:the[ \t]+)?(?:two[ \t]+|three[ \t]+|four[ \t]+)?(?:co-?)?founders[ \t]+of[ \t]+\Z"
)
# After a person list: "Noor Khan and Lucas Moreau", "Ana, Bo and Cy"
_NAME_LIST_GAP = re.compile(r"[ \t]*(?:,[ \t]*(?:and[ \t]+)?|[ \t]+and[ \t]+|[ \t]*&[ \t]*)")
# Words after a dash that say the job is not (or no longer) theirs
_NOT_A_JOB_HELD = re.compile(rf"\b(?:{_NOT_HELD}|alum(?:na|nus|ni)?|last|offer)\b")
# An unknown name that goes on in lowercase and capitals: "Women in Tech Berlin", "Ladies that Code".
# After "in" it goes on only for a group in a field ("Black in AI"): "at Turkcell in Istanbul" is a place.
_NAME_GOES_ON = re.compile(r"[ \t]+(?:(?P<in>in)|for|on|that|who|of)[ \t]+[A-Z]")
_GROUPS_IN = frozenset("women black queer latinx latinas girls moms mothers parents people".split())
# What the word before a "known company" cue may not be followed by: the company doing something
_COMPANY_DOES = re.compile(
    r"[ \t]+(?:is|was|were|are|has|had|pays|paid|does|did|will|would|hires|hired|uses|used|known|says|said|seems|looks)\b"
)
_SENTENCE_BREAK = re.compile(r"[.!?](?=\s)|\n[ \t]*\n|\n[ \t]*(?:[-*+•]|\d+\.)[ \t]")
_PERSON_RE = re.compile(PERSON)


@dataclass(frozen=True)
class Found:
    """A name seen in a note, as written, with where and how it was found."""

    type: EntityType
    name: str
    line: int
    start: int
    end: int
    source: Source
    strength: str = ""  # people: strong / medium / weak / name / participant


@dataclass(frozen=True)
class Claim:
    """A relation stated in a note, between names as written (``subject`` None: the author)."""

    type: RelationType
    subject: str | None
    object: str
    line: int


@dataclass(frozen=True)
class AdviceFacts:
    draft: AdviceDraft
    topics: tuple[str, ...]


@dataclass(frozen=True)
class NoteFacts:
    """Everything one note says, before vault-wide resolution."""

    hub: EntityType | None
    participants: tuple[str, ...]
    found: tuple[Found, ...]
    claims: tuple[Claim, ...]
    advice: tuple[AdviceFacts, ...]
    topics: tuple[TopicHit, ...]
    is_chat: bool = False


@dataclass(frozen=True)
class Hub:
    """A note that stands for a person, company or topic."""

    path: str
    type: EntityType
    name: str
    aliases: tuple[str, ...]


@dataclass
class ExtractContext:
    """What extraction needs to know beyond one note: the lexicon, the vault's hubs, the config."""

    lexicon: Lexicon
    hubs: dict[str, Hub]  # folded name or alias -> hub
    topics: TopicMatcher
    taxonomy: dict[str, Topic]
    never: frozenset[str] = frozenset()  # folded names never to extract
    key: str = ""
    extra_people: dict[str, tuple[str, ...]] = field(default_factory=dict)  # name -> aliases, from the config
    extra_companies: dict[str, str] = field(default_factory=dict)  # folded surface -> canonical
    hub_folders: dict[str, EntityType] = field(default_factory=lambda: dict(HUB_FOLDERS))


def find_hub(parsed: ParsedNote, hub_folders: Mapping[str, EntityType] | None = None) -> Hub | None:
    """The entity a note stands for, by ``type:`` property, hub folder, or tag; else None."""
    declared = parsed.metadata.get("type")
    kind = HUB_TYPES.get(str(declared).strip().casefold()) if isinstance(declared, str) else None
    if kind is None:
        folders = hub_folders or HUB_FOLDERS
        for part in parsed.path.split("/")[:-1]:
            kind = folders.get(part.casefold())
            if kind is not None:
                break
    if kind is None:
        for tag in parsed.tags:
            kind = HUB_TYPES.get(tag.casefold())
            if kind is not None:
                break
    if kind is None:
        return None
    return Hub(parsed.path, kind, parsed.name, parsed.aliases)


def make_context(
    hubs: list[Hub],
    config: Mapping[str, Any] | None = None,
    lexicon: Lexicon | None = None,
) -> ExtractContext:
    """Build the extraction context from the vault's hub notes and the config."""
    lexicon = lexicon or load_lexicon()
    config = config or {}
    taxonomy = {topic.id: topic for topic in lexicon.topics}
    for hub in hubs:
        if hub.type is EntityType.TOPIC:
            topic = topic_from_note(hub.name, hub.aliases, taxonomy)
            taxonomy[topic.id] = topic
    for item in config.get("topics", []):
        topic = topic_from_note(item["name"], tuple(item.get("aliases", ())), taxonomy)
        phrases = tuple(fold(p) for p in item.get("phrases", ()))
        taxonomy[topic.id] = Topic(topic.id, topic.name, topic.aliases, topic.strong + phrases, topic.weak)
    by_name: dict[str, Hub] = {}
    for hub in sorted(hubs, key=lambda h: h.path):
        for surface in (hub.name, *hub.aliases):
            by_name.setdefault(fold(surface), hub)
    extra_companies = {}
    for item in config.get("companies", []):
        for surface in (item["name"], *item.get("aliases", ())):
            extra_companies[fold(surface)] = item["name"]
    matcher = TopicMatcher(list(taxonomy.values()))
    never = frozenset(fold(n) for n in config.get("never", ()))
    people = {item["name"]: tuple(item.get("aliases", ())) for item in config.get("people", [])}
    key = "\n".join(
        [
            matcher.key,
            *sorted(f"{h.path}|{h.type.value}|{'|'.join(h.aliases)}" for h in hubs),
            repr(sorted(never)),
            repr(sorted(people.items())),
            repr(sorted(extra_companies.items())),
        ]
    )
    folders = hub_folders_of(config)
    key += "\n" + repr(sorted((k, v.value) for k, v in folders.items()))
    return ExtractContext(lexicon, by_name, matcher, taxonomy, never, key, people, extra_companies, folders)


def hub_folders_of(config: Mapping[str, Any] | None) -> dict[str, EntityType]:
    """Folder names (case-folded) that hold hub notes: the defaults and ``[hubs]`` of the config."""
    folders = dict(HUB_FOLDERS)
    for kind, folder in ((config or {}).get("hubs") or {}).items():
        entity_type = {"people": EntityType.PERSON, "companies": EntityType.COMPANY, "topics": EntityType.TOPIC}.get(kind)
        if entity_type is not None and isinstance(folder, str) and folder.strip("/"):
            folders[folder.strip("/").rpartition("/")[2].casefold()] = entity_type
    return folders


def extract_note(
    parsed: ParsedNote, text: str, ctx: ExtractContext, masked: str | None = None, view: str | None = None
) -> NoteFacts:
    """What one note says. ``masked`` is its prose mask and ``view`` the :func:`word_view` of
    that mask, each computed when not given."""
    if masked is None:
        masked = prose_mask(text, parsed.protected)
    lexicon = ctx.lexicon
    starts = parsed.line_starts
    hub = find_hub(parsed, ctx.hub_folders)
    found: list[Found] = []
    claims: list[Claim] = []

    def add_person(name: str, start: int, end: int, source: Source, strength: str) -> None:
        name = clean_name(name)
        if fold(name) in ctx.never or not is_person_name(name, lexicon):
            return
        if strength in ("weak", "medium") and " " in name and not looks_like_full_name(name, lexicon):
            return  # "Canadian Dollars (CAD)": a loose context needs a known given name too
        found.append(Found(EntityType.PERSON, name, line_of(starts, start) if start >= 0 else 0, start, end, source, strength))

    def add_company(name: str, start: int, end: int, source: Source) -> str | None:
        name = clean_name(name)
        canonical = _company_name(name, ctx)
        if canonical is None:
            return None
        found.append(Found(EntityType.COMPANY, canonical, line_of(starts, start) if start >= 0 else 0, start, end, source))
        return canonical

    participants: list[str] = []
    # Dataview's inline fields ("company:: Stripe") say what properties say; a property wins
    properties = {**parsed.fields, **parsed.metadata} if parsed.fields else parsed.metadata
    if hub is not None:
        if hub.type is EntityType.PERSON:
            add_person(hub.name, -1, -1, Source.TITLE, "hub")
        elif hub.type is EntityType.COMPANY:
            add_company(hub.name, -1, -1, Source.TITLE)
    else:
        participants = frontmatter_participants(properties, lexicon)
        role_company = None
        body = masked[parsed.frontmatter_end :]
        if parsed.headings and parsed.headings[0].level == 1:
            body = masked[parsed.headings[0].end :]  # not the title heading itself
        if not participants:
            for title in _title_lines(parsed, text):
                names, _role, role_company = title_participants(title, lexicon, body)
                if names:
                    participants = names
                    break
        else:
            for title in _title_lines(parsed, text):
                _names, _role, role_company = title_participants(title, lexicon, body)
                if role_company:
                    break
        if not participants:
            participants = _first_line_participants(parsed, masked, lexicon)
        participants = [p for p in participants if fold(p) not in ctx.never]
        for name in participants:
            add_person(name, -1, -1, Source.TITLE, "participant")
        if role_company and len(participants) == 1:
            canonical = add_company(role_company, -1, -1, Source.TITLE)
            if canonical:
                claims.append(Claim(RelationType.WORKS_AT, participants[0], canonical, 0))

    subject_default = hub.name if hub is not None and hub.type is EntityType.PERSON else (
        participants[0] if len(participants) == 1 else None
    )
    current, past = company_property(properties)
    for names, relation in ((current, RelationType.WORKS_AT), (past, RelationType.WORKED_AT)):
        for name in names:
            canonical = add_company(name, -1, -1, Source.FRONTMATTER)
            if canonical and subject_default:
                claims.append(Claim(relation, subject_default, canonical, 0))

    table_claims: list[Claim] = []  # what a table of people says, unless the prose says otherwise
    for row in _people_table_rows(masked):  # | Harriet Okonjo | Senior data engineer | Ocado |
        if not looks_like_full_name(row.name, lexicon) or fold(row.company) in _NO_COMPANY:
            continue  # "| Shakshuka Bowl | …", "| Priya Das | … | Freelance |"
        before = len(found)
        add_person(row.name, row.name_start, row.name_start + len(row.name), Source.TEXT, "strong")
        canonical = add_company(row.company, row.company_start, row.company_start + len(row.company), Source.TEXT)
        if canonical and len(found) > before + 1:
            table_claims.append(Claim(RelationType.WORKS_AT, found[before].name, canonical, line_of(starts, row.name_start)))

    for link in parsed.links:
        target_hub = ctx.hubs.get(fold(link.target.rpartition("/")[2].removesuffix(".md")))
        if target_hub is None or link.embed:
            continue
        if target_hub.type is EntityType.PERSON:
            found.append(Found(EntityType.PERSON, target_hub.name, link.line, link.start, link.end, Source.LINK, "link"))
        elif target_hub.type is EntityType.COMPANY:
            found.append(Found(EntityType.COMPANY, target_hub.name, link.line, link.start, link.end, Source.LINK))

    runs, people_hits, company_hits = context.find_context(masked)
    for hit in people_hits:
        add_person(hit.name, hit.start, hit.end, Source.TEXT, hit.label)
    for run in runs:
        person = _PERSON_RE.match(run.text)
        if person is not None and " " in person.group(0):
            name = clean_name(person.group(0))
            if looks_like_full_name(name, lexicon):
                add_person(name, run.start, run.start + len(name), Source.TEXT, "name")

    context_spans = {(hit.start, hit.end) for hit in company_hits}
    context_starts = {hit.start for hit in company_hits}
    if view is None:
        view = word_view(masked)
    gazetteer_ends: dict[int, int] = {}
    named: list[tuple[int, int, str]] = []
    for start, stop, (surface, company) in iter_words(lexicon.company_automaton, view):
        if stop < len(masked) and masked[stop] == "-" and masked[stop + 1 : stop + 2].isalpha():
            continue  # "meta-learning"
        if surface in company.common:  # "Left Stripe in 2014": the context is read where the name starts
            if not masked[start : start + 1].isupper() or (
                start not in context_starts and context.company_label(masked, start, stop, None, None) is None
            ):
                continue
        if next_word(view, stop) in _PRODUCT_WORDS:
            continue  # "Google Sheets", "google docs", "MIT license": a product, not the company
        named.append((start, stop, company.name))
    for start, stop, name in _longest(named):  # "Kakao Ventures", not Kakao too
        found.append(Found(EntityType.COMPANY, name, line_of(starts, start), start, stop, Source.GAZETTEER))
        gazetteer_ends[start] = max(gazetteer_ends.get(start, 0), stop)
        if start not in context_starts:
            label = context.company_label(masked, start, stop, None, None)
            if label is not None:
                company_hits.append(context.Hit(masked[start:stop], start, stop, label))
                context_starts.add(start)
    not_employers: set[int] = set()  # where a loose cue names no employer: no relation starts there
    for hit in company_hits:
        if hit.label in ("known", "known_past") and not _may_be_employer(hit, masked, ctx, lexicon):
            not_employers.add(hit.start)
            continue
        if hit.label in ("at", "mention", "direct", "known", "known_past") and fold(clean_name(hit.name)) not in ctx.hubs:
            continue  # an unknown name needs a relation context ("worked at", "ex-", "joined")
        if _IN_BEFORE.search(masked, max(0, hit.start - 8), hit.start) and fold(clean_name(hit.name)) not in ctx.hubs:
            continue  # "a year in Lyon": after "in", an unknown name is a place more often than an employer
        if hit.start in gazetteer_ends:
            if hit.end <= gazetteer_ends[hit.start] or (
                context.ROLE_AFTER.fullmatch(masked, gazetteer_ends[hit.start], hit.end) and fold(clean_name(hit.name)) not in ctx.hubs
            ):
                continue  # the gazetteer pass above has it, and knows where it ends ("ex-Spotify PM")
        elif fold(clean_name(hit.name)) not in lexicon.companies and _name_goes_on(masked, hit):
            continue  # "the founder of Women in Tech Berlin": not a company called "Women"
        if _is_an_event(masked, hit) and fold(clean_name(hit.name)) not in lexicon.companies:
            continue  # "Joined Lenny's Slack community", "was at Figma Config": not where anyone works
        add_company(hit.name, hit.start, hit.end, Source.TEXT)

    person_names = {fold(f.name) for f in found if f.type is EntityType.PERSON and f.strength not in ("weak", "medium", "name")}
    found = [f for f in found if f.type is not EntityType.COMPANY or fold(f.name) not in person_names]
    company_spans = [(f.start, f.end) for f in found if f.type is EntityType.COMPANY and f.start >= 0]
    company_chars = {i for s, e in company_spans for i in range(s, e)}
    found = [
        f
        for f in found
        if f.type is not EntityType.PERSON
        or f.strength not in ("weak", "medium", "name")
        or not any(i in company_chars for i in range(f.start, f.end))
    ]
    for name, start, end in _transcript_speakers(masked):
        if looks_like_full_name(name, lexicon):  # "Aroha Ngata:", not "Working Capital:" or "Action Item:"
            add_person(name, start, end, Source.TEXT, "strong")  # "Me: and meetings?" / "Aroha Ngata: async by default."
    found.extend(_first_name_mentions(runs, found, participants, starts, ctx))
    people = sorted((f for f in found if f.type is EntityType.PERSON and f.start >= 0), key=lambda f: f.start)
    people_starts = [p.start for p in people]
    known_names = {fold(p.name): p.name for p in found if p.type is EntityType.PERSON}
    transcript: list[bool] = []  # worked out on first need: does the note read as a transcript?

    def speaker_at(position: int) -> str | None:
        if not transcript:
            transcript.append(len({fold(m.group("name")) for m in _SPEAKER.finditer(masked)}) >= 2)
        return _line_speaker(masked, position, known_names) if transcript[0] else None

    first_jobs: list[int] = []
    companies_at = {f.start: f.name for f in found if f.type is EntityType.COMPANY and f.start >= 0}
    for hit in company_hits:
        if hit.label not in ("current", "past", "direct", "known", "known_past", "first"):
            continue
        company = companies_at.get(hit.start)
        if company is None:
            continue
        if hit.start in not_employers or _is_an_event(masked, hit):
            continue  # "Joined Strava club run", "Was at Google I/O"
        if hit.label == "direct":
            index = bisect.bisect_left(people_starts, hit.start) - 1
            gap = context.DIRECT_GAP.fullmatch(masked, people[index].end, hit.start) if index >= 0 else None
            if gap is None:
                continue
            if gap.group("paren") is not None and not _employer_in_parentheses(masked, hit, company, lexicon):
                continue
            if gap.group("dash") is not None and _NOT_A_JOB_HELD.search(masked, gap.start(), min(len(masked), hit.end + 16)):
                continue  # "Kofi — intern last summer, Microsoft", "— engineer, Google alum"
        relation = RelationType.WORKED_AT if hit.label in ("past", "known_past") else RelationType.WORKS_AT
        line = line_of(starts, hit.start)
        plural = _PLURAL_ROLE.search(masked, max(0, hit.start - 40), hit.start)
        if plural is not None:
            together = _named_just_before(masked, plural.start(), people, people_starts)
            if len(together) > 1:
                claims.extend(Claim(relation, name, company, line) for name in together)
                continue
        subject = _subject_before(masked, hit.start, people, people_starts, subject_default, speaker_at)
        if subject is None:
            continue
        if hit.label == "first":
            first_jobs.append(len(claims))
        claims.append(Claim(relation, subject, company, line))
    for at in first_jobs:
        # "She started as an analyst at Mu Sigma": past when the note has her working elsewhere now
        started = claims[at]
        key = _given(started.subject)
        if any(
            c.type is RelationType.WORKS_AT and c.object != started.object and _given(c.subject) == key
            for i, c in enumerate(claims)
            if i not in first_jobs
        ):
            claims[at] = replace(started, type=RelationType.WORKED_AT)

    for match in context.find_introductions(masked):
        groups = match.re.groupindex
        introducer = clean_name(match.group("a")) if "a" in groups else subject_default
        if "b" in groups and match.group("b"):
            introduced = [clean_name(match.group("b"))]
        else:
            introduced = list(participants)  # "Rachel set this up": she introduced me to them
        if not introducer or not is_person_name(introducer, lexicon):
            continue
        if "a" in groups:
            add_person(introducer, match.start("a"), match.start("a") + len(introducer), Source.TEXT, "strong")
        for newcomer in introduced:
            if fold(introducer) != fold(newcomer):
                claims.append(Claim(RelationType.INTRODUCED, introducer, newcomer, line_of(starts, match.start())))

    drafts = find_advice(parsed, masked, lexicon.stopwords)
    if not participants and hub is None:
        # A FAQ or a how-to page asks questions too: outside a chat, only what a named speaker
        # said, or what sits under an Advice / Takeaways heading, counts as advice.
        drafts = [d for d in drafts if d.speaker or d.question is None]
    cues = ctx.topics.scan(masked, view)
    known_people = _known_people(participants, found)
    advice = []
    for draft in drafts:
        if draft.speaker and _is_speaker_name(draft.speaker, known_people, lexicon):
            found.append(Found(EntityType.PERSON, draft.speaker, draft.line, -1, -1, Source.TEXT, "speaker"))
            known_people.add(fold(draft.speaker))
        spans = [(draft.question_start, draft.question_end), (draft.start, draft.end)]
        advice.append(AdviceFacts(draft, ctx.topics.topic_ids_in(cues, spans)))

    if hub is not None and hub.type is EntityType.TOPIC:
        own = topic_from_note(hub.name, hub.aliases, ctx.taxonomy)
        topics = [TopicHit(own.id, hub.name, 0)]
    else:
        topics = []
    seen_topics = {t.topic for t in topics}
    for fact in advice:
        spans = [(fact.draft.question_start, fact.draft.question_end), (fact.draft.start, fact.draft.end)]
        # fact.topics came from these very spans: find_in gives the hits of those not yet seen,
        # in the same order, cutting an evidence sentence only for them.
        for topic_hit in ctx.topics.find_in(masked, cues, spans, skip=seen_topics):
            seen_topics.add(topic_hit.topic)
            topics.append(topic_hit)
    body_start = parsed.frontmatter_end
    if parsed.headings and parsed.headings[0].level == 1 and fold(parsed.headings[0].text) in {fold(parsed.title), fold(parsed.name)}:
        body_start = max(body_start, parsed.headings[0].end)
    cue_starts = [cue[0] for cue in cues]
    for paragraph_start, paragraph in _paragraphs(masked, body_start):
        first = bisect.bisect_left(cue_starts, paragraph_start)
        if first >= len(cue_starts) or cue_starts[first] >= paragraph_start + len(paragraph):
            continue
        # Advice units above take a topic on one strong phrase; elsewhere a passing mention
        # ("a data analyst at…") needs a second cue of the same topic (strict).
        for topic_hit in ctx.topics.find_in(
            masked, cues, [(paragraph_start, paragraph_start + len(paragraph))], True, skip=seen_topics
        ):
            if topic_hit.topic not in seen_topics:
                seen_topics.add(topic_hit.topic)
                topics.append(topic_hit)

    questions = [(a.draft.question_start, a.draft.question_end) for a in advice if a.draft.question]
    supported = _supported_topics(cues, body_start, questions)
    if hub is not None and hub.type is EntityType.TOPIC:
        supported.add(topics[0].topic)  # a topic's own hub note is about it, however it is written
    topics = [t for t in topics if t.topic in supported]
    advice = [AdviceFacts(a.draft, tuple(t for t in a.topics if t in supported)) for a in advice]

    if hub is not None and hub.type is EntityType.COMPANY:
        for someone in found:
            # The person heads a list item: "- [[Priya Raman]]" (a person's hub), "- Anneke de
            # Vries — co-founder and CTO", "- [[Florian Hartmann]] — data scientist" (a role).
            if (
                someone.type is EntityType.PERSON
                and someone.start >= 0
                and someone.strength != "first"
                and _LIST_HEAD.fullmatch(text, text.rfind("\n", 0, someone.start) + 1, someone.start)
                and (someone.source is Source.LINK or _HUB_ROLE_TAIL.match(masked, someone.end))
                and not _HUB_ELSEWHERE.match(masked, someone.end, _past_aside(masked, someone.end))
                and not _NOW_ELSEWHERE.match(masked, someone.end)
                and not _OUTSIDERS.search(_section_heading(parsed, someone.start))
            ):
                claims.append(Claim(RelationType.WORKS_AT, someone.name, hub.name, someone.line))
    told = {(claim.subject, claim.object) for claim in claims}
    claims.extend(claim for claim in table_claims if (claim.subject, claim.object) not in told)
    is_chat = hub is None and bool(participants)
    return NoteFacts(
        hub=hub.type if hub else None,
        participants=tuple(dict.fromkeys(participants)),
        found=tuple(found),
        claims=tuple(dict.fromkeys(claims)),
        advice=tuple(advice),
        topics=tuple(topics),
        is_chat=is_chat,
    )


def _first_name_mentions(
    runs: list[context.Run], found: list[Found], participants: list[str], starts: tuple[int, ...], ctx: ExtractContext
) -> list[Found]:
    """"Stefan" where this note also names Stefan Mai (or has him as its participant)."""
    full = {f.name for f in found if f.type is EntityType.PERSON and " " in f.name} | {p for p in participants if " " in p}
    firsts = {name.split()[0] for name in full}
    if not firsts:
        return []
    taken = {(f.start, f.end) for f in found if f.start >= 0}
    out = []
    for run in runs:
        words = run.text.split()
        first = words[0][:-2] if words[0].endswith(("'s", "’s")) else words[0]
        if first not in firsts or (run.text != first and words[0] == first and len(words) > 1):
            continue
        if fold(first) in ctx.lexicon.stopwords and fold(first) not in ctx.lexicon.first_names:
            continue
        span = (run.start, run.start + len(first))
        if span not in taken:
            out.append(Found(EntityType.PERSON, first, line_of(starts, run.start), span[0], span[1], Source.TEXT, "first"))
    return out


def _known_people(participants: list[str], found: list[Found]) -> set[str]:
    """Folded names, and first names, of the people a note already names."""
    names = list(participants) + [f.name for f in found if f.type is EntityType.PERSON]
    return {fold(n) for n in names} | {fold(n.split()[0]) for n in names if " " in n}


def _is_speaker_name(name: str, known: set[str], lexicon: Lexicon) -> bool:
    """A "Name:" line speaks for a person when the name is a participant, a person already
    found in the note, or a given name ("Omar:"); "Average:" or "Aliases:" is not."""
    key = fold(name)
    if key in known:
        return True
    return is_person_name(name, lexicon) and (
        looks_like_full_name(name, lexicon) or (" " not in name and key in lexicon.first_names)
    )


def _company_name(name: str, ctx: ExtractContext) -> str | None:
    """The canonical company for a name found in context, or None when it cannot be one."""
    key = fold(name)
    if not key or key in ctx.never:
        return None
    known = ctx.lexicon.companies.get(key)
    if known is not None:
        return known.name
    if key in ctx.extra_companies:
        return ctx.extra_companies[key]
    hub = ctx.hubs.get(key)
    if hub is not None:
        return hub.name if hub.type is EntityType.COMPANY else None
    words = name.split()
    if not words or len(words) > 4 or len(name) < 2 or not name[:1].isupper() or is_stopword(name, ctx.lexicon):
        return None  # "O" of "Google I/O" is no company, known or not
    if any(fold(w) in ctx.lexicon.stopwords for w in words) and len(words) == 1:
        return None
    if fold(words[0]) in ctx.lexicon.first_names and len(words) >= 2:
        return None  # "Priya Raman" is a person
    if len(words) == 1 and fold(words[0]) in ctx.lexicon.first_names:
        return None
    return name


def _title_lines(parsed: ParsedNote, text: str) -> list[str]:
    """Where a chat's title may be written: the ``title`` property or file name, the first
    heading, and the first line of the body when it is short."""
    lines = [parsed.title]
    if parsed.title != parsed.name:
        lines.append(parsed.name)
    if parsed.headings:
        lines.append(parsed.headings[0].text)
    body = text[parsed.frontmatter_end : parsed.frontmatter_end + 300].lstrip().split("\n", 1)[0].strip()
    if body and len(body) < 80:
        lines.append(body.lstrip("#").strip())
    return lines


def _first_line_participants(parsed: ParsedNote, masked: str, lexicon: Lexicon) -> list[str]:
    """A first paragraph that names them: "Had a chat today with Stefan Mai, who…"."""
    head = masked[parsed.frontmatter_end : parsed.frontmatter_end + 600]
    match = re.search(
        rf"\b(?:chat|chatted|call|coffee|met|meeting|spoke|talked|lunch|sync|conversation|catch-?up|session|interview)"
        rf"\b[^.\n]{{0,40}}?\bwith[ \t]+(?P<p>{PERSON})",
        head,
    )
    if match:
        name = clean_name(match.group("p"))
        if is_person_name(name, lexicon):
            return [name]
    return []


def _employer_in_parentheses(masked: str, hit: context.Hit, company: str, lexicon: Lexicon) -> bool:
    """Whether "Anna Berg (X)" or "Anna Berg (PM, X)" says where she works: X closes the
    parentheses or a list in them, and is neither how you talked (Zoom, LinkedIn) nor a school."""
    if masked[hit.end : hit.end + 1] not in (")", ","):
        return False
    known = lexicon.companies.get(fold(company))
    return fold(company) not in context.CHANNELS and fold(hit.name) not in context.CHANNELS and (
        known is None or known.kind != "university"
    )


class _TableRow(NamedTuple):
    name: str
    name_start: int
    company: str
    company_start: int


_BAR = re.compile(r"(?<!\\)\|")  # a cell edge; "\|" is a bar inside a cell
_NAME_COLUMNS = frozenset(("name", "person", "who", "contact", "people"))
_COMPANY_COLUMNS = frozenset(("company", "org", "organisation", "organization", "employer", "firm", "works at"))
# What a company cell may say instead of a company
_NO_COMPANY = frozenset(
    "freelance freelancer self-employed independent looking unemployed student retired stealth none n/a tbd tbc "
    "various unknown".split()
) | {"between jobs", "on a break", "open to work", "stealth startup"}


def _people_table_rows(masked: str) -> list[_TableRow]:
    """The rows of a table of people with a name column and a company column ("| Name | Role |
    Company |"): each person with where they work, as written, and where each starts."""
    rows: list[_TableRow] = []
    if "|" not in masked or "-" not in masked:  # no table: no bar, or no rule under a header
        return rows
    lines = masked.split("\n")
    index = 0
    offset = 0  # where lines[index] starts
    while index + 1 < len(lines):
        rule = lines[index + 1]
        if "|" not in lines[index] or "|" not in rule or not TABLE_DELIMITER.fullmatch(rule):
            offset += len(lines[index]) + 1
            index += 1
            continue
        header = [lines[index][a:b].strip().casefold() for a, b in _cell_spans(lines[index])]
        name_at = next((i for i, c in enumerate(header) if c in _NAME_COLUMNS), None)
        company_at = next((i for i, c in enumerate(header) if c in _COMPANY_COLUMNS), None)
        offset += len(lines[index]) + len(lines[index + 1]) + 2
        index += 2
        while index < len(lines) and "|" in lines[index]:
            line = lines[index]
            cells = _cell_spans(line)
            if name_at is not None and company_at is not None and max(name_at, company_at) < len(cells):
                name, company = (_stripped(line, *cells[name_at]), _stripped(line, *cells[company_at]))
                if name[1] > name[0] and line[company[0] : company[0] + 1].isalnum() and "\\" not in line[name[0] : name[1]]:
                    rows.append(_TableRow(line[name[0] : name[1]], offset + name[0], line[company[0] : company[1]], offset + company[0]))
            offset += len(line) + 1
            index += 1
    return rows


def _cell_spans(line: str) -> list[tuple[int, int]]:
    """Where each cell of a table line lies, outer bars or not."""
    edges = [m.start() for m in _BAR.finditer(line)]
    if not edges:
        return []
    if line[: edges[0]].strip():
        edges.insert(0, -1)
    if line[edges[-1] + 1 :].strip():
        edges.append(len(line))
    return [(a + 1, b) for a, b in zip(edges, edges[1:])]


def _stripped(line: str, start: int, end: int) -> tuple[int, int]:
    """``line[start:end]`` without blanks and emphasis marks at either end, nor a note in
    parentheses at its end ("**Tom Hale**", "Anna Berg (recruiter)"), as a span."""
    while start < end and line[start] in " \t*_":
        start += 1
    while end > start and line[end - 1] in " \t\r*_":
        end -= 1
    if line[end - 1 : end] == ")" and (open_at := line.rfind("(", start, end)) > start:
        end = open_at
        while end > start and line[end - 1] in " \t":
            end -= 1
    return start, end


# How the author's lines of a chat log end their speaker: "Me:", "**Me:**", "Q:", "I:"
_AUTHOR_MARKS = ("Me:", "me:", "ME:", "Me**:", "Q:", "I:", "Question:", "Interviewer:", "Myself:")


# What a name is when these words end it or follow it: an event, a community, a habit
_EVENT_WORDS = (
    r"club|community|group|channel|run|meetup|meet-up|streak|call|webinar|event|conference|summit|config|camp|"
    r"course|class|program|programme|bootcamp|waitlist|newsletter|server|hackathon|party|workshop|talk|session|"
    r"offsite|retreat|week|festival|fair|expo|day|days|night|live|grind|marathon|challenge"
)
_EVENT_AFTER = re.compile(rf"/[A-Z]|[ \t]+(?:{_EVENT_WORDS})\b", re.I)
_EVENT_LAST = re.compile(rf"\b(?:{_EVENT_WORDS})\Z", re.I)


def _is_an_event(masked: str, hit: context.Hit) -> bool:
    """Whether the name a cue found is an event or a community ("Google I/O", "Figma Config",
    "Strava club run", "Fintech Week"), not a company."""
    return _EVENT_AFTER.match(masked, hit.end) is not None or _EVENT_LAST.search(hit.name) is not None


def _longest(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """The spans that no other span holds ("Tata Consultancy Services" holds "Tata"), in order."""
    if len(spans) < 2:
        return spans
    kept: list[tuple[int, int, str]] = []
    reach = -1
    for span in sorted(spans, key=lambda s: (s[0], -s[1])):
        if span[1] > reach:
            kept.append(span)
            reach = span[1]
    return kept


def _section_heading(parsed: ParsedNote, offset: int) -> str:
    """The text of the heading the section holding ``offset`` starts with ("" before any)."""
    index = bisect.bisect_right([h.start for h in parsed.headings], offset) - 1
    return parsed.headings[index].text if index >= 0 else ""


def _past_aside(masked: str, start: int) -> int:
    """Where the line from ``start`` turns to the past or ends."""
    aside = _PAST_ASIDE.search(masked, start)
    return aside.start() if aside is not None else len(masked)


def _transcript_speakers(masked: str) -> list[tuple[str, int, int]]:
    """The full names (two or three words) that speak in a note where the author speaks too
    ("Me: …"), each where it first speaks: the people of a pasted chat log."""
    if not any(mark in masked for mark in _AUTHOR_MARKS):
        return []
    first: dict[str, tuple[str, int, int]] = {}
    for match in _SPEAKER.finditer(masked):
        first.setdefault(fold(match.group("name")), (match.group("name"), match.start("name"), match.end("name")))
    if not AUTHOR_SPEAKERS.intersection(first):
        return []
    return [found for found in first.values() if " " in found[0] and all(w[0].isupper() for w in found[0].split())]


def _line_speaker(masked: str, position: int, known: Mapping[str, str]) -> str | None:
    """The person who speaks on the line holding ``position``, when it starts "Name:" and the
    name is someone the note names; else None."""
    line_start = masked.rfind("\n", 0, position) + 1
    match = _SPEAKER.match(masked, line_start, position)
    if match is None:
        return None
    said = fold(match.group("name"))
    if said in known:
        return known[said]
    full = [name for key, name in known.items() if _given(key) == said]
    return full[0] if len(set(full)) == 1 else None


def _given(name: str) -> str:
    """A name's first word, folded ("" for no name): "Priyanka" and "Priyanka Iyer" are one person here."""
    words = fold(name).split()
    return words[0] if words else ""


def _named_just_before(masked: str, position: int, people: list[Found], people_starts: list[int]) -> list[str]:
    """The people listed right before ``position`` ("Noor Khan and Lucas Moreau", then ", the
    co-founders of"): the last one ends there, each earlier one is joined by a comma or "and"."""
    index = bisect.bisect_left(people_starts, position) - 1
    named: list[str] = []
    edge = position
    while index >= 0:
        person = people[index]
        index -= 1
        if person.end > edge or person.strength == "first":
            continue
        if named and not _NAME_LIST_GAP.fullmatch(masked, person.end, edge) or not named and person.end != edge:
            break
        named.append(person.name)
        edge = person.start
    return list(dict.fromkeys(reversed(named)))


def _name_goes_on(masked: str, hit: context.Hit) -> bool:
    """Whether an unknown name is only the start of a longer one ("Women" of "Women in Tech")."""
    goes_on = _NAME_GOES_ON.match(masked, hit.end)
    return goes_on is not None and (goes_on.group("in") is None or hit.name.split()[-1].casefold() in _GROUPS_IN)


def _may_be_employer(hit: context.Hit, masked: str, ctx: ExtractContext, lexicon: Lexicon) -> bool:
    """Whether a company a loose cue names ("previously X", "she moved from X to Y") can be where
    someone works: not a channel or a school, and not the subject of its own clause."""
    key = fold(clean_name(hit.name))
    known = lexicon.companies.get(key)
    if key in context.CHANNELS or (known is not None and (known.kind == "university" or fold(known.name) in context.CHANNELS)):
        return False
    return _COMPANY_DOES.match(masked, hit.end) is None


def _subject_before(
    masked: str,
    position: int,
    people: list[Found],
    people_starts: list[int],
    default: str | None,
    speaker_at: Callable[[int], str | None] | None = None,
) -> str | None:
    """Who a relation cue at ``position`` speaks of: the last person named earlier in the same
    sentence; a pronoun or no subject means the last person named before, or the participant;
    "I" or "we" means the author, whose employers are not tracked."""
    window = max(0, position - 400)  # a sentence is looked at no further back than this
    sentence_start = _sentence_start(masked, position, window)
    index = bisect.bisect_left(people_starts, position)
    last = next((p for p in reversed(people[max(0, index - 50) : index]) if p.end <= position), None)
    named = last if last is not None and last.start >= sentence_start else None  # in this sentence
    if _SOMEONE_ELSE.search(masked, named.end if named is not None else sentence_start, position):
        return None  # "Amara knows a friend on the platform team at N26": the friend's job
    if named is not None:
        return named.name
    clause = masked[sentence_start:position]
    first_person = _last_end(_FIRST_PERSON, clause)
    pronoun = _last_end(_PRONOUN, clause)
    if first_person > pronoun:  # "she asked why I'm leaving Sky": the last subject named is "I"
        if speaker_at is not None and _I_SUBJECT.search(clause) and not _MY.search(clause):
            return speaker_at(position)  # "Leila: When I was at Twilio…": in a transcript, I is who speaks
        return None  # the author, whose employers are not tracked
    if pronoun < 0 and _of_my_own_jobs(masked, _sentence_before(masked, sentence_start, window), sentence_start, people_starts):
        return None  # "I did three years at Accenture. Then two at Pocketdoc.": still the author
    if pronoun >= 0 or not clause.strip() or default is None:
        if last is not None and position - last.end < 1500 and (default is None or _PRONOUN.search(clause)):
            return last.name
    return default


def _last_end(pattern: re.Pattern[str], text: str) -> int:
    """Where the last match of ``pattern`` in ``text`` ends; -1 for none."""
    end = -1
    for match in pattern.finditer(text):
        end = match.end()
    return end


def _of_my_own_jobs(masked: str, start: int, end: int, people_starts: list[int]) -> bool:
    """Whether ``masked[start:end]`` is the author telling a job of their own ("I did three years
    at X"): after its last "I", a job cue and no one else ("I asked where he worked first", "I
    met Sam; Sam has been at Y" are not)."""
    sentence = masked[start:end]
    mine = _last_end(_I_SUBJECT, sentence)
    if mine < 0 or _PRONOUN.search(sentence, mine) is not None:
        return False
    named = bisect.bisect_left(people_starts, start + mine)
    return (named == len(people_starts) or people_starts[named] >= end) and context.names_a_job(sentence[mine:])


def _sentence_start(masked: str, position: int, low: int) -> int:
    """Where the sentence holding ``position`` starts: after the last sentence break before it,
    and no earlier than ``low``."""
    # The last 100 characters are read first: a break holds no letter, so when that look starts
    # right after one, no break straddles it and the last break found there is the last of all.
    near = max(low, position - 100)
    while near > low and not masked[near - 1].isalpha():
        near -= 1
    start = -1
    for first in (near, low) if near > low else (low,):
        for match in _SENTENCE_BREAK.finditer(masked, first, position):
            start = match.end()
        if start >= 0:
            break
    return max(start, low)


def _sentence_before(masked: str, sentence_start: int, window: int) -> int:
    """Where the sentence before the one at ``sentence_start`` starts, when it is on the same
    line; else ``sentence_start`` (an empty sentence)."""
    low = max(window, masked.rfind("\n", 0, sentence_start) + 1)
    return sentence_start if low >= sentence_start else _sentence_start(masked, sentence_start - 1, low)


TOPIC_EVIDENCE = 3  # a strong phrase counts 2, a weak cue 1, one more in a question asked; each form once


def _supported_topics(
    cues: list[tuple[int, str, tuple[tuple[str, bool], ...]]], start: int, questions: list[tuple[int, int]]
) -> set[str]:
    """The topics the note as a whole says enough about: ``TOPIC_EVIDENCE`` or more.

    One strong phrase in one advice line ("…before my promotion", "a cover letter") is often a
    passing word in a note about something else; a topic the note covers comes back in other
    words (a strong phrase and a weak cue, or three weak cues), and what a question asked is what
    the talk was about ("How do I move from analytics into SWE?": every cue in it counts one
    more). Measured on the sample vault and the dev set (tests/quality/dev): precision rises,
    recall barely moves.
    """
    evidence: dict[str, dict[str, int]] = {}
    asked_spans = set(questions)  # the answers to one question repeat its span
    for position, surface, entries in cues:
        if position < start:
            continue
        asked = any(lo <= position < hi for lo, hi in asked_spans)
        for topic_id, strong in entries:
            seen = evidence.setdefault(topic_id, {})
            weight = (2 if strong else 1) + (1 if asked else 0)
            seen[surface] = max(seen.get(surface, 0), weight)
    return {topic_id for topic_id, seen in evidence.items() if sum(seen.values()) >= TOPIC_EVIDENCE + (max(seen.values()) < 2)}


def _paragraphs(masked: str, start: int) -> list[tuple[int, str]]:
    out = []
    pos = start
    for match in re.finditer(r"\n[ \t\r]*\n", masked[start:]):
        end = start + match.start()
        if masked[pos:end].strip():
            out.append((pos, masked[pos:end]))
        pos = start + match.end()
    if masked[pos:].strip():
        out.append((pos, masked[pos:]))
    return out
