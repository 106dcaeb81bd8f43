"""Topics: a taxonomy of career-advice subjects, each found by a strong phrase or two weak cues."""

from __future__ import annotations

import re
from dataclasses import dataclass

import ahocorasick

from vaultlink.extract.lexicon import Topic, build_automaton
from vaultlink.extract.names import slug
from vaultlink.model import fold

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n")


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
            for phrase in (*topic.strong, topic.name, *topic.aliases):
                entries = table.setdefault(lower(phrase), [])
                entries[:] = [e for e in entries if e[0] != topic.id] + [(topic.id, True)]
        self._automaton: ahocorasick.Automaton = build_automaton(table)  # type: ignore[arg-type]
        self.key = "|".join(sorted(f"{t.id}:{t.name}:{','.join(t.strong)}:{','.join(t.weak)}:{','.join(t.aliases)}" for t in topics))

    def find(self, text: str, strict: bool = False) -> list[TopicHit]:
        """Topics of ``text``: a strong phrase alone, or two different weak cues of one topic.

        ``strict`` is for prose that is not advice (a bio line, a paragraph of context): there a
        strong phrase needs a second cue of the same topic, so a passing "data analyst" does not
        make the note about data science.
        """
        if not len(self._automaton):
            return []
        low = lower(text)
        strong: dict[str, int] = {}
        strong_surfaces: dict[str, set[str]] = {}
        weak: dict[str, dict[str, int]] = {}
        for end, (surface, entries) in self._automaton.iter(low):
            start = end - len(surface) + 1
            if not _is_word_at(low, start, end + 1):
                continue
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
        for topic_id, cues in weak.items():
            if topic_id not in found and len(cues) >= 2:
                found[topic_id] = min(cues.values())
        hits = []
        for topic_id, position in sorted(found.items(), key=lambda item: item[1]):
            sentence, offset = _sentence_at(text, position)
            hits.append(TopicHit(topic_id, sentence, offset))
        return hits


def topic_from_note(name: str, aliases: tuple[str, ...], taxonomy: dict[str, Topic]) -> Topic:
    """The taxonomy topic a topic hub note stands for (by name or alias), or a new topic."""
    keys = {fold(name), *(fold(a) for a in aliases)}
    for topic in taxonomy.values():
        if keys & {fold(topic.name), fold(topic.id.replace("-", " ")), *(fold(a) for a in topic.aliases)}:
            return Topic(topic.id, topic.name, tuple(dict.fromkeys((*topic.aliases, *aliases))), topic.strong, topic.weak)
    return Topic(slug(name), name, aliases, (fold(name), *(fold(a) for a in aliases)), ())


def lower(text: str) -> str:
    """Lowercase with the same length, so offsets in the result are offsets in ``text``."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(ch if len(ch.lower()) != 1 else ch.lower() for ch in text)


def _is_word_at(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not (before.isalnum() or before == "_") and not (after.isalnum() or after == "_")


def _sentence_at(text: str, position: int) -> tuple[str, int]:
    start = 0
    for match in _SENTENCE_END.finditer(text, 0, position):
        start = match.end()
    end_match = _SENTENCE_END.search(text, position)
    end = end_match.start() if end_match else len(text)
    return " ".join(text[start:end].split()), start
