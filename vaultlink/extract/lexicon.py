"""The shipped word lists (company gazetteer, topic taxonomy, stopwords, given names), loaded once.

These are data files inside the package (``vaultlink/data``); reading package data is not
touching the user's disk, so the pure core may use it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Iterator
from importlib import resources

import ahocorasick

from vaultlink.model import fold


@dataclass(frozen=True)
class Company:
    name: str
    aliases: tuple[str, ...]
    common: frozenset[str]  # folded surfaces that are ordinary words: need a capital and a company context
    kind: str = "company"


@dataclass(frozen=True)
class Topic:
    id: str  # "career-switch"
    name: str
    aliases: tuple[str, ...]
    strong: tuple[str, ...]
    weak: tuple[str, ...]


@dataclass
class Lexicon:
    companies: dict[str, Company]  # folded surface -> company
    topics: tuple[Topic, ...]
    stopwords: frozenset[str]  # folded
    first_names: frozenset[str]  # folded
    company_automaton: ahocorasick.Automaton = field(repr=False, default=None)  # type: ignore[assignment]
    # names.is_person_name's answers: a vault writes the same few thousand names over and over
    person_names: dict[str, bool] = field(default_factory=dict, repr=False, compare=False)


def _read(name: str) -> str:
    try:
        return resources.files("vaultlink.data").joinpath(name).read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""


def parse_gazetteer(text: str) -> list[Company]:
    """``name<TAB>aliases<TAB>common<TAB>kind`` rows (header first; ``|`` separates lists)."""
    companies: list[Company] = []
    for number, line in enumerate(text.splitlines()):
        if number == 0 or not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t") + ["", "", ""]
        name = cells[0].strip()
        if not name:
            continue
        aliases = tuple(a.strip() for a in cells[1].split("|") if a.strip())
        common = frozenset(fold(c) for c in cells[2].split("|") if c.strip())
        companies.append(Company(name, aliases, common, cells[3].strip() or "company"))
    return companies


def parse_topics(text: str) -> list[Topic]:
    if not text.strip():
        return []
    topics = []
    for item in json.loads(text):
        topics.append(
            Topic(
                id=item["id"],
                name=item.get("name") or item["id"].replace("-", " ").capitalize(),
                aliases=tuple(item.get("aliases", ())),
                strong=tuple(fold(p) for p in item.get("strong", ())),
                weak=tuple(fold(p) for p in item.get("weak", ())),
            )
        )
    return topics


def parse_word_list(text: str) -> frozenset[str]:
    return frozenset(fold(line) for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#"))


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """The shipped lexicon, with its matchers built. Cached: call freely."""
    companies: dict[str, Company] = {}
    for company in parse_gazetteer(_read("companies.tsv")):
        for surface in (company.name, *company.aliases):
            companies.setdefault(fold(surface), company)
    lexicon = Lexicon(
        companies=companies,
        topics=tuple(parse_topics(_read("topics.json"))),
        stopwords=parse_word_list(_read("stopwords.txt")),
        first_names=parse_word_list(_read("first_names.txt")),
    )
    lexicon.company_automaton = build_word_automaton(companies)  # type: ignore[arg-type]
    return lexicon


# Spaces are already what word_view makes of them: leaving them out of the pattern skips most
# of the substitutions (same result as r"\W").
_NON_WORD = re.compile(r"[^\w ]")
# Words that, right after a company's name, make it a product: "Google Sheets", "MIT license".
PRODUCT_WORDS = frozenset(
    "docs doc sheets sheet slides drive maps calendar meet search colab translate forms photos scholar analytics "
    "notes journal reminders icloud onenote license licence licensed keep "
    "keep play store pay wallet music tv prime video workspace office teams word excel powerpoint outlook "
    "onedrive sharepoint copilot chrome android gmail assistant alexa kindle echo messenger".split()
)
_NEXT_WORD = re.compile(r"[ \t]+(\w+)")


def next_word(text: str, position: int) -> str:
    """The word after ``position`` on the same line, lowercased ("" when there is none)."""
    match = _NEXT_WORD.match(text, position)
    return match.group(1).lower() if match else ""


def lower(text: str) -> str:
    """Lowercase with the same length, so offsets in the result are offsets in ``text``."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(ch if len(ch.lower()) != 1 else ch.lower() for ch in text)


# What _NON_WORD.sub(" ", ...) does to ASCII, as a bytes.translate table (\w in ASCII is [A-Za-z0-9_]).
_ASCII_WORD_VIEW = bytes(c if chr(c).isalnum() or chr(c) in "_ " else ord(" ") for c in range(128)) + bytes(128)


def word_view(text: str) -> str:
    """``text`` lowercased with every character that is not a letter or digit made a space,
    same length. Matching `` name `` in it finds whole words only, in one C-speed pass."""
    low = lower(text)
    if low.isascii():  # most notes: a bytes translation costs a third of the substitution
        return low.encode("ascii").translate(_ASCII_WORD_VIEW).decode("ascii")
    return _NON_WORD.sub(" ", low)


@lru_cache(maxsize=1 << 16)
def word_key(surface: str) -> str:
    return " " + " ".join(word_view(surface).split()) + " "


def build_word_automaton(table: dict[str, object]) -> ahocorasick.Automaton:
    """An automaton over whole-word keys; each value is ``(surface, payload)``."""
    automaton = ahocorasick.Automaton()
    for surface, payload in table.items():
        key = word_key(surface)
        if key.strip():
            automaton.add_word(key, (surface, payload))
    if len(automaton):
        automaton.make_automaton()
    return automaton


def iter_words(automaton: ahocorasick.Automaton, view: str) -> Iterator[tuple[int, int, Any]]:
    """Whole-word matches in a :func:`word_view`: (start, end, value), offsets into the text."""
    if not len(automaton):
        return
    for end, value in automaton.iter(" " + view + " "):
        key_length = len(word_key(value[0]))
        yield end - key_length + 1, end - 1, value
