"""Names in context: "my mentor X", "worked at X and Y", "ex-X", "X introduced me to Y".

One pass finds every run of capitalised words; each run is then judged by the few words just
before and after it (small anchored regexes), instead of running dozens of patterns over the
whole note. Everything runs over the note's prose mask (code, comments, URLs blanked; link
text kept), so offsets are offsets in the note itself.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from vaultlink.extract.names import CWORD, PERSON

# A run of capitalised words, joined by spaces or the joiners company and person names use.
_RUN_WORD = r"[A-Z\u00C0-\u00DE][\w&.'’+\-]*(?<![.'’\-])"  # starts with a capital: the engine skips to one
RUN = re.compile(rf"{_RUN_WORD}(?:(?:[ \t]+(?:&|of|de|van|von|der|den|da|di|del|la|le|du|al|el|bin|dos|das)[ \t]+|[ \t]+){CWORD}){{0,3}}")
_LEADERS = frozenset(
    "the a an and but or so if when while after before also then still just only even maybe perhaps "
    "my our your his her their its this that these those some any every each no not yes thanks thank "
    "he she they we i you it me him them us hi hello hey dear met ask asked email emailed ping thanked "
    "at for from with in on by to of founded co-founded cofounded joined interned".split()
)
# A title before "of" in a run is not part of the name: "CEO of Ledgerly", "Founder of Acme".
_TITLES_OF = frozenset("CEO CTO COO CFO Founder Co-founder Cofounder Co-Founder Owner President".split())
_WINDOW = 56

ROLE = _ROLE = (
    r"(?:engineer|engineering|developer|dev|manager|director|designer|scientist|researcher|analyst|"
    r"(?<!\d)(?<!\d\s)(?:PM|TPM|EM)|SWE|SDE|intern|lead|VP|head|founder|co-?founder|CEO|CTO|COO|CFO|recruiter|consultant|architect|partner|principal|"
    r"staff|senior|associate|advisor|adviser|investor|product|team|group|org|job|role|position|offer|hiring|"
    r"professor|student|fellow|contractor|employee|executive|officer|specialist|coordinator|owner|programmer|"
    r"assistant|eng|(?<!\d)(?<!\d\s)(?:pm|tpm|swe|sde|em))"  # not "3 pm at", nor "3\u202fpm at"
)
# A role word right after a company's name: "ex-Spotify PM" is Spotify.
ROLE_AFTER = re.compile(rf"[ \t]+{_ROLE}s?")
_KIN = (
    r"(?:mentor|mentee|manager|boss|friend|colleague|co-?worker|teammate|cousin|advisor|adviser|professor|skip|lead|"
    r"tech[ \t]+lead|recruiter|contact|coach|sponsor|classmate|roommate|buddy|neighbou?r|partner|co-?founder)"
)
# Job titles alone (not "team" or "offer"): "Kofi Boateng — eng manager, Cloudflare" names his job.
JOB = _JOB = (
    r"(?:engineer|eng|developer|manager|director|designer|scientist|researcher|analyst|PM|recruiter|consultant|architect|"
    r"founder|co-?founder|CEO|CTO|VP|intern|lead|partner|advisor|adviser)"
)
_PERSON_BEFORE = re.compile(
    rf"""(?:
      (?P<strong>\b(?:[Mm]y|[Oo]ur|[Hh]is|[Hh]er|[Tt]heir)[ \t]+(?:former[ \t]+|old[ \t]+|new[ \t]+)?{_KIN}[ \t]*,?
        |\b(?:introduced|intro'?d|connected|referred)[ \t]+(?:me|us)[ \t]+(?:to|with)
        |\bput[ \t]+(?:me|us)[ \t]+in[ \t]+touch[ \t]+with)
    | (?P<medium>\b(?:chat|chatted|call|coffee|met|meeting|spoke|talked|lunch|sync|conversation|catch-?up|session|interview)
          \b[^.\n]{{0,40}}?\bwith
        |\b(?:met|meet|ask|asked|email|emailed|ping|pinged|thank|thanked|message|messaged|DM|DMed|text|texted
          |follow[ \t]+up[ \t]+with|reach[ \t]+out[ \t]+to|reached[ \t]+out[ \t]+to|talk[ \t]+to|talked[ \t]+to
          |spoke[ \t]+to|speak[ \t]+to|speak[ \t]+with|spoke[ \t]+with|introduce[ \t]+me[ \t]+to|intro[ \t]+to))
    )[ \t]+\Z""",
    re.X,
)
_PERSON_AFTER = re.compile(
    r"""(?:
      (?P<strong>[ \t]+(?:introduced[ \t]+(?:me|us)|put[ \t]+(?:me|us)[ \t]+in[ \t]+touch|connected[ \t]+(?:me|us)
          |set[ \t]+(?:this|it|us)[ \t]+up|referred[ \t]+me))
    | (?P<medium>['’]s[ \t]+(?:team|group|org|manager|advice|startup|company|take|view|point|suggestion|recommendation
          |story|background|experience)\b
        |[ \t]+(?:said|says|told|mentioned|suggested|recommended|thinks|thought|explained|advised|shared|noted|pointed
          |added|stressed|emphasi[sz]ed|warned|argued|believes|feels|recalled|admitted|laughed)\b)
    | (?P<weak>,[ \t]+(?:who|a|an|the|my|our|now|currently|formerly|ex-|former|head|VP|director|senior|staff|principal
          |lead|founder|co-?founder|CEO|CTO|engineer|manager|PM|recruiter|designer|partner)\b
        |[ \t]+(?:\((?!\d)|is[ \t]+(?:a|an|the|now|currently|ex-|at|on|in)\b|was[ \t]+(?:a|an|the|at|on)\b|works|worked
          |leads|led|runs|ran|manages|managed|joined|left|founded|co-?founded|moved|spent|has[ \t]+been|had[ \t]+been
          |used[ \t]+to)\b
        |[ \t]+[—–-]{1,2}[ \t]+(?=[^\n]{0,40}?\b"""
    + _JOB
    + r"""\b))
    )""",
    re.X,
)
# What someone runs or leads at a company, as against a meetup or a marathon somewhere.
_FUNCTION = (
    r"(?:team|teams|engineering|recruiting|design|product|products|sales|marketing|data|growth|platform|"
    r"infrastructure|infra|research|operations|ops|security|hiring|talent|people|finance|partnerships|support|"
    r"payments|ML|AI|analytics|org|group|department|function|practice|office|program|programme)"
)
# What may stand between "joined" and "from" in "joined … from X": when, or where
# ("joined in spring 2025 from PwC", "joined Loomwork from Delivery Hero"; not "joined us from home")
_JOINED_WHEN = (
    r"(?:(?:(?:in|last|this|early|late|mid|back[ \t]+in)[ \t]+)?(?:[\w-]+[ \t]+)?"
    r"(?:\d{4}|year|month|spring|summer|autumn|fall|winter)"
    r"|[A-Z][\w&.'’-]*(?:[ \t]+(?:&[ \t]+)?[A-Z][\w&.'’-]*){0,3})"
)
_COMPANY_BEFORE = re.compile(
    rf"""(?:
      (?P<current_been>\b(?:has|have)[ \t]+been[ \t]+(?:at|with)[ \t]+|(?<=['’])s[ \t]+been[ \t]+(?:at|with)[ \t]+)
    | (?P<past>\b(?:[Ee]x|[Ff]ormer(?:ly)?)[- \t](?:at[ \t]+)?
        |\b(?:[Pp]reviously|[Bb]efore[ \t]+that|[Pp]rior[ \t]+to[ \t]+that|[Oo]nce)[ \t]*,?[ \t]+(?:at|with)[ \t]+
        |\b(?:[Ww]as|[Ww]ere|been|had[ \t]+been|used[ \t]+to[ \t]+(?:be|work)|[Ss]pent[ \t]+[^.\n]{{0,30}}?|[Ww]orked|[Ii]nterned
          |stint|years?|yrs?|decade|months?)[ \t]+(?:at|for|with|in|across|between)[ \t]+
        |\bworked[ \t]+(?:together[ \t]+|with[ \t]+(?:him|her|them|me|us)[ \t]+)(?:at|for|in)[ \t]+
        |\b(?:[Ss]tarted|[Bb]egan)[ \t]+(?:his|her|their|my)[ \t]+career[ \t]+(?:at|with|in)[ \t]+
        |\b[Jj]oined[ \t]+(?:{_JOINED_WHEN}[ \t]+)?from[ \t]+
        |\b(?:closed|shut[ \t]+down|sold|wound[ \t]+down|folded)[ \t]+(?:his|her|their)[ \t]+own[ \t]+(?:[\w-]+[ \t]+)?
          (?:startup|start-up|company|firm|agency|consultancy|business),?[ \t]+
        |\b(?:[Ll]eft|[Qq]uit|leaving|departed|laid[ \t]+off[ \t]+(?:from|by)|alum(?:ni|nus|na)?[ \t]+of)[ \t]+)
    | (?P<current>\b(?:now|currently)[ \t]+(?:at|with|works[ \t]+at|working[ \t]+at|leads[^.\n]{{0,30}}?at)[ \t]+
        |\b(?:[Ww]orks|[Ww]orking|is|are)[ \t]+(?:at|for)[ \t]+
        |\b(?:[Jj]oined|joining|joins|hired[ \t]+by|moved[ \t]+to|switched[ \t]+to)[ \t]+
        |\b(?:[Ff]ounded|[Cc]o-?founded|started|launched|runs|built)[ \t]+
        |\b(?:his|her|their)[ \t]+own[ \t]+(?:[\w-]+[ \t]+)?(?:startup|start-up|company|firm|agency|consultancy|business),?[ \t]+
        |\b(?:a|an|the|his|her|their|my)[ \t]+(?:[\w-]+[ \t]+)?(?:startup|start-up|company|firm|fintech|agency
          |consultancy|scale-?up|business)[ \t]+(?:called|named)[ \t]+
        |(?<![Hh]er[ \t])(?<![Hh]is[ \t])(?<![Mm]y[ \t])(?<![Oo]ur[ \t])(?<![Tt]heir[ \t])(?<![Tt]he[ \t])
          \b(?:runs|leads|heads|manages|owns|works[ \t]+on|working[ \t]+on)[ \t]+(?:[\w-]+[ \t]+){{0,3}}?{_FUNCTION}\b
          [^.\n,]{{0,20}}?[ \t]+at[ \t]+
        |(?:^|(?<=[ \t(]))@[ \t]*)
    | (?P<role_at>\b{_ROLE}s?\b(?![ \t]+(?:culture|interviews?|ladders?|levels?|loops?|process|comp|salar(?:y|ies)|bands?)\b)
          [^.;\n]{{0,30}}?[ \t]+(?:at|@)[ \t]+)
    | (?P<title_of>\b(?:(?:co-?)?founder[ \t]*(?:&|and)[ \t]*)?(?:founder|co-?founder|CEO|CTO|COO|CFO|owner|president)s?
          [ \t]+of[ \t]+)
    | (?P<move_to>\b(?:moved|went|switched|jumped)[ \t]+(?:over[ \t]+)?from[ \t]+[^.\n]{{1,40}}?[ \t]+(?:over[ \t]+)?to[ \t]+)
    | (?P<move_from>\b(?:moved|went|switched|jumped)[ \t]+(?:over[ \t]+)?from[ \t]+)
    | (?P<known>\b(?:[Hh]e|[Ss]he|[Tt]hey)(?:['’]s|['’]re)[ \t]+(?:now[ \t]+|still[ \t]+)?(?:at|with)[ \t]+
        |(?:(?<=[,;][ \t])|(?<![^\n])|(?<=\n[ \t])|(?<=\n[-*+•][ \t]))(?:now|currently)[ \t]+
        |\b(?:[Nn]ow|[Cc]urrently)[ \t]*:[ \t]*)
    | (?P<known_past>\b(?:[Pp]reviously|[Bb]efore[ \t]+that|[Ff]ormerly)[ \t]*[,:]?[ \t]+)
    | (?P<mention>\b(?:culture|difference|differences|interviews?|offer|offers|onsite|loop)[ \t]+
          (?:at|in|of|between|from|with)[ \t]+
        |\b(?:vs\.?|versus)[ \t]+)
    | (?P<at>\b(?:at|for|from|with|joined|left)[ \t]+|\bex-)
    )\Z""",
    re.X | re.M,
)
_COMPANY_AFTER = re.compile(
    r"['’]s[ \t]+(?:culture|team|teams|hiring|interview|interviews|process|engineering|org|office|offices|leadership|"
    r"CEO|founder|founders|product|stock|layoffs|mission|values|bar)\b|[ \t]+(?:vs\.?|versus)[ \t]+"
)
_LIST_GAP = re.compile(r"[ \t]*(?:,[ \t]*(?:and[ \t]+)?|[ \t]+and[ \t]+|&|/|[ \t]+or[ \t]+)[ \t]*\Z")
# The word right before a run must be one of these for a "before" pattern to match at all:
# checking it first skips the window search for nearly every run.
_PERSON_LAST_WORDS = frozenset(
    "to with met meet ask asked email emailed ping pinged thank thanked message messaged dm dmed text texted "
    "mentor mentee manager boss friend colleague coworker co-worker teammate cousin advisor adviser professor skip "
    "lead recruiter contact coach sponsor classmate roommate buddy neighbor neighbour partner cofounder co-founder".split()
)
_COMPANY_LAST_WORDS = frozenset(
    "at for with in across between ex ex- former formerly left quit leaving departed by of joined joining joins "
    "to founded co-founded cofounded started launched runs built called named @ vs vs. versus from "
    "previously formerly that previously: that: now currently now: currently: "
    "startup start-up company firm agency consultancy business".split()  # "his own company Kestrel Data"
)
_PLACE_WORDS = frozenset(("in", "near", "around", "outside"))
_SIDE = re.compile(r"\b(?:[Tt]he|[Tt]op|[Bb]ottom|[Uu]pper|[Ll]ower|[Ff]ar)\s+left\s+\Z")  # blanks: a masked link
# Between a person and their company: "Sam from Stripe", "Sam @ Stripe", "Sam (Stripe)", "Sam (PM, Stripe)"
# (not "Sam (2019, Google)": what comes before the comma has a letter).
DIRECT_GAP = re.compile(
    rf"[ \t]+(?:from|at|@)[ \t]+|(?P<paren>[ \t]*\((?:(?=[^(),\n]*[^\W\d_])[^(),\n]{{1,40}},[ \t]*)?)"
    rf"|(?P<dash>[ \t]+[—–-]{{1,2}}[ \t]+(?=[^,\n]*?\b{JOB}\b)[^(),.;\n]{{1,40}},[ \t]*)"  # "Kofi Boateng — eng manager, Cloudflare"
)
# What a name in parentheses may also be: how you talked ("Anna Berg (Zoom)"), not where they work.
CHANNELS = frozenset(
    ("zoom", "slack", "linkedin", "teams", "microsoft teams", "google meet", "meet", "whatsapp", "telegram", "signal",
     "discord", "skype", "facetime", "twitter", "x", "calendly", "lunchclub", "meetup", "email", "phone",
     # and where you met: a café, a coworking space, an app, an event ("Coffee with Priya (Starbucks)")
     "starbucks", "blue bottle", "wework", "regus", "reddit", "hinge", "bumble", "tinder", "instagram", "youtube",
     "twitch", "clubhouse", "eventbrite", "yc", "y combinator", "web summit", "slush", "techcrunch", "zoom video")
)
# Where a _COMPANY_BEFORE match can begin: each alternative starts with \b and a letter, or with
# "@". With that guard in front, a search runs the alternatives only at those positions and
# finds the leftmost match a plain search would.
_COMPANY_BEFORE_AT = re.compile(rf"(?:\b(?=\w)|(?=@))(?:{_COMPANY_BEFORE.pattern})", re.X | re.M)
_BLANKS = re.compile(r"[ \t]*")
_PERSON_START = re.compile(PERSON)


class Hit(NamedTuple):
    """One name found by its context: where it is and how the context read it.

    Named tuples, not frozen dataclasses, here and in :class:`Run`: a note has dozens of runs,
    they never leave extraction, and a frozen dataclass costs about twice as much to build.
    """

    name: str
    start: int
    end: int
    label: str  # people: strong / medium / weak; companies: past / current / direct / mention / at


class Run(NamedTuple):
    """A run of capitalised words (leading ordinary words like "The" or "My" dropped)."""

    text: str
    start: int
    end: int


def find_runs(masked: str) -> list[Run]:
    runs = []
    for match in RUN.finditer(masked):
        words = match.group(0).split()
        start = match.start()
        while words and words[0].casefold() in _LEADERS:
            start = masked.index(words[1], start + len(words[0])) if len(words) > 1 else match.end()
            words = words[1:]
        if len(words) > 2 and words[1] == "of" and words[0] in _TITLES_OF:
            start = masked.index(words[2], start + len(words[0]))  # "CEO of Ledgerly": the company
            words = words[2:]
        if words:
            runs.append(Run(masked[start : match.end()], start, match.end()))
    return runs


def judge_person(masked: str, run: Run, last: str | None = None) -> Hit | None:
    """The run as a person, if the words around it say so (strong, medium or weak).

    ``last`` is ``_last_word(masked, run.start)`` when the caller already has it.
    """
    person = _PERSON_START.match(run.text)
    if person is None:
        return None
    name, end = person.group(0), run.start + person.end()
    if last is None:
        last = _last_word(masked, run.start)
    before = (
        _PERSON_BEFORE.search(masked, max(0, run.start - _WINDOW), run.start) if last in _PERSON_LAST_WORDS else None
    )
    if before is not None:
        return Hit(name, run.start, end, "strong" if before.group("strong") else "medium")
    after = _PERSON_AFTER.match(masked, end)
    if after is not None:
        label = "strong" if after.group("strong") else "medium" if after.group("medium") else "weak"
        if label == "weak" and last in _PLACE_WORDS:
            return None  # "an engineer in Milan (on the maps team)": after "in", a place
        return Hit(name, run.start, end, label)
    return None


def company_label(
    masked: str, start: int, end: int, previous: Hit | None, previous_run: Run | None, last: str | None = None
) -> str | None:
    """How the words around ``masked[start:end]`` speak of it as a company, or None.

    ``last`` is ``_last_word(masked, start)`` when the caller already has it.
    """
    if previous is not None and _LIST_GAP.fullmatch(masked, previous.end, start):
        return previous.label  # "at Amazon and Meta": Meta inherits Amazon's context
    direct = previous_run is not None and DIRECT_GAP.fullmatch(masked, previous_run.end, start) is not None
    if last is None:
        last = _last_word(masked, start)
    if last.endswith("ex-") or last.startswith("@"):
        last = last[-3:] if last.endswith("ex-") else "@"
    if last == "left" and _SIDE.search(masked, max(0, start - 4 * _WINDOW), start):
        return None  # "the left Sidebar": a side, not someone leaving a company
    before = _company_before(masked, start) if last in _COMPANY_LAST_WORDS else None
    if before is not None and (before.lastgroup != "at" or not direct):
        # "VP Engineering at Monzo": the role speaks of Monzo, though a capitalised run precedes it
        cue, at = before.lastgroup, before.start()
        if cue == "role_at":
            if _SOMEONE_ELSES.search(masked, max(0, at - 12), at):
                return None  # "Tip from a recruiter at Amazon": someone else's job
            if _told_in_past(masked, start):
                return "past"  # "Before that she was a recruiter at Booking.com"
            if _told_as_a_start(masked, start):
                return "first"  # "She started as an analyst at Mu Sigma": past if the note has her elsewhere now
            return "current"
        if cue == "title_of":  # "is the CEO of", ", CEO of", "(co-founder of": what the subject is
            return "current" if _DESCRIBES_SUBJECT.search(masked, max(0, at - 24), at) else None
        if cue in ("move_to", "move_from"):  # "she moved from X to Y": a person moved, not a team or a budget
            if not _MOVER.search(masked, max(0, at - 32), at):
                return None
            return "known" if cue == "move_to" else "known_past"
        if before.lastgroup == "current_been":
            # "has been at Atlassian since 2019" is now; "has been at Amazon and Meta for ten
            # years" sums up a career, and so does "… and now runs his own"
            return "past" if _LIST_AFTER.match(masked, end) or _CHANGE_AFTER.match(masked, end) else "current"
        return before.lastgroup
    if direct:
        return "direct"
    if _COMPANY_AFTER.match(masked, end):
        return "mention"
    return None


_SOMEONE_ELSES = re.compile(r"\b(?:from|with|to)[ \t]+(?:a|an|the)[ \t]+\Z")
_DESCRIBES_SUBJECT = re.compile(
    r"(?:\b(?:is|was|are|were|as)|['’]s|,|\(|[—–])[ \t]*(?:(?:the|a|an)[ \t]+)?(?:(?:two|three|four)[ \t]+)?\Z"
)
_MOVER = re.compile(r"(?:\b[Ss]he|\b[Hh]e|(?<![\w'’-])(?!The\b|They\b|We\b|It\b|Our\b|Their\b|This\b)[A-Z][\w'’-]+)[ \t]+\Z")
_LIST_AFTER = re.compile(r"[ \t]*(?:,|&|[ \t]and[ \t])[ \t]*(?:\[\[)?(?!I\b)[A-Z]")
_CHANGE_AFTER = re.compile(
    r"[^.!?;\n]{0,60}?\b(?:now[ \t]+(?:runs|owns|works|at|with|has|spends|is[ \t]+(?:at|with|running))|until|till|left"
    r"|then[ \t]+(?:joined|moved|left|went|switched|founded|started))\b"
)
_CLAUSE_START = re.compile(r"[.!?;](?=\s)|\n")
_PAST_MARKER = re.compile(r"\b(?:was|were|had[ \t]+been|used[ \t]+to|[Bb]efore[ \t]+that|[Pp]reviously|[Ff]ormerly|[Pp]rior[ \t]+to[ \t]+that|[Bb]ack[ \t]+then)\b")
_NOW_MARKER = re.compile(r"\b(?:now|currently|today|still|is|are|works|working|joined|joins|leads|runs|heads)\b", re.I)
_ROLE_AT = re.compile(rf"\b{_ROLE}s?\b[^.\n]{{0,30}}?[ \t]+(?:at|@)[ \t]+\Z")


_START_MARKER = re.compile(r"\b(?:started|began|stayed[ \t]+on|spent)\b")


def _clause_before(masked: str, start: int) -> str:
    window = max(0, start - _WINDOW)
    clause_start = window
    for match in _CLAUSE_START.finditer(masked, window, start):
        clause_start = match.end()
    return masked[clause_start:start]


def _told_as_a_start(masked: str, start: int) -> bool:
    """Whether the clause before ``start`` tells where someone started or stayed on ("started as an
    analyst at"): a past job when the note says where they are now, else the present one."""
    clause = _clause_before(masked, start)
    return _START_MARKER.search(clause) is not None and _NOW_MARKER.search(clause) is None


def _told_in_past(masked: str, start: int) -> bool:
    """Whether the clause before ``start`` is in the past ("was a PM at", "previously … at")."""
    clause = _clause_before(masked, start)
    return _PAST_MARKER.search(clause) is not None and _NOW_MARKER.search(clause) is None


def names_a_job(text: str) -> bool:
    """Whether ``text`` names where someone works or worked: a cue right before a capitalised
    word ("three years at Accenture")."""
    return any(_COMPANY_BEFORE_AT.search(text, 0, m.start()) for m in _CAPITALISED.finditer(text))


_CAPITALISED = re.compile(r"(?<![\w'’-])[A-Z]")


def _company_before(masked: str, start: int) -> re.Match[str] | None:
    """``_COMPANY_BEFORE.search`` over the window before ``start``.

    No cue spans a line break, and the only '.' a cue holds is that of "vs." at its very end, so
    the search starts after the last of either before ``start`` (after the one before, when the
    last dot is followed by nothing but blanks).
    """
    low = max(0, start - _WINDOW)
    low = max(low, masked.rfind("\n", low, start) + 1)
    dot = masked.rfind(".", low, start)
    if dot >= 0 and _BLANKS.fullmatch(masked, dot + 1, start):
        dot = masked.rfind(".", low, dot)  # "vs. Meta": a cue may end in that dot
    return _COMPANY_BEFORE_AT.search(masked, dot + 1 if dot >= 0 else low, start)


def _last_word(masked: str, start: int) -> str:
    """The word just before ``start`` (lowercase, a trailing comma dropped); "ex-" when glued on."""
    glued = masked[start - 1 : start] if start else ""
    if glued not in (" ", "\t", "("):
        if glued == "-" and start >= 3 and masked[start - 3 : start].lower() == "ex-":
            return "ex-"
        return "@" if glued == "@" else ""
    words = masked[max(0, start - 24) : start].split()
    return words[-1].rstrip(",").lower() if words else ""


def find_context(masked: str) -> tuple[list[Run], list[Hit], list[Hit]]:
    """All capitalised runs, and the people and companies their context speaks of."""
    runs = find_runs(masked)
    people: list[Hit] = []
    companies: list[Hit] = []
    previous: Hit | None = None
    previous_run: Run | None = None
    for run in runs:
        last = _last_word(masked, run.start)
        hit = judge_person(masked, run, last)
        if hit is not None:
            people.append(hit)
        label = company_label(masked, run.start, run.end, previous, previous_run, last)
        if label is not None:
            previous = Hit(run.text, run.start, run.end, label)
            companies.append(previous)
        previous_run = run
    return runs, people, companies


INTRO_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(
        rf"\b(?:[Ss]he|[Hh]e|[Tt]hey)[ \t]+(?:also[ \t]+)?(?:introduced|intro'?d|connected|referred)[ \t]+(?:me|us)[ \t]+(?:to|with)[ \t]+(?P<b>{PERSON})"
    ),
    re.compile(rf"(?P<a>{PERSON})[ \t]+(?:introduced|intro'?d|connected|referred)[ \t]+(?:me|us)[ \t]+(?:to|with)[ \t]+(?P<b>{PERSON})"),
    re.compile(rf"(?P<a>{PERSON})[ \t]+(?:put|got)[ \t]+(?:me|us)[ \t]+in[ \t]+touch(?:[ \t]+with[ \t]+(?P<b>{PERSON}))?"),
    re.compile(rf"(?P<a>{PERSON})[ \t]+set[ \t]+(?:this|it|us|the[ \t]+(?:call|chat|meeting))[ \t]+up"),
    re.compile(
        rf"\b(?:[Ii]ntro(?:duction|duced)?|[Rr]eferral)[ \t]+(?:to[ \t]+(?P<b>{PERSON})[ \t]+)?"
        rf"(?:from|by|via|through|thanks[ \t]+to)[ \t]+(?P<a>{PERSON})"
    ),
)
_INTRO_CUES = ("intro", "touch", " set ", "referr", "connected")


def find_introductions(masked: str) -> list[re.Match[str]]:
    """"X introduced me to Y", "X put us in touch", "X set this up", "intro from X"."""
    low = masked.lower()
    if not any(cue in low for cue in _INTRO_CUES):
        return []
    matches: list[re.Match[str]] = []
    done: set[int] = set()
    for cue in _INTRO_CUES:
        pos = low.find(cue)
        while pos >= 0:
            line_start = masked.rfind("\n", 0, pos) + 1
            line_end = masked.find("\n", pos)
            line_end = len(masked) if line_end < 0 else line_end
            if line_start not in done:
                done.add(line_start)
                for pattern in INTRO_PATTERNS:
                    matches.extend(pattern.finditer(masked, line_start, line_end))
            pos = low.find(cue, line_end)
    return sorted({m.span(): m for m in matches}.values(), key=lambda m: m.start())
