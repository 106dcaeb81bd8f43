"""Hub notes: safe file names, the managed block, new hub text, snippets, hub discovery."""

from __future__ import annotations

import re

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from vaultlink import hubs
from vaultlink.hubs import (
    BLOCK_END,
    BLOCK_START,
    HubAdvice,
    HubMention,
    block_edit,
    entities_from_hubs,
    hub_path,
    merge_entities,
    needle_pattern,
    new_hub_text,
    quote_line,
    render_block,
    safe_filename,
)
from vaultlink.linker import (
    LinkFormat,
    LinkOptions,
    LinkStyle,
    NameTable,
    Target,
    apply_edits,
    plan_note,
)
from vaultlink.markdown import parse_note
from vaultlink.model import Entity, EntityType, Mention, Source

FORBIDDEN = re.compile(r'[<>:"/\\|?*#^\[\]\x00-\x1f\x7f]')
RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}


# Safe file names -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Stefan Mai", "Stefan Mai"),
        ("../../x", "x"),
        ("..\\..\\Windows\\system32", "Windows system32"),
        ("/etc/passwd", "etc passwd"),
        ('Acme <Corp>: "best"?*', "Acme Corp best"),
        ("C# [draft] ^1 | x", "C draft 1 x"),
        ("CON", "CON_"),
        ("nul.txt", "nul.txt_"),
        ("Com1", "Com1_"),
        ("Console", "Console"),
        ("  .hidden name.  ", "hidden name"),
        ("...", "Untitled"),
        ("\x00\x07\n\t", "Untitled"),
        ("Zoë  Brandt", "Zoë Brandt"),
    ],
)
def test_safe_filename(name: str, expected: str) -> None:
    assert safe_filename(name) == expected


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_safe_filename_is_always_safe(name: str) -> None:
    safe = safe_filename(name)
    assert safe and not FORBIDDEN.search(safe)
    assert not safe.startswith((".", " ")) and not safe.endswith((".", " "))
    assert safe.partition(".")[0].strip().casefold() not in RESERVED
    assert len(safe.encode("utf-8")) <= hubs.MAX_NAME_BYTES + 1
    assert safe not in (".", "..")


def test_long_names_are_cut_on_a_character() -> None:
    safe = safe_filename("é" * 200)
    assert safe == "é" * (hubs.MAX_NAME_BYTES // 2)


def test_hub_path_avoids_taken_paths_case_insensitively() -> None:
    person = Entity("person:stefan-mai", EntityType.PERSON, "Stefan Mai")
    assert hub_path(person, []) == "People/Stefan Mai.md"
    assert hub_path(person, ["people/stefan mai.md"]) == "People/Stefan Mai 2.md"
    assert hub_path(Entity("company:x", EntityType.COMPANY, "../../etc/passwd"), []) == "Companies/etc passwd.md"
    topic = Entity("topic:x", EntityType.TOPIC, "Resume")
    assert hub_path(topic, [], {EntityType.TOPIC: "Areas/Topics/"}) == "Areas/Topics/Resume.md"


# The managed block ---------------------------------------------------------------------------

BLOCK = render_block([HubMention("Chats/A.md", "[[A]]", "2024-01-02", "Met at Amazon")])


def edit_text(text: str, block: str = BLOCK) -> str | None:
    found = block_edit(text, parse_note("People/X.md", text), block)
    if found is None:
        return None
    start, end, new = found
    return text[:start] + new + text[end:]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", BLOCK + "\n"),
        ("# X", "# X\n\n" + BLOCK + "\n"),
        ("# X\n", "# X\n\n" + BLOCK + "\n"),
        ("# X\n\n", "# X\n\n" + BLOCK + "\n"),
        ("# X\r\nbody\r\n", "# X\r\nbody\r\n\r\n" + BLOCK.replace("\n", "\r\n") + "\r\n"),
    ],
)
def test_a_hub_without_markers_gets_the_block_at_its_end(text: str, expected: str) -> None:
    block = BLOCK.replace("\n", "\r\n") if "\r\n" in text else BLOCK
    assert edit_text(text, block) == expected


def test_only_the_inside_of_the_markers_is_rewritten() -> None:
    text = f"---\ntype: person\n---\n# X\nMine.\n{BLOCK_START}\nold list\n{BLOCK_END}\nAlso mine: {BLOCK_START[:-4]}\n"
    out = edit_text(text)
    assert out == f"---\ntype: person\n---\n# X\nMine.\n{BLOCK}\nAlso mine: {BLOCK_START[:-4]}\n"
    assert edit_text(out) is None  # rewriting an unchanged block changes nothing


