"""What a name looks like: the regex pieces and checks shared by every extractor."""

from __future__ import annotations

import re
from functools import lru_cache

from vaultlink.extract.lexicon import Lexicon
from vaultlink.model import fold

# A capitalised word: letters (any script), inner apostrophes, hyphens and dots ("O'Neil",
# "Al-Sayed", "Jr."), or an all-caps acronym. Particles like "van", "de", "al" may sit inside.
WORD = r"[A-Z\u00C0-\u00DE][\w'’\-]*(?<![-'’])"
PARTICLE = r"(?:van|von|de|der|den|da|di|del|la|le|du|al|el|bin|ben|dos|das|ter|ten)"
PERSON = rf"{WORD}(?:[ \t]+(?:{PARTICLE}[ \t]+)?{WORD}){{0,2}}"
# Company names may hold '&', '.', digits and lowercase joiners ("Booking.com", "AT&T", "Procter & Gamble").
CWORD = r"(?=[\w&.'’+\-]*[A-Za-z])[A-Z0-9\u00C0-\u00DE][\w&.'’+\-]*(?<![.'’\-])"
COMPANY = rf"{CWORD}(?:(?:[ \t]+(?:&|and|of|de|for)[ \t]+|[ \t]+){CWORD}){{0,3}}"

_TRAILING_JUNK = re.compile(r"(?:['’]s|[.,;:!?)]+)$")
_ORDINARY_LEADERS = frozenset(
    fold(w)
    for w in (
        "The A An And But Or So If When While After Before Also Then Still Just Only Even Maybe Perhaps "
        "My Our Your His Her Their Its This That These Those Some Any Every Each No Not Yes Thanks Thank "
        "He She They We I You It Me Him Them Us Mr Mrs Ms Dr Prof Sir Dear Hi Hello Hey"
    ).split()
)


@lru_cache(maxsize=1 << 16)  # a vault writes the same few thousand names over and over
def clean_name(text: str) -> str:
    """A name as written, with a possessive and trailing punctuation removed, spaces single."""
    text = " ".join(text.split())
    previous = None
    while previous != text:
        previous = text
        text = _TRAILING_JUNK.sub("", text).strip()
    return text


def is_stopword(name: str, lexicon: Lexicon) -> bool:
    key = fold(name)
    return key in lexicon.stopwords or key in _ORDINARY_LEADERS


def is_person_name(name: str, lexicon: Lexicon, require_full: bool = False) -> bool:
    """Whether ``name`` can be a person's name: capitalised words, none a stopword or company."""
    known = lexicon.person_names.get(name)
    if known is None:
        known = lexicon.person_names[name] = _is_person_name(name, lexicon)
    return known and (not require_full or len(name.split()) >= 2)


def _is_person_name(name: str, lexicon: Lexicon) -> bool:
    words = name.split()
    if not words or len(words) > 4:
        return False
    if is_stopword(name, lexicon) or fold(name) in lexicon.companies:
        return False
    for word in words:
        key = fold(word)
        if key in _ORDINARY_LEADERS or (key in lexicon.stopwords and key not in lexicon.first_names):
            return False
        if word.isupper() and len(word) > 1:
            return False  # SWE, ML, CRUD
        if any(ch.isdigit() for ch in word):
            return False
    return True


def looks_like_full_name(name: str, lexicon: Lexicon) -> bool:
    """Two or three capitalised words whose first is a known given name ("Priya Raman")."""
    words = name.split()
    return 2 <= len(words) <= 3 and fold(words[0]) in lexicon.first_names and is_person_name(name, lexicon)


def slug(text: str) -> str:
    """``Stefan Mai`` -> ``stefan-mai``; keeps letters of any script."""
    folded = fold(text)
    out = re.sub(r"[^\w]+", "-", folded).strip("-")
    return out or "x"
