"""Who a chat note is with: front matter fields, the title's shape, a first line that names them."""

from __future__ import annotations

import re
from typing import Any, Mapping

from vaultlink.extract.context import CHANNELS
from vaultlink.extract.lexicon import Lexicon
from vaultlink.extract.names import clean_name, is_person_name
from vaultlink.markdown import as_string_list
from vaultlink.model import fold

PARTICIPANT_KEYS = ("person", "people", "with", "attendees", "participants", "participant", "contact", "contacts", "guest", "guests")
_AUTHOR = frozenset({"me", "i", "myself", "self", "you"})
_KIND = (
    r"(?:coffee[ \t]+chat|virtual[ \t]+coffee|coffee|chat|call|intro[ \t]+call|video[ \t]+call|phone[ \t]+call|zoom|1[:-]1|"
    r"1-on-1|one[- ]on[- ]one|informational[ \t]+interview|info[ \t]+interview|informational|mentoring(?:[ \t]+session)?|"
    r"mentorship(?:[ \t]+session)?|meeting|lunch|dinner|drinks|catch[- ]?up|skip[- ]level|sync|interview|conversation|"
    r"session|advice|talk|walk|intro|q[ \t]*&[ \t]*a|ama|office[ \t]+hours|check-?in)"
)
_TITLE_WITH = re.compile(rf"^(?:.*?\b)?{_KIND}s?\b[ \t]*(?:with|w/|w-|w\.|w|from|[-–—:])[ \t]+(?P<names>.+?)[ \t]*$", re.I)
_TITLE_SUFFIX = re.compile(rf"^(?P<names>.+?)[ \t]+(?:[-–—][ \t]+)?(?P<kind>{_KIND})(?:[ \t]+notes)?$", re.I)
# "kenji watanabe - call 14 feb 2024, 45 min (zoom)": names, a dash, what it was, then only when
_TITLE_DASH = re.compile(
    rf"^(?P<names>.+?)[ \t]+[-–—:][ \t]+(?P<kind>{_KIND})(?:[ \t]+notes)?(?:[ \t]*[,\-–—]?[ \t]*\d[\w ,:/.()-]*)?$", re.I
)
# Kinds that only ever mean time with a person: "Shun Kobayashi coffee chat" names one, though
# "Shun" is not a given name vaultlink knows ("Headless Sync" is a feature, not a chat).
_PERSON_KINDS = re.compile(
    r"(?:coffee[ \t]+chat|virtual[ \t]+coffee|coffee|1[:-]1|1-on-1|one[- ]on[- ]one|informational[ \t]+interview|"
    r"info[ \t]+interview|informational|mentoring(?:[ \t]+session)?|mentorship(?:[ \t]+session)?)",
    re.I,
)
_TITLE_ME = re.compile(r"^(?P<names>.+?)[ \t]*(?:<>|<->|↔|x|/|&|and|\+)[ \t]*me$", re.I)
_LEADING_DATE = re.compile(r"^[ \t]*(?:\d{4}[-_.]\d{1,2}[-_.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})[ \t]*[-–—:,]?[ \t]*")
_TRAILING_DATE = re.compile(r"[ \t]*[-–—,]?[ \t]*(?:\d{4}[-_.]\d{1,2}[-_.]\d{1,2}|\d{1,2}[-/.]\d{1,2}(?:[-/.]\d{2,4})?)[ \t]*$")
_PARENS = re.compile(r"[ \t]*\((?P<inside>[^()]*)\)[ \t]*$")
_NAME_SPLIT = re.compile(r"[ \t]*(?:,|&|\+|\band\b)[ \t]*")
_ROLE_AT = re.compile(r"^(?P<role>.+?)[ \t]*(?:,|@|\bat\b)[ \t]*(?P<company>[^,@]+)$")
_LINK = re.compile(r"\[\[([^\]|#]+)(?:#[^\]|]*)?(?:\|([^\]]+))?\]\]")


