"""The parser's helpers and invariants that golden files cannot state."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vaultlink.markdown import (
    as_string_list,
    first_date_in,
    is_protected,
    link_text_position,
    parse_date,
    parse_note,
    prose_mask,
)
from vaultlink.model import Span, SpanKind


def test_prose_mask_blanks_protected_text_and_shows_link_text() -> None:
    text = "I met [[Stefan Mai|Stefan]] at `Amazon`; see [Meta](Meta.md) and ![[x.png]].\n%% a\r\nb %%\n"
    parsed = parse_note("Chat.md", text)
    mask = prose_mask(text, parsed.protected)
    assert mask == (
        "I met              Stefan   at         ; see  Meta           and           .\n    \r\n    \n"
    )
    assert text[mask.index("Stefan") : mask.index("Stefan") + 6] == "Stefan"
    assert text[mask.index("Meta") : mask.index("Meta") + 4] == "Meta"


def test_prose_mask_without_link_text_blanks_links_too() -> None:
    text = "Met [[Stefan Mai]] and [Priya](Priya.md)\n"
    parsed = parse_note("Chat.md", text)
    assert prose_mask(text, parsed.protected, keep_link_text=False) == "Met" + " " * 16 + "and" + " " * 18 + "\n"


def test_prose_mask_of_unlinked_target_shows_the_path_at_its_offset() -> None:
    text = "See [[People/Priya Raman#Bio]] now"
    mask = prose_mask(text, parse_note("a.md", text).protected)
    assert mask == "See   People/Priya Raman       now"


def test_prose_mask_keeps_everything_outside_spans() -> None:
    text = "plain text, nothing protected\r\nsecond line"
    assert prose_mask(text, parse_note("a.md", text).protected) == text


@pytest.mark.parametrize(
    ("chunk", "expected"),
    [
        ("[[Stefan Mai|Stefan]]", (13, "Stefan")),
        ("[[Stefan Mai\\|Stefan]]", (14, "Stefan")),
        ("[[People/Stefan Mai#Bio]]", (2, "People/Stefan Mai")),
        ("[[Stefan Mai#^b1]]", (2, "Stefan Mai")),
        ("[Stefan](Stefan%20Mai.md)", (1, "Stefan")),
    ],
)
def test_link_text_position(chunk: str, expected: tuple[int, str]) -> None:
    offset, shown = expected
    assert link_text_position(chunk) == expected
    assert chunk[offset : offset + len(shown)] == shown


SPANS = [Span(5, 10, SpanKind.WIKILINK), Span(20, 25, SpanKind.INLINE_CODE)]


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (0, 5, False),  # ends where the span starts
        (10, 12, False),  # starts where the span ends
        (4, 6, True),
        (9, 10, True),
        (6, 8, True),  # inside
        (0, 30, True),  # around both
        (11, 19, False),  # between
        (24, 26, True),
        (25, 40, False),
    ],
)
def test_is_protected(start: int, end: int, expected: bool) -> None:
    assert is_protected(SPANS, start, end) is expected
    assert is_protected(tuple(SPANS), start, end) is expected


def test_is_protected_with_no_spans() -> None:
    assert is_protected([], 0, 10) is False


@pytest.mark.parametrize(
    ("value", "split", "expected"),
    [
        (None, False, ()),
        ("", False, ()),
        ("Stef", False, ("Stef",)),
        ("  Stef  ", False, ("Stef",)),
        (["Stef", None, "", "  ", "S. Mai"], False, ("Stef", "S. Mai")),
        (["Stef", "stef", "STEF"], False, ("Stef",)),
        ([2024, 1.5, True], False, ("2024", "1.5", "True")),
        ([{"nested": "x"}, ["y"], "z"], False, ("z",)),
        ("Stef, Mai", False, ("Stef, Mai",)),
        ("coffee-chat, , mentoring  networking", True, ("coffee-chat", "mentoring", "networking")),
        (["a, b", "c"], True, ("a", "b", "c")),
        (("x", "y"), False, ("x", "y")),
    ],
)
def test_as_string_list(value: object, split: bool, expected: tuple[str, ...]) -> None:
    assert as_string_list(value, split_commas=split) == expected


@pytest.mark.parametrize(
    ("written", "iso"),
    [
        ("2023-05-11", "2023-05-11"),
        ("2023-5-1", "2023-05-01"),
        ("May 11, 2023", "2023-05-11"),
        ("May 11 2023", "2023-05-11"),
        ("Sept. 3rd, 2021", "2021-09-03"),
        ("11 May 2023", "2023-05-11"),
        ("3rd of June 2023", "2023-06-03"),
        ("3/14/2024", "2024-03-14"),
        ("14/3/2024", "2024-03-14"),
        ("3/4/24", "2024-03-04"),
        ("2023-02-30", None),
        ("13/13/2024", None),
        ("not a date", None),
        ("", None),
    ],
)
def test_parse_date(written: str, iso: str | None) -> None:
    assert parse_date(written) == iso


def test_first_date_skips_protected_text_and_starts_after_front_matter() -> None:
    text = "---\ndate: nope 2020-01-01\n---\n`2021-01-01` [[2022-02-02]] met on 3 March 2023\n"
    parsed = parse_note("a.md", text)
    assert first_date_in(text, parsed.protected, parsed.frontmatter_end) == "2023-03-03"
    assert parsed.date == "2023-03-03"


# Property test: whatever a vault holds, the parser never raises and its mask stays sound.

FRAGMENTS = [
    "[[", "]]", "[[Note]]", "[[A|b]]", "[[T\\|x]]", "![[img.png]]", "[x](Some%20Note.md)", "](", "[", "]",
    "`", "``", "```", "~~~", "```\n", "~~~\n", "%%", "$", "$$", "<!--", "-->", "<div>", "</div>", "<", ">",
    "#", "# ", "## H", "#tag", "#a/b", "#1", "^id", " ^b1", "> [!note] ", "> ", "key:: ", "[k:: v]", "::",
    "http://x.y/(a)", "https://e.com/p.", "www.x.org", "mailto:a@b", "---\n", "---", "\n", "\r\n", "\r",
    "    ", "\t", "- ", "1. ", "|", "\\", "(", ")", "May 11, 2023", "3/14/2024", "2024-01-08", "é", "🚀",
    "\ufeff", "\x00", "Stefan Mai", " ",
]
markdown_text = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=4)), max_size=60
).map("".join)


@settings(max_examples=400, deadline=None)
@given(text=markdown_text, front=st.booleans())
def test_parser_never_raises_and_spans_are_sound(text: str, front: bool) -> None:
    if front:
        text = "---\n" + text
    parsed = parse_note("Folder/Note.md", text)
    spans = parsed.protected
    for span in spans:
        assert 0 <= span.start < span.end <= len(text)
    for before, after in zip(spans, spans[1:]):
        assert before.end <= after.start, f"{before} and {after} overlap or are out of order"
    for link in parsed.links:
        if link.start >= 0:
            assert 0 <= link.start < link.end <= len(text)
            assert is_protected(spans, link.start, link.end)
    for heading in parsed.headings:
        assert not is_protected(spans, heading.start, heading.start + 1)
    for section in parsed.sections:
        assert 0 <= section.start <= section.end <= len(text)
    for mask in (prose_mask(text, spans), prose_mask(text, spans, keep_link_text=False)):
        assert len(mask) == len(text)
        assert [i for i, c in enumerate(mask) if c == "\n"] == [i for i, c in enumerate(text) if c == "\n"]
        assert [i for i, c in enumerate(mask) if c == "\r"] == [i for i, c in enumerate(text) if c == "\r"]
        for index, char in enumerate(mask):
            if char != " " and char not in "\r\n":
                assert char == text[index]


@pytest.mark.parametrize(
    "front",
    [
        pytest.param("a: &a [1, *a]", id="cyclic-alias"),
        pytest.param(
            "a: &a [x,x,x,x,x,x,x,x,x,x]\n"
            + "".join(f"{c}: &{c} [" + ",".join([f"*{p}"] * 10) + "]\n" for p, c in zip("abcdefgh", "bcdefghi")),
            id="billion-laughs",
        ),
        pytest.param("a: " + "[" * 3000 + "]" * 3000, id="too-deep"),
    ],
)
def test_hostile_front_matter_is_one_warning_not_a_crash(front: str) -> None:
    parsed = parse_note("Evil.md", f"---\n{front}\n---\n# Still read\n[[Link]]\n")
    assert [w.kind for w in parsed.warnings] == ["invalid-yaml"]
    assert "Evil.md" in parsed.warnings[0].message
    assert parsed.metadata == {}
    assert [h.text for h in parsed.headings] == ["Still read"] and [l.target for l in parsed.links] == ["Link"]


def test_yaml_aliases_that_end_are_read() -> None:
    parsed = parse_note("a.md", "---\nbase: &b [Stef]\naliases: *b\n---\n")
    assert parsed.aliases == ("Stef",) and parsed.warnings == ()


def test_dataview_inline_fields_are_read_on_their_own_lines_and_not_in_code() -> None:
    text = (
        "---\ncompany: Acme\n---\n# Tomás Herrera\n\n"
        "person:: [[Tomás Herrera]]\ncompany:: Stripe\n- role:: PM, Billing\ndate:: [[2026-03-04]]\n"
        "Met him [via:: the alumni channel] last week.\n\n```\nx:: y\n```\n%% z:: w %%\ncompany:: Square\n"
    )
    parsed = parse_note("Chats/Tomás.md", text)
    assert parsed.fields == {"person": "[[Tomás Herrera]]", "company": "Stripe", "role": "PM, Billing", "date": "[[2026-03-04]]"}
    assert parsed.date == "2026-03-04"  # the front matter has none, so the field's counts, a daily note's link too
    assert parsed.metadata == {"company": "Acme"}  # the front matter stays what it says


def test_an_inline_field_is_read_with_every_key_the_scan_protects_as_one() -> None:
    parsed = parse_note("a.md", "former company:: Square\nx.y:: z\n")
    assert parsed.fields == {"former company": "Square", "x.y": "z"}
