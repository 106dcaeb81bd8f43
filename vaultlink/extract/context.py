"""Names in context: "my mentor X", "worked at X and Y", "ex-X", "X introduced me to Y".

Every pattern runs over the note's prose mask (code, comments, URLs blanked; link text kept),
so offsets are offsets in the note itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

from vaultlink.extract.names import COMPANY, PERSON

_LIST_SEP = r"(?:[ \t]*,[ \t]*(?:and[ \t]+)?|[ \t]+and[ \t]+|[ \t]*&[ \t]*|[ \t]*/[ \t]*|[ \t]+or[ \t]+)"
COMPANY_LIST = rf"{COMPANY}(?:{_LIST_SEP}{COMPANY}){{0,4}}"

_ROLE = (
    r"(?:engineer|engineering|developer|dev|manager|director|designer|scientist|researcher|analyst|PM|TPM|SWE|SDE|"
    r"EM|intern|lead|VP|head|founder|co-?founder|CEO|CTO|COO|CFO|recruiter|consultant|architect|partner|principal|"
    r"staff|senior|associate|advisor|adviser|investor|product|team|group|org|job|role|position|offer|hiring|"
    r"professor|student|fellow|contractor|employee|executive|officer|specialist|coordinator|owner|programmer)"
)

PERSON_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), strength)
    for pattern, strength in (
        (
            rf"\b(?:[Mm]y|[Oo]ur|[Hh]is|[Hh]er|[Tt]heir)[ \t]+(?:former[ \t]+|old[ \t]+|new[ \t]+)?(?:mentor|mentee|manager|boss|friend|"
            rf"colleague|co-?worker|teammate|cousin|advisor|adviser|professor|skip|lead|tech lead|recruiter|contact|"
            rf"coach|sponsor|classmate|roommate|buddy|neighbou?r|partner|cofounder|co-founder)[ \t]*,?[ \t]+(?P<p>{PERSON})",
            "strong",
        ),
        (rf"\b(?:introduced|intro'?d|connected|referred)[ \t]+(?:me|us)[ \t]+(?:to|with)[ \t]+(?P<p>{PERSON})", "strong"),
        (rf"\bput[ \t]+(?:me|us)[ \t]+in[ \t]+touch[ \t]+with[ \t]+(?P<p>{PERSON})", "strong"),
        (
            rf"(?P<p>{PERSON})[ \t]+(?:introduced[ \t]+(?:me|us)|put[ \t]+(?:me|us)[ \t]+in[ \t]+touch|connected[ \t]+(?:me|us)|"
            rf"set[ \t]+(?:this|it|us)[ \t]+up|referred[ \t]+me)",
            "strong",
        ),
        (
            rf"(?P<p>{PERSON})['’]s[ \t]+(?:team|group|org|manager|advice|startup|company|take|view|point|suggestion|"
            rf"recommendation|story|background|experience)\b",
            "medium",
        ),
        (
            rf"(?P<p>{PERSON})[ \t]+(?:said|says|told|mentioned|suggested|recommended|thinks|thought|explained|advised|"
            rf"shared|noted|pointed|added|stressed|emphasi[sz]ed|warned|argued|believes|feels|recalled|admitted|laughed)\b",
            "medium",
        ),
        (
            rf"\b(?:chat|chatted|call|coffee|met|meeting|spoke|talked|lunch|sync|conversation|catch-?up|session|"
            rf"interview)\b[^.\n]{{0,40}}?\bwith[ \t]+(?P<p>{PERSON})",
            "medium",
        ),
        (
            rf"\b(?:met|meet|ask|asked|email|emailed|ping|pinged|thank|thanked|message|messaged|DM|DMed|text|texted|"
            rf"follow[ \t]+up[ \t]+with|reach[ \t]+out[ \t]+to|reached[ \t]+out[ \t]+to|talk[ \t]+to|talked[ \t]+to|spoke[ \t]+to|"
            rf"speak[ \t]+to|speak[ \t]+with|spoke[ \t]+with|introduce[ \t]+me[ \t]+to|intro[ \t]+to)[ \t]+(?P<p>{PERSON})",
            "medium",
        ),
        (
            rf"(?P<p>{PERSON}),[ \t]+(?:who|a|an|the|my|our|now|currently|formerly|ex-|former|head|VP|director|senior|"
            rf"staff|principal|lead|founder|co-?founder|CEO|CTO|engineer|manager|PM|recruiter|designer|partner)\b",
            "weak",
        ),
        (
            rf"(?P<p>{PERSON})[ \t]+(?:\((?!\d)|is[ \t]+(?:a|an|the|now|currently|ex-|at|on|in)\b|was[ \t]+(?:a|an|the|at|on)\b|works|worked|"
            rf"leads|led|runs|ran|manages|managed|joined|left|founded|co-?founded|moved|spent|has[ \t]+been|had[ \t]+been|"
            rf"used[ \t]+to)\b",
            "weak",
        ),
    )
)

# Relation cues: each captures the companies it speaks of, and says current or past.
_PAST = "past"
_CURRENT = "current"
COMPANY_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), tense)
    for pattern, tense in (
        (rf"\b(?:[Ee]x|[Ff]ormer(?:ly)?)[- \t](?:at[ \t]+)?(?P<c>{COMPANY_LIST})", _PAST),
        (rf"\b(?:[Pp]reviously|[Bb]efore[ \t]+that|[Pp]rior[ \t]+to[ \t]+that|[Oo]nce)[ \t]*,?[ \t]+(?:at|with)[ \t]+(?P<c>{COMPANY_LIST})", _PAST),
        (
            rf"\b(?:was|were|been|had[ \t]+been|used[ \t]+to[ \t]+(?:be|work)|spent[ \t]+[^.\n]{{0,30}}?|worked|interned|"
            rf"stint|years?|decade|months?)[ \t]+(?:at|for|with|in|across|between)[ \t]+(?P<c>{COMPANY_LIST})",
            _PAST,
        ),
        (rf"\b(?:left|quit|leaving|departed|laid[ \t]+off[ \t]+(?:from|by)|alum(?:ni|nus|na)?[ \t]+of)[ \t]+(?P<c>{COMPANY_LIST})", _PAST),
        (
            rf"\b(?:now|currently|today)[ \t]+(?:at|with|works[ \t]+at|working[ \t]+at|leads[^.\n]{{0,30}}?at)[ \t]+(?P<c>{COMPANY_LIST})",
            _CURRENT,
        ),
        (rf"\b(?:works|working|is|are)[ \t]+(?:at|for)[ \t]+(?P<c>{COMPANY_LIST})", _CURRENT),
        (rf"\b(?:joined|joining|joins|hired[ \t]+by|moved[ \t]+to|switched[ \t]+to)[ \t]+(?P<c>{COMPANY_LIST})", _CURRENT),
        (rf"\b(?:founded|co-?founded|started|launched|runs|built)[ \t]+(?P<c>{COMPANY})", _CURRENT),
        (
            rf"\b(?:a|an|the|his|her|their|my)[ \t]+(?:[\w-]+[ \t]+)?(?:startup|start-up|company|firm|fintech|agency|"
            rf"consultancy|scale-?up|business)[ \t]+(?:called|named)[ \t]+(?P<c>{COMPANY})",
            _CURRENT,
        ),
        (rf"\b{_ROLE}s?\b[^.\n]{{0,30}}?[ \t]+(?:at|@)[ \t]+(?P<c>{COMPANY_LIST})", _CURRENT),
        (rf"(?:^|[ \t(])@[ \t]*(?P<c>{COMPANY})", _CURRENT),
        (rf"{PERSON}[ \t]+(?:from|at|@)[ \t]+(?P<c>{COMPANY_LIST})", "direct"),
    )
)

# Mentions of a company without a relation: culture, comparisons, offers.
COMPANY_MENTION_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p)
    for p in (
        rf"(?P<c>{COMPANY})['’]s[ \t]+(?:culture|team|teams|hiring|interview|interviews|process|engineering|org|office|"
        rf"offices|leadership|CEO|founder|founders|product|stock|layoffs|mission|values|bar)\b",
        rf"\b(?:culture|difference|differences|interviews?|offer|offers|onsite|loop)[ \t]+(?:at|in|of|between|from|with)[ \t]+(?P<c>{COMPANY_LIST})",
        rf"(?P<c>{COMPANY})[ \t]+(?:vs\.?|versus)[ \t]+(?P<d>{COMPANY})",
    )
)
# "at X" alone: only confirms a name already known to be a company (a common word like Square).
AT_PATTERN = re.compile(rf"\b(?:at|for|from|with|joined|left|ex-)[ \t]+(?P<c>{COMPANY_LIST})")

_SPLIT_LIST = re.compile(_LIST_SEP)
INTRO_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(rf"(?P<a>{PERSON})[ \t]+(?:introduced|intro'?d|connected|referred)[ \t]+(?:me|us)[ \t]+(?:to|with)[ \t]+(?P<b>{PERSON})"),
    re.compile(rf"(?P<a>{PERSON})[ \t]+(?:put|got)[ \t]+(?:me|us)[ \t]+in[ \t]+touch(?:[ \t]+with[ \t]+(?P<b>{PERSON}))?"),
    re.compile(rf"(?P<a>{PERSON})[ \t]+set[ \t]+(?:this|it|us|the[ \t]+(?:call|chat|meeting))[ \t]+up"),
    re.compile(rf"\b(?:[Ii]ntro(?:duction|duced)?|[Rr]eferral)[ \t]+(?:to[ \t]+(?P<b>{PERSON})[ \t]+)?(?:from|by|via|through|thanks[ \t]+to)[ \t]+(?P<a>{PERSON})"),
)


@dataclass(frozen=True, slots=True)
class Hit:
    """One name found by a context pattern: where it is and how the context read it."""

    name: str
    start: int
    end: int
    label: str  # strength for people ("strong", "medium", "weak"); tense for companies


def split_list(text: str, start: int) -> Iterator[tuple[str, int, int]]:
    """``Amazon and Meta`` at ``start`` -> each name with its own offsets."""
    pos = 0
    for sep in _SPLIT_LIST.finditer(text):
        yield text[pos : sep.start()], start + pos, start + sep.start()
        pos = sep.end()
    yield text[pos:], start + pos, start + len(text)


def find_people(masked: str) -> Iterator[Hit]:
    for pattern, strength in PERSON_PATTERNS:
        for match in pattern.finditer(masked):
            yield Hit(match.group("p"), match.start("p"), match.end("p"), strength)


def find_companies(masked: str) -> Iterator[Hit]:
    """Company names in relation context (label current/past) and in mention context ("")."""
    for pattern, tense in COMPANY_PATTERNS:
        for match in pattern.finditer(masked):
            for name, start, end in split_list(match.group("c"), match.start("c")):
                yield Hit(name, start, end, tense)
    for pattern in COMPANY_MENTION_PATTERNS:
        for match in pattern.finditer(masked):
            for group in ("c", "d"):
                if group in pattern.groupindex and match.group(group):
                    for name, start, end in split_list(match.group(group), match.start(group)):
                        yield Hit(name, start, end, "mention")
    for match in AT_PATTERN.finditer(masked):
        for name, start, end in split_list(match.group("c"), match.start("c")):
            yield Hit(name, start, end, "at")