def title_participants(title: str, lexicon: Lexicon, body: str = "") -> tuple[list[str], str | None, str | None]:
    """Names in a chat title, and the (role, company) of a "1:1 with X (Role, Company)" title.

    A name whose first word is no given name vaultlink knows counts in "X coffee chat" only when
    the note's ``body`` names X too ("Shun Kobayashi coffee chat"; not "Design Review - coffee").

    "Coffee chat with Stefan Mai", "Chat w/ Marcus - 3/14", "Jordan Lee coffee chat",
    "Ana Souza <> me", "2023-09-14 Coffee chat with Sam Patel", "call w kenji".
    """
    text = _LEADING_DATE.sub("", title.strip().lstrip("#").strip())
    role = company = None
    parens = _PARENS.search(text)
    if parens:
        inside = parens.group("inside")
        role_at = _ROLE_AT.match(inside)
        if role_at:
            role, company = role_at.group("role").strip(), role_at.group("company").strip()
        elif (
            fold(inside) in lexicon.companies
            and lexicon.companies[fold(inside)].kind != "university"
            and fold(inside) not in CHANNELS  # "(zoom)": how you talked
        ):
            company = inside.strip()  # "Informational w Mei Lin (Grab)": a company it knows, alone
        text = text[: parens.start()]
    text = _TRAILING_DATE.sub("", text).strip()
    for pattern in (_TITLE_WITH, _TITLE_ME, _TITLE_SUFFIX, _TITLE_DASH):
        match = pattern.match(text)
        if match:
            names_part = re.split(r"[ \t]+[-–—][ \t]+|[ \t]*[:|][ \t]*", match.group("names"))[0]
            # "Coffee chat with X" names a person whatever X is; "X sync" only when X is a given
            # name (or starts with one): "Headless Sync" is a feature, "Jordan Lee coffee chat" a chat.
            strict = pattern is not _TITLE_WITH
            loose = pattern is _TITLE_ME or (
                pattern is not _TITLE_WITH and _PERSON_KINDS.fullmatch(match.group("kind")) is not None
            )
            names = [
                _person_from_title(part, lexicon, strict and not (loose and len(part.split()) >= 2 and _named_in(part, body)))
                for part in _NAME_SPLIT.split(names_part)
            ]
            found = [name for name in names if name]
            if found:
                return found, role, company
    return [], None, None


def _named_in(name: str, body: str) -> bool:
    return bool(body) and re.search(r"(?<!\w)" + r"\s+".join(map(re.escape, name.split())) + r"(?!\w)", body, re.I) is not None


def _person_from_title(text: str, lexicon: Lexicon, strict: bool = False) -> str | None:
    text = _PARENS.sub("", text)
    text = _TRAILING_DATE.sub("", text)
    name = clean_name(text)
    if not name or name.casefold() in _AUTHOR:
        return None
    if name.islower():
        name = " ".join(word[:1].upper() + word[1:] for word in name.split())
    if not all(word[:1].isupper() for word in name.split()):
        return None
    if strict and fold(name.split()[0]) not in lexicon.first_names:
        return None
    return name if is_person_name(name, lexicon) else None


def frontmatter_participants(metadata: Mapping[str, Any], lexicon: Lexicon) -> list[str]:
    """People named in a chat note's properties: ``person``, ``with``, ``attendees``…"""
    names: list[str] = []
    for key, value in metadata.items():
        if key.casefold() not in PARTICIPANT_KEYS:
            continue
        for item in as_string_list(value):
            for part in _split_property(item):
                if part.casefold() not in _AUTHOR and is_person_name(part, lexicon):
                    names.append(part)
    first = metadata.get("first_name") or metadata.get("firstname")
    last = metadata.get("last_name") or metadata.get("lastname")
    if isinstance(first, str) and first.strip():
        full = f"{first.strip()} {last.strip()}" if isinstance(last, str) and last.strip() else first.strip()
        names.append(full)
    return list(dict.fromkeys(names))


def _split_property(value: str) -> list[str]:
    """A property value to names: links unwrapped (``[[People/Stefan Mai|Stefan]]``), lists split."""
    out = []
    for match in _LINK.finditer(value):
        out.append(match.group(1).rpartition("/")[2].strip())
    rest = _LINK.sub("", value)
    out.extend(clean_name(part) for part in re.split(r"[ \t]*(?:,|;)[ \t]*|[ \t]+(?:&|\band\b)[ \t]+", rest))
    return [name for name in out if name]


def company_property(metadata: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """Companies from properties: (current, past). ``company``, ``org``, ``role: "Title @ Company"``."""
    current: list[str] = []
    past: list[str] = []
    for key, value in metadata.items():
        folded = key.casefold()
        if folded in ("company", "companies", "org", "organization", "organisation", "employer", "current_company", "works_at"):
            for item in as_string_list(value):
                current.extend(_split_property(item))
        elif folded in ("previous_company", "previous_companies", "past_companies", "former_company", "worked_at", "ex"):
            for item in as_string_list(value):
                past.extend(_split_property(item))
        elif folded in ("role", "title", "position", "job") and isinstance(value, str):
            match = re.search(r"(?:@|\bat\b)[ \t]*(?P<c>[^,@()]+)", value)
            if match and folded != "title":
                current.extend(_split_property(match.group("c").strip()))
    return list(dict.fromkeys(current)), list(dict.fromkeys(past))
