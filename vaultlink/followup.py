"""Follow-ups written in notes: tasks, promises and requests, with their due dates. No I/O.

What counts, in a note's prose (code, comments, front matter, HTML and the managed block that
vaultlink writes are never read):

- a task ``- [ ] …`` anywhere; ``- [x]`` (and ``- [-]``, cancelled) is done;
- a promise of mine: "I'll send…", "I will…", "I promised to…", "I need to…", or a condition
  on me: "…if I send a CV by Friday", "…once I have fixed it";
- a promise to me: "she will send me…", "he is happy to refer me…", "Sam will intro me to…";
- a request: "follow up with X", "intro me to X", "reach out to X", "check in with X";
- any list item under a heading or label that is only "Next steps", "Action items",
  "Follow-up(s)", "To do" or "TODO".

A question ("When should I follow up?") is never a follow-up; a unit struck through
(``~~…~~``) is done. Due dates are read from what is written ("by Friday", "next week",
"in two weeks", "by March 3", "tomorrow", "end of month", "within 48 hours") and resolved
against the date the note was written; without that date only absolute dates resolve.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, replace
from typing import Mapping, Sequence

from vaultlink.markdown import parse_date, prose_mask
from vaultlink.model import ParsedNote

MANAGED_START = "<!-- vaultlink:start -->"
MANAGED_END = "<!-- vaultlink:end -->"

_TASK = re.compile(r"^[ \t]*(?:>[ \t]*)*(?:[-*+]|\d+[.)])[ \t]+\[(?P<mark>[^\]\n])\][ \t]+(?P<body>\S.*)$")
_LIST = re.compile(r"^[ \t]*(?:>[ \t]*)*(?:[-*+•◦▪‣]|\d+[.)])[ \t]+(?P<body>\S.*)$")
_HEADING = re.compile(r"^[ ]{0,3}#{1,6}[ \t]+(?P<text>.*?)[ \t#]*$")
_SECTION_LABEL = re.compile(
    r"^(?:\*\*|__)?[ \t]*(?:next[ \t]+steps?|action[ \t]+items?|follow[- ]?ups?|to[- ]?dos?|todo|my[ \t]+to[- ]?dos?)"
    r"[ \t]*:?[ \t]*(?:\*\*|__)?[ \t]*:?[ \t]*$",
    re.I,
)
_INLINE_LABEL = re.compile(r"^(?:next|todo|to[- ]do|action|follow[- ]?up)[ \t]*:[ \t]*(?=\S)", re.I)
_PLAIN_LABEL = re.compile(r"^(?:#{1,6}[ \t]+)?(?:\*\*|__)?[^:?.!]{1,40}:(?:\*\*|__)?[ \t]*$")
_SENTENCE_END = re.compile(r"(?<=[.!?])[ \t]+(?=[\"“'(\[]?[A-Z0-9])")

_ACTION = (
    r"(?:send|sending|share|sharing|forward|email|e-mail|write|writing|message|text|ping|call|ring|intro|introduce|connect|"
    r"refer|recommend|follow[ -]?up|reach[ \t]+out|get[ \t]+back|circle[ \t]+back|check[ \t]+in|look|review|read|"
    r"ask|thank|update|schedule|set[ \t]+up|book|apply|prepare|fix|fixed|tailor|finish|put|pass|post|try|draft|"
    r"reply|respond|return|give|bring|meet|invite|submit|mention)"
)
_MINE = re.compile(
    r"\b(?:I|we)(?:['’]ll|[ \t]+will|[ \t]+shall|[ \t]+am[ \t]+going[ \t]+to|['’]m[ \t]+going[ \t]+to|"
    r"[ \t]+promised(?:[ \t]+to)?|[ \t]+need[ \t]+to|[ \t]+have[ \t]+to|[ \t]+must|[ \t]+owe|[ \t]+plan[ \t]+to|"
    r"[ \t]+agreed[ \t]+to|[ \t]+offered[ \t]+to|[ \t]+said[ \t]+I(?:['’]d|[ \t]+would)|[ \t]+told[ \t]+\w+[ \t]+I(?:['’]d|[ \t]+would))\b"
)
_CONDITION_ON_ME = re.compile(
    rf"\b(?i:if|once|when|after|as[ \t]+soon[ \t]+as)[ \t]+I[ \t]+(?:{_ACTION}\b|have[ \t]+(?:\w+ed|sent|written|read|done|made|got)\b)"
)
_THEIRS = re.compile(
    rf"\b(?:[Hh]e|[Ss]he|[Tt]hey|[A-Z][\w'’-]+(?:[ \t][A-Z][\w'’-]+)?)(?:['’]ll|[ \t]+will|[ \t]+is[ \t]+going[ \t]+to|[ \t]+are[ \t]+going[ \t]+to|"
    rf"[ \t]+promised(?:[ \t]+to)?|[ \t]+agreed[ \t]+to|[ \t]+(?:is|are|was|were)[ \t]+happy[ \t]+to|"
    rf"[ \t]+said[ \t]+(?:he|she|they)(?:['’]d|[ \t]+would))[ \t]+(?:\w+[ \t]+){{0,2}}?{_ACTION}\b"
    rf"|\bwill[ \t]+(?:send|forward|share|intro(?:duce)?)[ \t]+me\b"
)
_REQUEST = re.compile(
    r"\b(?i:follow(?:ing)?[ -]up[ \t]+with|intro(?:duce)?[ \t]+me[ \t]+to|introduction[ \t]+to|reach[ \t]+out[ \t]+to|"
    r"check[ \t]+in[ \t]+with|get[ \t]+back[ \t]+to|circle[ \t]+back[ \t]+with|ping)[ \t]+(?P<name>[A-Z][\w'’-]+(?:[ \t][A-Z][\w'’-]+)?)"
)
_STRUCK = re.compile(r"^~~.+~~[.!]?$")

_WEEKDAYS = {
    name: number
    for number, names in enumerate(
        [("monday", "mon"), ("tuesday", "tue", "tues"), ("wednesday", "wed"), ("thursday", "thu", "thurs"),
         ("friday", "fri"), ("saturday", "sat"), ("sunday", "sun")]
    )
    for name in names
}
_MONTHS = {
    name: number
    for number, names in enumerate(
        [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",), ("june", "jun"),
         ("july", "jul"), ("august", "aug"), ("september", "sept", "sep"), ("october", "oct"),
         ("november", "nov"), ("december", "dec")],
        start=1,
    )
    for name in names
}
_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "a couple of": 2, "a few": 3, "couple of": 2, "few": 3,
}
_WEEKDAY_RE = "|".join(sorted(_WEEKDAYS, key=len, reverse=True))
_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))
_COUNT_RE = r"\d{1,3}|a[ \t]+couple[ \t]+of|a[ \t]+few|an?|one|two|three|four|five|six|seven|eight|nine|ten"
_BY = r"(?:by|before|until|till|on|due|no[ \t]+later[ \t]+than)"
_DUE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.I))
    for kind, pattern in (
        ("iso", rf"\b{_BY}[ \t]+(?P<date>\d{{4}}-\d{{1,2}}-\d{{1,2}})\b"),
        (
            "month_day",
            rf"\b{_BY}[ \t]+(?:the[ \t]+)?(?:(?P<m1>{_MONTH_RE})\.?[ \t]+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?"
            rf"|(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?[ \t]+(?:of[ \t]+)?(?P<m2>{_MONTH_RE})\.?)(?:,?[ \t]+(?P<year>\d{{4}}))?\b",
        ),
        ("slash", rf"\b{_BY}[ \t]+(?P<m>\d{{1,2}})/(?P<d>\d{{1,2}})(?:/(?P<y>\d{{2}}|\d{{4}}))?(?![\d/])"),
        ("end_week", r"\b(?:by[ \t]+|before[ \t]+)?(?:the[ \t]+)?end[ \t]+of[ \t]+(?:the[ \t]+|this[ \t]+)?week\b|\bEOW\b"),
        ("end_month", r"\b(?:by[ \t]+|before[ \t]+)?(?:the[ \t]+)?end[ \t]+of[ \t]+(?:the[ \t]+|this[ \t]+)?month\b|\bEOM\b"),
        ("tomorrow", r"\btomorrow\b"),
        ("next_week", r"\bnext[ \t]+week\b"),
        ("next_month", r"\bnext[ \t]+month\b"),
        ("within", rf"\b(?:in|within)[ \t]+(?:the[ \t]+next[ \t]+)?(?P<n>{_COUNT_RE})[ \t]+(?P<unit>hours?|days?|weeks?|months?)\b"),
        (
            "weekday",
            rf"\b(?:(?:by|before|until|till|on|this|next|due)[ \t]+(?P<day>{_WEEKDAY_RE})\b\.?"
            rf"|(?<!every[ \t])(?P<full>monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b)",
        ),
    )
)


@dataclass(frozen=True)
class FollowUp:
    """One thing to follow up on, as written in a note.

    ``owner`` is ``"me"`` when the author owes it (a task, "I'll send", "if I send…") and
    ``"them"`` when it is owed to the author ("she will send me…"). ``person`` is the entity id
    of whom it concerns (None when the note does not say), ``people`` every person named on its
    line. ``written`` is the note's date; ``due`` the resolved due date, ``due_text`` the words
    it was read from.
    """

    note: str
    line: int
    text: str
    kind: str  # "task" | "promise" | "request" | "next-step"
    owner: str  # "me" | "them"
    done: bool
    written: str | None
    due: str | None = None
    due_text: str | None = None
    person: str | None = None
    people: tuple[str, ...] = ()

    @property
    def is_open(self) -> bool:
        return not self.done


def find_followups(
    parsed: ParsedNote,
    text: str,
    *,
    people_by_line: Mapping[int, Sequence[str]] | None = None,
    participants: Sequence[str] = (),
    prose: bool = True,
) -> list[FollowUp]:
    """Every follow-up of one note, in the order written.

    ``people_by_line`` maps a 1-based line to the person ids named on it; ``participants``
    are the note's chat participants (ids), used when a line names nobody. With ``prose``
    False only tasks are read (hub notes: their prose describes a person, it promises
    nothing). Tasks and promises that name nobody in a note without participants keep
    ``person`` None; promises and requests are only kept when someone is concerned.
    """
    masked = prose_mask(text, parsed.protected)
    people_by_line = people_by_line or {}
    written = parsed.date
    headings = {h.line for h in parsed.headings}
    out: list[FollowUp] = []
    in_steps = False
    in_managed = False
    offset = 0
    for number, raw in enumerate(masked.split("\n"), 1):
        source_line = text[offset : offset + len(raw)].rstrip("\r")
        offset += len(raw) + 1
        if MANAGED_START in source_line:
            in_managed = True
        if in_managed:
            if MANAGED_END in source_line:
                in_managed = False
            continue
        line = raw.rstrip("\r")
        stripped = line.strip()
        if not stripped:
            continue
        if number in headings:
            match = _HEADING.match(line)
            in_steps = bool(match and _SECTION_LABEL.match(match.group("text").strip()))
            continue
        task = _TASK.match(line)
        if task:
            body = _readable(source_line, task.start("body"), line)
            mark = task.group("mark")
            done = mark in "xX-" or bool(_STRUCK.match(body))
            out.append(_make(parsed.path, number, body, "task", "me", done, written, people_by_line, participants))
            continue
        listed = _LIST.match(line)
        if _SECTION_LABEL.match(stripped) and not listed:
            in_steps = True
            continue
        if _PLAIN_LABEL.match(stripped) and not listed:
            in_steps = False
            continue
        if in_steps and listed and prose:
            body = _readable(source_line, listed.start("body"), line)
            out.append(
                _make(parsed.path, number, body, "next-step", _owner(body) or "me", bool(_STRUCK.match(body)),
                      written, people_by_line, participants)
            )
            continue
        if not listed and in_steps and not line[:1].isspace():
            in_steps = False
        if not prose:
            continue
        start = listed.start("body") if listed else len(line) - len(line.lstrip())
        for unit_start, unit in _units(line, start):
            item = _promise(unit)
            if item is None:
                continue
            kind, owner = item
            body = _readable(source_line, unit_start, line, unit_start + len(unit))
            found = _make(parsed.path, number, body, kind, owner, bool(_STRUCK.match(body)), written, people_by_line, participants)
            if found.person is None and not found.people:
                continue
            out.append(found)
    return out


def _units(line: str, start: int) -> list[tuple[int, str]]:
    """The sentences of one line, each with its offset in the line."""
    body = line[start:]
    label = _INLINE_LABEL.match(body)
    if label:
        start += label.end()
        body = body[label.end() :]
    units = []
    pos = 0
    for match in _SENTENCE_END.finditer(body):
        units.append((start + pos, body[pos : match.start()].strip()))
        pos = match.end()
    units.append((start + pos, body[pos:].strip()))
    return [(s, u) for s, u in units if u]


def _promise(unit: str) -> tuple[str, str] | None:
    """``(kind, owner)`` when a sentence promises or asks for something, else None."""
    if unit.rstrip("*_ )").endswith("?"):
        return None
    if _MINE.search(unit):
        return "promise", "me"
    on_me = bool(_CONDITION_ON_ME.search(unit))
    if _THEIRS.search(unit):
        # "he will forward my CV once I have fixed it": nothing happens until I act
        return "promise", "me" if on_me else "them"
    if _REQUEST.search(unit):
        return "request", "me"
    if on_me and find_due(unit, None)[0] is not None:
        return "promise", "me"  # "...if I send a CV by Friday"; without a date it is a hypothesis
    return None


def _owner(unit: str) -> str | None:
    item = _promise(unit)
    return item[1] if item else None


def _readable(source_line: str, start: int, masked_line: str, end: int | None = None) -> str:
    """The text of a unit as written (links kept), without the trailing block id."""
    end = len(masked_line) if end is None else end
    text = source_line[start:end].strip()
    return re.sub(r"[ \t]+\^[A-Za-z0-9-]+$", "", text)


def _make(
    note: str,
    line: int,
    body: str,
    kind: str,
    owner: str,
    done: bool,
    written: str | None,
    people_by_line: Mapping[int, Sequence[str]],
    participants: Sequence[str],
) -> FollowUp:
    named = tuple(dict.fromkeys(people_by_line.get(line, ())))
    if named:
        person: str | None = named[0]
        people = named
    elif participants:
        person = participants[0] if len(participants) == 1 else None
        people = tuple(participants)
    else:
        person, people = None, ()
    due_text, due = find_due(body, written)
    return FollowUp(note, line, body, kind, owner, done, written, due, due_text, person, people)


def find_due(text: str, written: str | None) -> tuple[str | None, str | None]:
    """The first due phrase in ``text`` and the date it means, read against ``written``.

    ``by Friday`` is the first Friday after the day written (a note written on a Friday means
    the next one); ``next week`` is seven days later and ``next month`` one month later;
    ``in two weeks``/``within 48 hours`` add that much (hours round up to whole days);
    ``by March 3`` is the first March 3 on or after the day written (unknown without a note date
    or a written year); ``end of week`` is the Friday of that week, ``end of month`` its last
    day. Returns
    ``(None, None)`` when no phrase is found and ``(phrase, None)`` when it cannot be resolved.
    """
    best: tuple[int, str, re.Match[str]] | None = None
    for kind, pattern in _DUE_PATTERNS:
        match = pattern.search(text)
        if match and (best is None or match.start() < best[0]):
            best = (match.start(), kind, match)
    if best is None:
        return None, None
    _, kind, match = best
    phrase = match.group(0).strip().rstrip(".")
    base = _date(written)
    return phrase, _resolve(kind, match, base)


def _resolve(kind: str, match: re.Match[str], base: dt.date | None) -> str | None:
    if kind == "iso":
        return parse_date(match.group("date"))
    if kind == "month_day":
        month = _MONTHS[(match.group("m1") or match.group("m2")).lower().rstrip(".")]
        day = int(match.group("d1") or match.group("d2"))
        if match.group("year"):
            return _iso(int(match.group("year")), month, day)
        return _next_occurrence(base, month, day)
    if kind == "slash":
        month, day = int(match.group("m")), int(match.group("d"))
        if month > 12 >= day:
            month, day = day, month
        if match.group("y"):
            year = int(match.group("y"))
            return _iso(year + 2000 if year < 100 else year, month, day)
        return _next_occurrence(base, month, day)
    if base is None:
        return None
    if kind == "tomorrow":
        return (base + dt.timedelta(days=1)).isoformat()
    if kind == "next_week":
        return (base + dt.timedelta(days=7)).isoformat()
    if kind == "next_month":
        return _add_months(base, 1).isoformat()
    if kind == "end_week":
        return (base + dt.timedelta(days=(4 - base.weekday()) % 7)).isoformat()
    if kind == "end_month":
        return base.replace(day=calendar.monthrange(base.year, base.month)[1]).isoformat()
    if kind == "within":
        count_text = " ".join(match.group("n").lower().split())
        count = int(count_text) if count_text.isdigit() else _NUMBERS.get(count_text, 1)
        unit = match.group("unit").lower().rstrip("s")
        if unit == "hour":
            return (base + dt.timedelta(days=max(1, -(-count // 24)))).isoformat()
        if unit == "day":
            return (base + dt.timedelta(days=count)).isoformat()
        if unit == "week":
            return (base + dt.timedelta(weeks=count)).isoformat()
        return _add_months(base, count).isoformat()
    if kind == "weekday":
        target = _WEEKDAYS[(match.group("day") or match.group("full")).lower()]
        ahead = (target - base.weekday()) % 7 or 7
        return (base + dt.timedelta(days=ahead)).isoformat()
    return None


def _date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def _next_occurrence(base: dt.date | None, month: int, day: int) -> str | None:
    """``month``/``day`` on or after ``base``; None without a base (the year is unknown)."""
    if base is None:
        return None
    for year in (base.year, base.year + 1):
        found = _iso(year, month, day)
        if found is not None and found >= base.isoformat():
            return found
    return None


def _add_months(base: dt.date, months: int) -> dt.date:
    month = base.month - 1 + months
    year = base.year + month // 12
    month = month % 12 + 1
    return base.replace(year=year, month=month, day=min(base.day, calendar.monthrange(year, month)[1]))


def sort_followups(items: Sequence[FollowUp]) -> list[FollowUp]:
    """Open ones first, then done; oldest written first (undated last), then note and line."""
    return sorted(items, key=lambda f: (f.done, f.written is None, f.written or "", f.note, f.line))


def with_person(item: FollowUp, person: str | None, people: tuple[str, ...]) -> FollowUp:
    """``item`` concerning ``person`` (used when a caller knows better than the note's lines)."""
    return replace(item, person=person, people=people)