def test_a_block_differing_only_in_spacing_is_left_alone() -> None:
    text = "# X\n\n" + BLOCK.replace("Met at Amazon", "Met at  Amazon") + "\n"
    assert edit_text(text) is None


def test_markers_in_code_do_not_count_and_a_lone_start_marker_stops_everything() -> None:
    documented = f"# Docs\n\n```\n{BLOCK_START}\nexample\n{BLOCK_END}\n```\n"
    assert edit_text(documented) == documented + "\n" + BLOCK + "\n"
    broken = f"# X\n{BLOCK_START}\nmy own text, the end marker got deleted\n"
    assert edit_text(broken) is None


def test_the_block_lists_mentions_newest_first_and_advice_by_group() -> None:
    mentions = [
        HubMention("B.md", "[[B]]", None, ""),
        HubMention("A.md", "[[A]]", "2023-01-01", "old"),
        HubMention("C.md", "[[C]]", "2024-05-01", "new"),
    ]
    advice = [
        HubAdvice("Other", "misc", None, "[[A]]", None, "A.md", 3),
        HubAdvice("Resume", "Frame [[it]] well *now*", "How to pivot?", "[[A]]", "2023-01-01", "A.md", 9),
        HubAdvice("Interviewing", "Breathe.", None, "[[C]]", "2024-05-01", "C.md", 2),
    ]
    block = render_block(list(reversed(mentions)), advice)
    assert block == render_block(mentions, list(reversed(advice)))  # order of input does not matter
    lines = block.split("\n")
    assert lines[0] == BLOCK_START and lines[-1] == BLOCK_END
    assert lines.index("- [[C]] · 2024-05-01 · new") < lines.index("- [[A]] · 2023-01-01 · old") < lines.index("- [[B]]")
    groups = [line for line in lines if line.startswith("### ")]
    assert groups == ["### Interviewing", "### Resume", "### Other"]
    assert "- *How to pivot?* Frame \\[\\[it\\]\\] well \\*now\\* ([[A]])" in lines


def test_an_empty_block_says_so() -> None:
    assert "_No notes mention this yet._" in render_block([])


# New hub notes -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Stefan Mai", "Yes", "null", "- dash", "a: b", "#hash", "O'Brien \"Bob\""])
def test_new_hub_text_is_valid_front_matter_and_a_title(name: str) -> None:
    entity = Entity("person:x", EntityType.PERSON, name, aliases=(name, "Stef", "Stef"))
    text = new_hub_text(entity, BLOCK, company_link="[[Amazon]]")
    parsed = parse_note("People/x.md", text)
    assert parsed.metadata == {"type": "person", "aliases": ["Stef"], "company": "[[Amazon]]"}
    assert parsed.headings[0].text == name.strip()
    assert text.endswith(BLOCK + "\n")
    assert edit_text(text) is None


def test_a_company_hub_has_no_company_property() -> None:
    text = new_hub_text(Entity("company:amazon", EntityType.COMPANY, "Amazon"), BLOCK, "[[Other]]")
    assert yaml.safe_load(text.split("---\n")[1]) == {"type": "company"}


# Snippets ------------------------------------------------------------------------------------

NOTE = """---
person: Stefan Mai
---
# Coffee chat with Stefan Mai

Had a half-hour chat today with Stefan Mai, who has been at Amazon's HQ and Meta for ten years; `code` and #tag and [a link](https://x.y) *bold*.
"""


def quote(text: str, needles: list[str], line: int) -> str:
    return quote_line(text, parse_note("Chats/c.md", text), line, needle_pattern(needles))


def test_a_quote_is_the_line_as_a_reader_sees_it_with_markup_escaped() -> None:
    snippet = quote(NOTE, ["Stefan Mai", "Stef"], 6)
    assert snippet.startswith("Had a half-hour chat today with Stefan Mai, who has been at Amazon's HQ")
    assert "\\*bold\\*" in snippet and "#tag" not in snippet and "a link" in snippet and "https" not in snippet
    assert quote("- [ ] Ask [[People/Stefan Mai|Stef]] about `code`\n", ["Stef"], 1) == "Ask Stef about code"


def test_a_quote_is_cut_around_the_name() -> None:
    text = "word " * 60 + "Stefan Mai said hi. " + "more " * 60 + "\n"
    snippet = quote(text, ["stefan mai"], 1)
    assert snippet.startswith("…") and snippet.endswith("…") and "Stefan Mai said hi." in snippet
    assert len(snippet) <= hubs.SNIPPET_CHARS + 2


_NAME_CHARS = st.sampled_from(list("ab \t.([_-é1İσ\u0301"))


