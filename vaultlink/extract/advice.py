"""Advice in chat notes: a question and its answer, and the bullets under Advice / Takeaways.

Questions are written as headings, bold or italic lines, plain lines ending in "?", or "Me:"
lines of a transcript; the answer is what follows until the next question or heading. In a
transcript, each "Name: ..." line answering a question is an item of that speaker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vaultlink.markdown import line_of
from vaultlink.model import ParsedNote, SpanKind

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
    tight = _without_link_syntax(parsed, masked).split("\n")  # the same lines, for the text of items
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
            name = speaker.group("name")
            said = _text(tight[number - 1], speaker.start("text"), speaker.end("text"))
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
            text = _text(tight[number - 1], bullet.end(), len(line))
            if text:
                items.append(AdviceDraft(number, None, text, None, start + bullet.end(), start + len(line)))
            continue
        emphasis = _EMPHASIS_LINE.match(line)
        is_question_line = not bullet and (stripped.endswith("?") and len(stripped) < 300)
        if emphasis or is_question_line:
            flush()
            in_advice = False
            group = next((g for g in ("b", "u", "i", "j") if emphasis.group(g)), None) if emphasis else None
            text = _text(tight[number - 1], *(emphasis.span(group) if emphasis and group else (0, len(line))))
            question = (text.rstrip(":"), number, start, start + len(raw))
            continue
        if (_OTHER_LABEL.match(stripped) or _is_bare_label(stripped)) and not bullet:
            flush()
            in_advice, question = False, None
            continue
        if question is not None:
            answer.append((number, start, start + len(line), _text(tight[number - 1], bullet.end() if bullet else 0, len(line))))
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


# Where a link's brackets, target and bar were. A text note holds no NUL (one among a note's first
# bytes makes it binary, and it is skipped); a stray one further on is dropped from an item's text.
_GAP = "\x00"


def _without_link_syntax(parsed: ParsedNote, masked: str) -> str:
    """``masked`` with the blanks that stood for the syntax of a link ("[[", "Target|", "]]",
    "(url)") or for a whole embed made :data:`_GAP`, same length; :func:`_text` drops them.

    The mask blanks link syntax to spaces so offsets hold, and an item's text read from it kept
    them: "ex-[[Canva]]" read "ex- Canva", "[[Canva]]'s" read "Canva 's". Its text then changed
    once vaultlink linked a name, and with it every hub that quoted it, run after run.
    """
    parts: list[str] = []
    pos = 0
    for span in parsed.protected:
        if span.kind is not SpanKind.WIKILINK and span.kind is not SpanKind.MDLINK or span.start < pos:
            continue
        region = masked[span.start : span.end]
        shown = region.strip()
        lead = len(region) - len(region.lstrip()) if shown else len(region)
        parts += [masked[pos : span.start], _GAP * lead, shown, _GAP * (len(region) - lead - len(shown))]
        pos = span.end
    if not parts:
        return masked
    parts.append(masked[pos:])
    return "".join(parts)


def _text(line: str, start: int, end: int) -> str:
    """``line[start:end]`` of :func:`_without_link_syntax`'s lines, without the link syntax, stripped."""
    return line[start:end].replace(_GAP, "").strip()


def _tidy(text: str) -> str:
    """Text read from the prose mask, readable again: a tag, a comment or inline code blanked
    to spaces before a comma leaves "said so #later ," to read "said so,"."""
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
