"""Advice in chat notes: a question and its answer, and the bullets under Advice / Takeaways.

Questions are written as headings, bold or italic lines, plain lines ending in "?", or "Me:"
lines of a transcript; the answer is what follows until the next question or heading. In a
transcript, each "Name: ..." line answering a question is an item of that speaker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vaultlink.markdown import line_of
from vaultlink.model import ParsedNote

_ADVICE_LABEL = re.compile(
    r"^(?:#{1,6}[ \t]+)?(?:\*\*|__)?[ \t]*(?:(?:his|her|their|key|main|top|my|some)[ \t]+)?"
    r"(?:advice|takeaways?|tips?|lessons?(?:[ \t]+learn(?:ed|t))?|learnings?|key[ \t]+points?|recommendations?|"
    r"what[ \t]+i[ \t]+learn(?:ed|t)|insights?|pointers?|suggestions?|wisdom|notes?[ \t]+to[ \t]+self|rules?[ \t]+of[ \t]+thumb)"
    r"(?:[ \t]+\(.*\))?[ \t]*:?[ \t]*(?:\*\*|__)?[ \t]*:?[ \t]*$",
    re.I,
)
# A label line that closes an advice section without being advice itself ("Some mistakes:").
_OTHER_LABEL = re.compile(r"^(?:#{1,6}[ \t]+)?(?:\*\*|__)?[^:?.!]{1,40}:(?:\*\*|__)?[ \t]*$")
_NON_QUESTION_HEADINGS = re.compile(
    r"^(?:notes?|background|context|summary|agenda|questions?|action[ \t]+items?|next[ \t]+steps?|follow[- ]?ups?|"
    r"todo|to[ \t]+do|mistakes?|reflections?|logistics|about|bio|intro(?:duction)?|prep|preparation|people|links|"
    r"resources|references|misc|other|details|who|when|where)\b",
    re.I,
)
_BULLET = re.compile(r"^[ \t]*(?:[-*+•◦▪‣]|\d+[.)])[ \t]+(?:\[[ xX]\][ \t]+)?")
_EMPHASIS_LINE = re.compile(r"^[ \t]*(?:\*\*(?P<b>[^*\n]+?)\*\*|__(?P<u>[^_\n]+?)__|\*(?P<i>[^*\s][^*\n]*?)\*|_(?P<j>[^_\s][^_\n]*?)_)[ \t]*:?[ \t]*$")
# A pasted chat log stamps each line: "[08:09] Aroha Ngata: …", "14:02 - Sam: …".
SPEAKER_STAMP = r"(?:\[[^\]\n]{1,24}\][ \t]*|\d{1,2}[:.]\d{2}(?::\d{2})?(?:[ \t]*[AaPp][Mm])?[ \t]+(?:[-–][ \t]+)?)?"
_SPEAKER = re.compile(
    r"^[ \t]*(?:[-*•][ \t]+)?" + SPEAKER_STAMP + r"(?:\*\*)?(?P<name>[A-Z\u00C0-\u00DE][\w'’-]*(?:[ \t][A-Z\u00C0-\u00DE][\w'’-]*)?)(?:\*\*)?[ \t]*:(?:\*\*)?[ \t]+(?P<text>\S.*)$"
)
AUTHOR_SPEAKERS = frozenset({"me", "i", "q", "question", "myself", "interviewer"})
_ANSWER_SPEAKERS = frozenset({"a", "answer"})
_NOT_SPEAKERS = frozenset({"note", "update", "edit", "ps", "tldr", "tl;dr"})  # "Note: ..." is no one speaking


@dataclass(frozen=True)
class AdviceDraft:
    """An advice item as found in one note, before its speaker is resolved to a person."""

    line: int
    question: str | None
    text: str
    speaker: str | None  # a name written as "Name:" in a transcript, else None
    start: int
    end: int
    question_start: int = -1
    question_end: int = -1


def find_advice(parsed: ParsedNote, masked: str, stopwords: frozenset[str]) -> list[AdviceDraft]:
    """Every advice item of a note, in order. ``masked`` is the note's prose mask."""
    heading_lines = {h.line: h for h in parsed.headings}
    title_key = parsed.title.casefold()
    items: list[AdviceDraft] = []
    question: tuple[str, int, int, int] | None = None  # text, line, start, end
    answer: list[tuple[int, int, int, str]] = []  # (line, start, end, text)
    in_advice = False
    lines = masked.split("\n")
    offset = 0
    first_body_line = line_of(parsed.line_starts, parsed.frontmatter_end)

    def flush() -> None:
        nonlocal answer
        if answer and question is not None:
            text = " ".join(part for _, _, _, part in answer)
            items.append(AdviceDraft(answer[0][0], question[0], text, None, answer[0][1], answer[-1][2], question[2], question[3]))
        answer = []

    for number, raw in enumerate(lines, 1):
        start = offset
        offset += len(raw) + 1
        if number < first_body_line:
            continue
        line = raw.rstrip("\r")
        stripped = line.strip()
        if not stripped:
            continue
        heading = heading_lines.get(number)
        if heading is not None:
            flush()
            text = heading.text.strip().strip("*_").strip()
            in_advice = bool(_ADVICE_LABEL.match(text))
            is_title = heading.level == 1 and text.casefold() == title_key
            if in_advice or is_title or not text or _NON_QUESTION_HEADINGS.match(text) or number == first_body_line:
                question = None
            else:
                question = (text, number, start, start + len(raw))
            continue
        if _ADVICE_LABEL.match(stripped):
            flush()
            in_advice, question = True, None
            continue
        speaker = _SPEAKER.match(line)
        if speaker and (key := speaker.group("name").casefold()) not in stopwords and key not in _NOT_SPEAKERS:
            name, said = speaker.group("name"), speaker.group("text").strip()
            if name.casefold() in AUTHOR_SPEAKERS:
                flush()
                question = (said, number, start, start + len(raw)) if said.endswith("?") else question
                continue
            if question is not None or in_advice:
                who = None if name.casefold() in _ANSWER_SPEAKERS else name
                items.append(
                    AdviceDraft(
                        number,
                        question[0] if question else None,
                        said,
                        who,
                        start + speaker.start("text"),
                        start + len(line),
                        question[2] if question else -1,
                        question[3] if question else -1,
                    )
                )
                continue
        bullet = _BULLET.match(line)
        if bullet and in_advice:
            text = line[bullet.end() :].strip()
            if text:
                items.append(AdviceDraft(number, None, text, None, start + bullet.end(), start + len(line)))
            continue
        emphasis = _EMPHASIS_LINE.match(line)
        is_question_line = not bullet and (stripped.endswith("?") and len(stripped) < 300)
        if emphasis or is_question_line:
            flush()
            in_advice = False
            text = next((g for g in emphasis.groups() if g), stripped) if emphasis else stripped
            question = (text.strip().rstrip(":"), number, start, start + len(raw))
            continue
        if (_OTHER_LABEL.match(stripped) or _is_bare_label(stripped)) and not bullet:
            flush()
            in_advice, question = False, None
            continue
        if question is not None:
            answer.append((number, start, start + len(line), stripped if not bullet else line[bullet.end() :].strip()))
    flush()
    return [  # built afresh: dataclasses.replace costs more than the rest of a line's work
        AdviceDraft(
            item.line,
            _tidy(item.question) if item.question else None,
            _tidy(item.text),
            item.speaker,
            item.start,
            item.end,
            item.question_start,
            item.question_end,
        )
        for item in items
    ]