@settings(max_examples=300, deadline=None)
@given(
    needles=st.lists(st.text(_NAME_CHARS, min_size=1, max_size=5), min_size=1, max_size=3),
    text=st.text(_NAME_CHARS, max_size=30),
)
def test_a_name_is_found_where_a_plain_whole_word_pattern_finds_it(needles: list[str], text: str) -> None:
    """The pattern checks for a word character before a name after the name's first character
    (so the engine can skip ahead); it finds what ``(?<!\\w)`` in front of the names finds."""
    keys = sorted({hubs.lower_keep_length(" ".join(n.split())) for n in needles if n.strip()}, key=len, reverse=True)
    pattern = needle_pattern(needles)
    if not keys:
        assert pattern is None
        return
    words = "|".join(r"[ \t]+".join(re.escape(w) for w in key.split(" ")) for key in keys)
    plain = re.compile(rf"(?<!\w)(?:{words})(?!\w)").search(text)
    found = pattern.search(text) if pattern else None
    assert (found.span() if found else None) == (plain.span() if plain else None)


def test_quotes_stay_the_same_once_names_are_linked() -> None:
    """Hub blocks quote notes; linking a note must not change the quote (or runs never settle)."""
    table = NameTable(
        [
            Target("person:stefan-mai", EntityType.PERSON, "Stefan Mai", ("Stef",), "People/Stefan Mai.md"),
            Target("company:amazon", EntityType.COMPANY, "Amazon", (), "Companies/Amazon.md", unique=False),
            Target("company:meta", EntityType.COMPANY, "Meta", ("Facebook",)),
        ]
    )
    needles = {"person:stefan-mai": ["Stefan Mai", "Stef"], "company:amazon": ["Amazon"], "company:meta": ["Meta"]}
    before = plan_note(NOTE, parse_note("Chats/c.md", NOTE), table)
    assert set(before.first_lines) == set(needles) and set(before.first_lines.values()) == {6}
    for style in (LinkStyle(), LinkStyle(LinkFormat.RELATIVE), LinkStyle(markdown=True)):
        options = LinkOptions(all_mentions=True, style=style)
        linked = apply_edits(NOTE, plan_note(NOTE, parse_note("Chats/c.md", NOTE), table, options).edits)
        assert linked != NOTE
        after = plan_note(linked, parse_note("Chats/c.md", linked), table, options)
        assert after.first_lines == before.first_lines
        for entity, line in before.first_lines.items():
            assert quote(linked, needles[entity], line) == quote(NOTE, needles[entity], line)


# Hub discovery -------------------------------------------------------------------------------


def test_hubs_are_found_by_type_or_folder() -> None:
    notes = [
        parse_note("People/Stefan Mai.md", "---\naliases: [Stef]\n---\n"),
        parse_note("Work/Acme.md", "---\ntype: company\n---\n"),
        parse_note("Topics/Resume.md", ""),
        parse_note("Chats/Chat.md", "---\ntype: chat\n---\n"),
    ]
    found = {e.id: (e.type, e.aliases, e.note) for e in entities_from_hubs(notes)}
    assert found == {
        "person:stefan-mai": (EntityType.PERSON, ("Stef",), "People/Stefan Mai.md"),
        "company:acme": (EntityType.COMPANY, (), "Work/Acme.md"),
        "topic:resume": (EntityType.TOPIC, (), "Topics/Resume.md"),
    }


def test_merge_attaches_hubs_to_extracted_entities() -> None:
    mention = Mention("Chats/Chat.md", 3, "Stefan", Source.TEXT)
    extracted = [
        Entity("person:stefan-mai", EntityType.PERSON, "Stefan Mai", (), None, (mention,)),
        Entity("company:amazon", EntityType.COMPANY, "Amazon", (), "Companies/Amazon.md"),
    ]
    from_hubs = [
        Entity("person:stefan-mai", EntityType.PERSON, "Stefan Mai", ("Stef",), "People/Stefan Mai.md"),
        Entity("company:amazon", EntityType.COMPANY, "Amazon", (), "Companies/Amazon.md"),
        Entity("topic:resume", EntityType.TOPIC, "Resume", (), "Topics/Resume.md"),
    ]
    merged = {e.id: e for e in merge_entities(extracted, from_hubs)}
    assert merged["person:stefan-mai"].note == "People/Stefan Mai.md"
    assert merged["person:stefan-mai"].aliases == ("Stef",)
    assert merged["person:stefan-mai"].mentions == (mention,)
    assert merged["company:amazon"].note == "Companies/Amazon.md"
    assert set(merged) == {"person:stefan-mai", "company:amazon", "topic:resume"}
