"""Topics: a taxonomy of career-advice subjects, each found by a strong phrase or two weak cues."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

import ahocorasick

from vaultlink.extract.lexicon import Topic, build_word_automaton, iter_words, lower, word_view
from vaultlink.extract.names import slug
from vaultlink.model import fold

# A sentence ends at whitespace after . ! or ?, or at a line break: r"(?<=[.!?])\s+|\n", written
# to start with \s so the regex engine skips straight to whitespace instead of trying every character.
_SENTENCE_END = re.compile(r"\s(?:(?<=[.!?]\s)\s*|(?<=\n))")


# A change of field written as a path: "went eng -> pm", "consulting → data science", "how did you
# get from an analyst job to a data scientist title", "a move out of civil engineering into
# design", "get into ML engineering from backend work". Both ends must be fields or jobs, and
# differ ("from engineer to senior engineer" is a promotion); "from ... to" needs a person's verb
# before it ("the handoff from design to engineering", "budget moves from marketing to sales"
# are not career moves); an arrow leaves out the words that also name pipeline stages ("dev ->
# qa -> prod", "frontend -> backend -> data warehouse").
CAREER_SWITCH = "career-switch"
_FIELD = (
    r"(?:software(?:[ \t]+engineering)?|eng|engineering|engineer|swe|sde|developer|coding|programming|"
    r"pm|product(?:[ \t]+management)?|product[ \t]+manager|design|designer|ux|data[ \t]+science|data[ \t]+scientist|"
    r"ds|analyst|analytics|consulting|consultant|teaching|teacher|academia|research|sales|marketing|finance|banking|"
    r"law|lawyer|medicine|nursing|architecture|architect|journalism|recruiting|hr|accounting|civil[ \t]+engineering|"
    r"mechanical[ \t]+engineering|ml[ \t]+engineering|data|tech|ml|ai|frontend|backend|dev|qa|testing|ops|devops|support)"
)
_PIPELINE = frozenset("data tech ml ai frontend backend dev qa testing ops devops support".split())
_ANY = r"(?:an?[ \t]+|the[ \t]+)?(?:[\w-]+[ \t]+){0,2}?"
_ROLE_NOUN = r"(?:[ \t]+(?:job|role|work|title|position|track|side))?"
_MOVE = (
    r"(?:go|goes|went|going|gone|get|got|getting|move|moved|moving|a[ \t]+move|switch|switched|switching|pivot|pivoted|"
    r"pivoting|transition|transitioned|transitioning|jump|jumped|jumping|made|make|making|come|came|coming)"
)
# Found from its hinge (an arrow, "from", "out of", "into"), then read both ways from there:
# one regex tried at every word of every note cost more than the rest of topic finding.
_HINGE = re.compile(r"->|→|=>|⇒|\b(?:[Ff]rom|FROM|[Oo]ut[ \t]+of|[Ii]nto)\b|(?<=\w)-to-(?=\w)")
_NOT_A_PERSON = r"(?<![Ww]e )(?<![Ii]t )(?<![Tt]hey )(?<![Tt]eam )"
_FIELD_BEFORE = re.compile(rf"\b(?P<a>{_FIELD})[ \t]*\Z", re.I)
_ARROW_FIELD = re.compile(rf"(?:-->|->|→|=>|⇒)[ \t]*(?P<b>{_FIELD})\b", re.I)
_MOVE_BEFORE = re.compile(rf"{_NOT_A_PERSON}\b{_MOVE}[ \t]+(?:[\w-]+[ \t]+){{0,2}}?\Z", re.I)
_MOVE_RIGHT_BEFORE = re.compile(rf"{_NOT_A_PERSON}\b{_MOVE}[ \t]+\Z", re.I)
_FROM_TO = re.compile(
    rf"(?:from|out[ \t]+of)[ \t]+{_ANY}(?P<a>{_FIELD}){_ROLE_NOUN}[ \t]+(?:to|into)[ \t]+{_ANY}(?P<b>{_FIELD})\b", re.I
)
# "he made the engineer-to-PM move", "her teacher-to-analyst switch": the path in one word, after
# someone who made it ("the research-to-product transition of a feature" is a team's)
_HYPHEN_AFTER = re.compile(rf"-to-(?P<b>{_FIELD})[ \t]+(?:switch|move|transition|pivot|jump|leap|path|route)\b", re.I)
_SOMEONE_BEFORE = re.compile(r"\b(?:[Hh]e|[Ss]he|[Tt]hey|I|[Hh]is|[Hh]er|[Tt]heir|[Mm]y|[A-Z][a-z]+['’]s)\b")
_INTO_FROM = re.compile(rf"into[ \t]+{_ANY}(?P<b>{_FIELD}){_ROLE_NOUN}[ \t]+from[ \t]+{_ANY}(?P<a>{_FIELD})\b", re.I)


def _career_paths(text: str) -> list[int]:
    """Where ``text`` tells of a change of field: the offset each such path starts at."""
    out = []
    for hinge in _HINGE.finditer(text):
        at = hinge.start()
        window = max(0, at - 48)
        word = hinge.group(0)[:1].lower()
        # what follows the hinge first: it fails at once for nearly every "from" in a note
        if hinge.group(0) == "-to-":
            after = _HYPHEN_AFTER.match(text, at)
            before = _FIELD_BEFORE.search(text, window, at) if after else None
            if before is None or after is None or _SOMEONE_BEFORE.search(text, window, before.start()) is None:
                continue
            ends = (before.group("a"), after.group("b"))
            if {" ".join(end.lower().split()) for end in ends} & _PIPELINE:
                continue  # "her dev-to-prod path"
        elif word in "-→=⇒":
            after = _ARROW_FIELD.match(text, at)
            before = _FIELD_BEFORE.search(text, window, at) if after else None
            if before is None or after is None:
                continue
            ends = (before.group("a"), after.group("b"))
            if {" ".join(end.lower().split()) for end in ends} & _PIPELINE:
                continue  # "dev -> qa -> prod"
        elif word == "i":
            after = _INTO_FROM.match(text, at)
            before = _MOVE_RIGHT_BEFORE.search(text, window, at) if after else None
            if before is None or after is None:
                continue
            ends = (after.group("a"), after.group("b"))
        else:
            after = _FROM_TO.match(text, at)
            before = _MOVE_BEFORE.search(text, window, at) if after else None
            if before is None or after is None:
                continue
            ends = (after.group("a"), after.group("b"))
        if set(ends[0].lower().split()) & set(ends[1].lower().split()):
            continue  # "from engineer to senior engineer"
        out.append(before.start())
    return out


_PATH_ENTRIES = ((CAREER_SWITCH, True),)


@dataclass(frozen=True)
class TopicHit:
    topic: str  # topic id, "career-switch"
    evidence: str  # the sentence that triggered it
    offset: int  # where that sentence starts in the text given


class TopicMatcher:
    """Finds topics in a piece of text. Built once per scan from the taxonomy and the vault."""

    def __init__(self, topics: tuple[Topic, ...] | list[Topic]) -> None:
        self.topics = {topic.id: topic for topic in topics}
        table: dict[str, list[tuple[str, bool]]] = {}
        for topic in topics:
            for phrase in topic.weak:
                table.setdefault(lower(phrase), []).append((topic.id, False))
            # a name listed among its own weak cues stays weak: "hiring" mostly says a company
            # has openings (a job search), not how to hire
            name = () if lower(topic.name) in {lower(phrase) for phrase in topic.weak} else (topic.name,)
            for phrase in (*topic.strong, *name, *topic.aliases):
                entries = table.setdefault(lower(phrase), [])
                entries[:] = [e for e in entries if e[0] != topic.id] + [(topic.id, True)]
        entries_of = {phrase: tuple(entries) for phrase, entries in table.items()}  # scan() hands out tuples
        self._automaton: ahocorasick.Automaton = build_word_automaton(entries_of)  # type: ignore[arg-type]
        self._last_cues: object = None
        self._last_positions: list[int] = []
        self._last_decided: dict[tuple[tuple[tuple[int, int], ...], bool], list[tuple[str, int]]] = {}
        self.key = "|".join(sorted(f"{t.id}:{t.name}:{','.join(t.strong)}:{','.join(t.weak)}:{','.join(t.aliases)}" for t in topics))

    def scan(self, text: str, view: str | None = None) -> list[tuple[int, str, tuple[tuple[str, bool], ...]]]:
        """Every whole-word topic phrase in ``text``: (offset, phrase, (topic id, strong)…), in order.

        ``view`` is :func:`word_view` of ``text`` when the caller already has it.
        """
        cues = [
            (start, surface, entries)
            for start, _end, (surface, entries) in iter_words(self._automaton, view if view is not None else word_view(text))
        ]
        if CAREER_SWITCH in self.topics:  # however many, one cue: "(a change of field)"
            cues.extend((start, "(a change of field)", _PATH_ENTRIES) for start in _career_paths(text))
        cues.sort(key=lambda cue: cue[0])
        return cues

    def _positions(self, cues: list[tuple[int, str, tuple[tuple[str, bool], ...]]]) -> list[int]:
        if self._last_cues is not cues:
            self._last_cues, self._last_positions = cues, [cue[0] for cue in cues]
            self._last_decided = {}
        return self._last_positions

    def find(self, text: str, strict: bool = False) -> list[TopicHit]:
        """Topics of ``text``: a strong phrase alone, or two different weak cues of one topic."""
        return self.find_in(text, self.scan(text), [(0, len(text))], strict)

    def topic_ids_in(
        self, cues: list[tuple[int, str, tuple[tuple[str, bool], ...]]], spans: list[tuple[int, int]]
    ) -> tuple[str, ...]:
        """The topic ids of ``spans`` (advice units: a strong phrase or two weak cues), in order."""
        return tuple(topic for topic, _ in self._decide(cues, spans, strict=False))

    def find_in(
        self,
        text: str,
        cues: list[tuple[int, str, tuple[tuple[str, bool], ...]]],
        spans: list[tuple[int, int]],
        strict: bool = False,
        skip: set[str] | frozenset[str] = frozenset(),
    ) -> list[TopicHit]:
        """Topics of the parts ``spans`` of ``text``, from cues :meth:`scan` found in all of it.

        ``strict`` is for prose that is not advice (a bio line, a paragraph of context): there a
        strong phrase needs a second cue of the same topic, so a passing "data analyst" does not
        make the note about data science.
        """
        hits = []
        for topic_id, position in self._decide(cues, spans, strict):
            if topic_id in skip:
                continue
            sentence, offset = _sentence_at(text, position)
            hits.append(TopicHit(topic_id, sentence, offset))
        return hits

    def _decide(
        self, cues: list[tuple[int, str, tuple[tuple[str, bool], ...]]], spans: list[tuple[int, int]], strict: bool
    ) -> list[tuple[str, int]]:
        positions = self._positions(cues)
        key = (tuple(spans), strict)
        known = self._last_decided.get(key)
        if known is not None:  # an advice unit's spans are asked about twice: its topics, then its hits
            return known
        strong: dict[str, int] = {}
        strong_surfaces: dict[str, set[str]] = {}
        weak: dict[str, dict[str, int]] = {}
        for lo, hi in spans:
            for index in range(bisect.bisect_left(positions, lo), bisect.bisect_left(positions, hi)):
                start, surface, entries = cues[index]
                for topic_id, is_strong in entries:
                    if is_strong:
                        strong.setdefault(topic_id, start)
                        strong_surfaces.setdefault(topic_id, set()).add(surface)
                    else:
                        weak.setdefault(topic_id, {}).setdefault(surface, start)
        found = {
            topic_id: position
            for topic_id, position in strong.items()
            if not strict or len(weak.get(topic_id, {})) + len(strong_surfaces.get(topic_id, ())) >= 2
        }
        for topic_id, found_cues in weak.items():
            if topic_id not in found and len(found_cues) >= 2:
                found[topic_id] = min(found_cues.values())
        decided = self._last_decided[key] = sorted(found.items(), key=lambda item: item[1])
        return decided


def topic_from_note(name: str, aliases: tuple[str, ...], taxonomy: dict[str, Topic]) -> Topic:
    """The taxonomy topic a topic hub note stands for (by name or alias), or a new topic."""
    keys = {fold(name), *(fold(a) for a in aliases)}
    for topic in taxonomy.values():
        if keys & {fold(topic.name), fold(topic.id.replace("-", " ")), *(fold(a) for a in topic.aliases)}:
            return Topic(topic.id, topic.name, tuple(dict.fromkeys((*topic.aliases, *aliases))), topic.strong, topic.weak)
    return Topic(slug(name), name, aliases, (fold(name), *(fold(a) for a in aliases)), ())


def _sentence_at(text: str, position: int) -> tuple[str, int]:
    window = max(0, position - 400)
    # Most sentences are short: the last 100 characters are read first. A sentence end is
    # whitespace only, so when the look starts right after a character that is not, no end
    # straddles it and the last end found there is the last of the whole window.
    near = max(window, position - 100)
    while near > window and text[near - 1].isspace():
        near -= 1
    start = 0
    for low in (near, window) if near > window else (window,):
        for match in _SENTENCE_END.finditer(text, low, position):
            start = match.end()
        if start:
            break
    end_match = _SENTENCE_END.search(text, position)
    end = end_match.start() if end_match else len(text)
    return " ".join(text[start:end].split()), start
