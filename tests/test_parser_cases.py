"""Golden parser cases: each ``tests/cases/parse/*.md`` holds a note, then what parse_note finds.

A case file is the note's text, a line ``=== expected ===``, then a JSON object:

- ``title``, ``date``, ``aliases``, ``tags``, ``warnings`` (kinds): compared as they are;
- ``headings``: ``[level, text]``;
- ``links``: ``[target, kind, embed, heading, block, display]``;
- ``protected``: ``[kind, text]``, the text cut from the note at the span's offsets;
- ``metadata``, ``sections`` (``[heading text or null, body text]``): optional, compared when given;
- ``options`` (optional): ``path`` (the note's vault path, default the case's file name),
  ``crlf`` (turn every line break of the input into CR LF before parsing), ``final_newline``
  (false: the input has no line break at its end).

The input is everything before the separator line, its last line break included. Adding a case
is adding a file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from vaultlink.markdown import line_of, parse_note
from vaultlink.model import LinkKind, ParsedNote, SpanKind

CASES = Path(__file__).resolve().parent / "cases" / "parse"
SEPARATOR = "=== expected ===\n"
COMPARED = ("title", "date", "aliases", "tags", "headings", "links", "protected", "warnings")
OPTIONAL = ("metadata", "sections")  # compared only in the cases that give them


def _load(path: Path) -> tuple[str, str, dict[str, Any]]:
    raw = path.read_bytes().decode("utf-8")
    if raw.startswith(SEPARATOR):
        text, expected_json = "", raw[len(SEPARATOR) :]
    else:
        text, found, expected_json = raw.partition("\n" + SEPARATOR)
        assert found, f"{path.name}: no line {SEPARATOR.strip()!r}"
        text += "\n"
    expected = json.loads(expected_json)
    options = expected.pop("options", {})
    if options.get("final_newline") is False:
        assert text.endswith("\n")
        text = text[:-1]
    if options.get("crlf"):
        assert "\r" not in text, f"{path.name}: write the case with LF; the crlf option converts it"
        text = text.replace("\n", "\r\n")
    missing = [key for key in COMPARED if key not in expected]
    assert not missing, f"{path.name}: expected JSON lacks {missing}"
    return options.get("path", path.name), text, expected


def _found(parsed: ParsedNote, text: str) -> dict[str, Any]:
    return {
        "title": parsed.title,
        "date": parsed.date,
        "aliases": list(parsed.aliases),
        "tags": list(parsed.tags),
        "headings": [[h.level, h.text] for h in parsed.headings],
        "links": [[l.target, l.kind.value, l.embed, l.heading, l.block, l.display] for l in parsed.links],
        "protected": [[s.kind.value, text[s.start : s.end]] for s in parsed.protected],
        "warnings": [w.kind for w in parsed.warnings],
        "metadata": parsed.metadata,
        "sections": [[s.heading.text if s.heading else None, text[s.start : s.end]] for s in parsed.sections],
    }


def _check_offsets(parsed: ParsedNote, text: str) -> None:
    """What the JSON cannot show: offsets, lines and sections agree with the text."""
    spans = parsed.protected
    assert all(0 <= s.start < s.end <= len(text) for s in spans)
    assert all(a.end <= b.start for a, b in zip(spans, spans[1:])), "protected spans overlap or are unsorted"
    link_spans = {(s.start, s.end) for s in spans if s.kind in (SpanKind.WIKILINK, SpanKind.MDLINK)}
    for link in parsed.links:
        if link.kind is LinkKind.PROPERTY:
            assert (link.start, link.end, link.line) == (-1, -1, 0)
            continue
        assert (link.start, link.end) in link_spans, f"link {link.target!r} has no protected span"
        assert link.line == line_of(parsed.line_starts, link.start)
        assert text[link.start] == ("!" if link.embed else "[")
    for heading in parsed.headings:
        assert text[heading.start : heading.end].lstrip(" ").startswith("#" * heading.level)
        assert heading.end == len(text) or text.startswith(("\n", "\r\n"), heading.end)
        assert heading.line == text.count("\n", 0, heading.start) + 1
        assert "\r" not in heading.text
    assert parsed.line_starts == tuple([0] + [i + 1 for i, c in enumerate(text) if c == "\n"])
    for section in parsed.sections:
        assert parsed.frontmatter_end <= section.start <= section.end <= len(text)
    for warning in parsed.warnings:
        assert warning.path == parsed.path and parsed.path in warning.message


@pytest.mark.parametrize("case", sorted(CASES.glob("*.md")), ids=lambda p: p.stem)
def test_parse_case(case: Path) -> None:
    path, text, expected = _load(case)
    parsed = parse_note(path, text)
    found = _found(parsed, text)
    keys = COMPARED + tuple(key for key in OPTIONAL if key in expected)
    assert {key: found[key] for key in keys} == {key: expected[key] for key in keys}
    _check_offsets(parsed, text)


def test_cases_exist() -> None:
    assert len(list(CASES.glob("*.md"))) >= 40