_SPACED_PUNCTUATION = tuple((" " + mark, mark) for mark in ",.;:!?)")  # marks that take no space before them


# Where a link was glued to the word before it ("ex-[[Canva]]") or to "'s" after it, the mask
# left the blanks of its brackets: two or more spaces ("ex-  Canva"), or one before a capital
# for a markdown link ("ex- Canva"). A person types neither, and left there, the text of an item
# would change once vaultlink links the name, and the hub quoting it with it, run after run.
_LINK_GAP = re.compile(r"(?<=\w-)(?: {2,}| (?=[A-Z]))(?=\S)|(?<=\S) {2,}(?=['\u2019]s\b)")


def _tidy(text: str) -> str:
    """Text read from the prose mask, readable again: a link's brackets were blanked to spaces,
    so "[[Remote work|distributed teams]]," reads "distributed teams,"."""
    if "- " in text or "  " in text:
        text = _LINK_GAP.sub("", text)
    text = " ".join(text.split())
    # After the join every gap is one space, so removing " ," and the like one mark at a time
    # is what re.sub(r"\s+([,.;:!?)])", r"\1", text) does, at str.replace speed.
    for spaced, mark in _SPACED_PUNCTUATION:
        if spaced in text:
            text = text.replace(spaced, mark)
    return text


def _is_bare_label(line: str) -> bool:
    """A short line with no sentence in it ("Summary", "Next steps") closes the answer before it."""
    words = line.split()
    return 0 < len(words) <= 3 and line[-1:].isalnum() and line[:1].isupper() and not any(ch in line for ch in ".,;!?")
