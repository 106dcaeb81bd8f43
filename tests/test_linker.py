"""The linker: golden cases (``tests/cases/link/``), its invariants under hypothesis, and its parts.

Every case and every generated note goes through :func:`assert_links`, which checks what a user
relies on: the output is the expected one; planning the output again proposes nothing; removing
the inserted link syntax gives back the input byte for byte; protected text is untouched.
"""

from __future__ import annotations

import ast
import unicodedata
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vaultlink.fsio import decode_note
from vaultlink.linker import (
    Edit,
    EditKind,
    FileChange,
    LinkFormat,
    LinkOptions,
    LinkStyle,
    NameTable,
    Target,
    VaultOptions,
    apply_edits,
    link_path,
    plan_note,
    plan_vault,
    relative_path,
    write_link,
)
from vaultlink.markdown import link_text_position, parse_note
from vaultlink.model import (
    Advice,
    Entity,
    EntityType,
    Mention,
    Note,
    NoteSummary,
    ParsedNote,
    Source,
    SpanKind,
    VaultIndex,
)

CASES = Path(__file__).parent / "cases" / "link"
INPUT = "»»» input\n"
EXPECTED = "»»» expected\n"
SAME = "(same)\n"

DEFAULT_TARGETS: list[dict[str, Any]] = [
    {"id": "person:stefan-mai", "type": "person", "name": "Stefan Mai", "aliases": ["Stef"], "note": "People/Stefan Mai.md"},
    {"id": "person:sam-patel", "type": "person", "name": "Sam Patel", "aliases": ["Sam"], "note": "People/Sam Patel.md"},
    {"id": "person:jose-alvarez", "type": "person", "name": "José Álvarez", "note": "People/José Álvarez.md"},
    {"id": "person:zoe-brandt", "type": "person", "name": "Zoë Brandt"},
    {"id": "company:amazon", "type": "company", "name": "Amazon", "aliases": ["Amazon.com"], "note": "Companies/Amazon.md"},
    {"id": "company:aws", "type": "company", "name": "Amazon Web Services", "aliases": ["AWS"]},
    {"id": "topic:resume", "type": "topic", "name": "Resume", "aliases": ["CV", "resumes"], "note": "Topics/Resume.md"},
    {"id": "topic:career-switch", "type": "topic", "name": "Career switch", "note": "Topics/Career switch.md"},
]


def make_target(spec: dict[str, Any]) -> Target:
    confirmed = spec.get("confirmed")
    return Target(
        entity_id=spec["id"],
        type=EntityType(spec["type"]),
        name=spec["name"],
        surfaces=tuple(spec.get("aliases", ())),
        note=spec.get("note"),
        unique=spec.get("unique", True),
        common=frozenset(spec.get("common", ())),
        confirmed=None if confirmed is None else frozenset(confirmed),
    )


DEFAULT_TABLE = NameTable(make_target(s) for s in DEFAULT_TARGETS)


# The one helper ------------------------------------------------------------------------------


def strip_inserted(before: str, after: str, path: str) -> str:
    """``after`` with every link that is not in ``before`` at the same place replaced by the
    text it shows. Equal to ``before`` exactly when linking added nothing but link syntax."""
    parsed = parse_note(path, after)
    out: list[str] = []
    i = j = 0
    for span in parsed.protected:
        if span.kind not in (SpanKind.WIKILINK, SpanKind.MDLINK):
            continue
        gap = after[j : span.start]
        out.append(gap)
        i += len(gap)
        chunk = after[span.start : span.end]
        if before.startswith(chunk, i):
            out.append(chunk)
            i += len(chunk)
        else:
            shown = link_text_position(chunk)[1]
            out.append(shown)
            i += len(shown)
        j = span.end
    out.append(after[j:])
    return "".join(out)


def assert_links(
    text: str,
    expected: str | None = None,
    table: NameTable = DEFAULT_TABLE,
    options: LinkOptions = LinkOptions(),
    path: str = "Chats/Note.md",
) -> str:
    """Plan ``text``, apply, and check the linker's promises; return the output."""
    parsed = parse_note(path, text)
    edits = plan_note(text, parsed, table, options).edits
    output = apply_edits(text, edits)
    if expected is not None:
        assert output == expected
    again = plan_note(output, parse_note(path, output), table, options).edits
    assert again == (), f"a second plan still proposes {again}"
    assert strip_inserted(text, output, path) == text
    shift = 0
    cursor = 0
    for span in parsed.protected:
        while cursor < len(edits) and edits[cursor].start < span.start:
            assert edits[cursor].end <= span.start, "an edit reaches into protected text"
            shift += len(edits[cursor].new) - len(edits[cursor].old)
            cursor += 1
        assert output[span.start + shift : span.end + shift] == text[span.start : span.end]
    for edit in edits:
        assert edit.kind is EditKind.LINK
        assert text[edit.start : edit.end] == edit.old
        assert not any(h.start <= edit.start < h.end for h in parsed.headings)
    return output


# Golden cases --------------------------------------------------------------------------------


def read_case(path: Path) -> tuple[dict[str, Any], str, str]:
    raw = path.read_text(encoding="utf-8")
    header, _, rest = raw.partition(INPUT)
    text, _, expected = rest.partition("\n" + EXPECTED)
    text += "\n"
    meta = yaml.safe_load(header) or {}
    if expected == SAME:
        expected = text
    if meta.get("final_newline") is False:
        assert text.endswith("\n") and expected.endswith("\n")
        text, expected = text[:-1], expected[:-1]
    if meta.get("crlf"):
        text, expected = text.replace("\n", "\r\n"), expected.replace("\n", "\r\n")
    return meta, text, expected


def case_options(meta: dict[str, Any]) -> tuple[NameTable, LinkOptions, str]:
    specs = meta.get("targets", DEFAULT_TARGETS) + meta.get("extra_targets", [])
    table = NameTable(make_target(s) for s in specs)
    types = frozenset(EntityType(t) for t in meta["types"]) if "types" in meta else frozenset(EntityType)
    style = LinkStyle(LinkFormat(meta.get("format", "shortest")), bool(meta.get("markdown", False)))
    return table, LinkOptions(bool(meta.get("all", False)), types, style), meta.get("path", "Chats/Note.md")


@pytest.mark.parametrize("case", sorted(CASES.glob("*.md")), ids=lambda p: p.stem)
def test_link_case(case: Path) -> None:
    meta, text, expected = read_case(case)
    table, options, path = case_options(meta)
    if meta.get("bom"):
        note = decode_note(path, b"\xef\xbb\xbf" + text.encode("utf-8"))
        assert isinstance(note, Note) and note.bom and note.text == text
        output = assert_links(note.text, expected, table, options, path)
        change = FileChange(path, text, output, None, bom=True)
        assert change.encoded() == b"\xef\xbb\xbf" + expected.encode("utf-8")
        return
    assert_links(text, expected, table, options, path)


def test_cases_cover_the_issue() -> None:
    """Each rule of the issue keeps at least one golden file (adding a case is adding a file)."""
    names = {p.stem for p in CASES.glob("*.md")}
    for needed in (
        "code-fences", "inline-code", "urls", "existing-links", "headings", "tables", "callouts", "math",
        "comments", "tags", "front-matter", "crlf", "bom", "no-final-newline", "unicode-names", "possessives",
        "overlapping-names", "self-link", "first-mention-only", "all-mentions", "lowercase-common-word",
    ):
        assert needed in names


# Properties ----------------------------------------------------------------------------------

_NAMES = [
    "Stefan Mai", "stefan mai", "Stef", "Sam", "Sam Patel", "Sam Patel's", "José Álvarez", "Zoë Brandt",
    "Amazon", "amazon", "Amazon's", "Amazon Web Services", "AWS", "aws", "Amazon.com", "resume", "Resume",
    "resumes", "CV", "cv", "Career switch", "career switch", "Meta", "meta-learning",
]
_WORDS = ["the", "chat", "with", "at", "and", "İstanbul", "naïve", "x", "—", ",", ".", "'", "’s", "(", ")", "!", "-"]
_PROTECTED = [
    "`{n}`", "``{n} `x` ``", "[[{n}]]", "[[Other|{n}]]", "![[{n}]]", "[{n}](https://example.com/{n})",
    "https://example.com/{n}", "www.{n}.com", "#{n}", "%% {n} %%", "<!-- {n} -->", "$x {n}$",
    "<span>{n}</span>", "<b>", "^blockid", "[{n}]", "!{n}", "field:: {n}",
]
_LINES = [
    "{p}", "# {p}", "## heading {p}", "> {p}", "> [!note] {p}", "- {p}", "1. {p}", "| {p} | {p} |",
    "| --- | --- |", "---|---", "{p} | {p}", "```", "~~~", "    {p}", "$$", "%%", "---", "===", "", "\t{p}",
]


@st.composite
def notes(draw: st.DrawFn) -> str:
    """Markdown with names in prose and in every kind of protected text, in any order."""
    lines: list[str] = []
    if draw(st.booleans()):
        lines += ["---", f"title: {draw(st.sampled_from(_NAMES))}", "---"]
    for template in draw(st.lists(st.sampled_from(_LINES), max_size=12)):
        parts = []
        for _ in range(draw(st.integers(0, 6))):
            kind = draw(st.integers(0, 2))
            name = draw(st.sampled_from(_NAMES))
            if kind == 0:
                parts.append(name)
            elif kind == 1:
                parts.append(draw(st.sampled_from(_WORDS)))
            else:
                parts.append(draw(st.sampled_from(_PROTECTED)).format(n=name))
        separator = draw(st.sampled_from([" ", "", "  "]))
        lines.append(template.format(p=separator.join(parts)))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    return newline.join(lines) + draw(st.sampled_from(["", newline]))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=notes(), all_mentions=st.booleans(), markdown=st.booleans(), fmt=st.sampled_from(list(LinkFormat)))
def test_linking_only_adds_link_syntax(text: str, all_mentions: bool, markdown: bool, fmt: LinkFormat) -> None:
    options = LinkOptions(all_mentions=all_mentions, style=LinkStyle(fmt, markdown))
    assert_links(text, options=options, path="Chats/Deep/Note.md")


_SOUP = st.sampled_from(list("ab \n\r\t#[]()!|`$%<>-_*:'’^=~/\\.,İÉé\u0301"))


@settings(max_examples=300, deadline=None)
@given(
    parts=st.lists(st.one_of(st.text(_SOUP, max_size=6), st.sampled_from(_NAMES)), max_size=30),
    all_mentions=st.booleans(),
)
def test_linking_character_soup(parts: list[str], all_mentions: bool) -> None:
    """Names glued to markup characters in every way: the same promises hold."""
    assert_links("".join(parts), options=LinkOptions(all_mentions=all_mentions))


_OVERLAPPING = NameTable(
    [
        Target("company:new-york-times", EntityType.COMPANY, "New York Times", ("NYT",), "Companies/New York Times.md"),
        Target("company:times-square", EntityType.COMPANY, "Times Square Partners", ("Times Square",), "Companies/TSP.md"),
        Target("person:york-tan", EntityType.PERSON, "York Tan", (), "People/York Tan.md"),
        Target("person:new-york", EntityType.PERSON, "Nova York", ("New York",), "People/Nova York.md"),
        Target("topic:square", EntityType.TOPIC, "Square One", ("square",), "Topics/Square One.md"),
    ]
)


@settings(max_examples=400, deadline=None)
@given(
    words=st.lists(st.sampled_from(["New", "York", "Times", "Square", "Tan", "NYT", "square", "One", "and", ",", "`", "\n", "#"]), max_size=40),
    separator=st.sampled_from([" ", "\n"]),
)
def test_first_mentions_are_the_first_of_all_mentions(words: list[str], separator: str) -> None:
    """Names that overlap each other, repeated: the first-mention plan links, of every entity,
    exactly the first link the all-mentions plan makes, so a repeat it passes over can never
    change which names win their overlaps."""
    text = separator.join(words) + "\n"
    parsed = parse_note("n.md", text)
    every = plan_note(text, parsed, _OVERLAPPING, LinkOptions(all_mentions=True))
    first = plan_note(text, parsed, _OVERLAPPING)
    firsts = list({edit.entity_id: edit for edit in reversed(every.edits)}.values())
    assert first.edits == tuple(sorted(firsts, key=lambda e: e.start))
    assert (first.mentioned, first.linked, first.first_lines) == (every.mentioned, every.linked, every.first_lines)


def test_a_repeated_name_still_wins_its_overlap() -> None:
    """"New York" said twice, then "York Tan" overlapping the second: the second "New York" is
    chosen (leftmost first), so "York Tan" is not linked, though it adds no link itself."""
    text = "New York came. New York Tan left.\n"
    edits = plan_note(text, parse_note("n.md", text), _OVERLAPPING).edits
    assert [e.old for e in edits] == ["New York"]


@settings(max_examples=100, deadline=None)
@given(text=notes())
def test_self_links_and_opt_out(text: str) -> None:
    parsed = parse_note("People/Stefan Mai.md", text)
    assert all(e.entity_id != "person:stefan-mai" for e in plan_note(text, parsed, DEFAULT_TABLE).edits)
    opted = "---\nvaultlink: false\n---\n" + text
    assert plan_note(opted, parse_note("x.md", opted), DEFAULT_TABLE).edits == ()


# Parts ---------------------------------------------------------------------------------------


def test_first_mention_and_already_linked() -> None:
    text = "Amazon and Amazon.\n\nLater [[Companies/Amazon|the store]] again.\n"
    assert plan_note(text, parse_note("n.md", text), DEFAULT_TABLE).edits == ()
    text = "Amazon and Amazon, at Amazon.com.\n"
    edits = plan_note(text, parse_note("n.md", text), DEFAULT_TABLE).edits
    assert [e.new for e in edits] == ["[[Amazon]]"]


def test_mentions_are_reported_even_when_not_linked() -> None:
    text = "# Amazon\n\nAmazon and Amazon; see [[Stefan Mai]].\n"
    found = plan_note(text, parse_note("n.md", text), DEFAULT_TABLE, LinkOptions(types=frozenset({EntityType.TOPIC})))
    assert found.edits == ()
    assert found.mentioned == {"company:amazon"}
    assert found.linked == {"person:stefan-mai"}


def test_ambiguous_surface_links_to_no_one() -> None:
    table = NameTable(
        [
            Target("person:sam-patel", EntityType.PERSON, "Sam Patel", ("Sam",)),
            Target("person:sam-okafor", EntityType.PERSON, "Sam Okafor", ("Sam",)),
        ]
    )
    text = "Sam Patel and Sam Okafor met. Sam said hi.\n"
    edits = plan_note(text, parse_note("n.md", text), table, LinkOptions(all_mentions=True)).edits
    assert [e.old for e in edits] == ["Sam Patel", "Sam Okafor"]
    assert any(w.kind == "ambiguous-name" for w in table.warnings)


def test_a_name_owns_its_surface_over_an_alias() -> None:
    table = NameTable(
        [
            Target("company:meta", EntityType.COMPANY, "Meta"),
            Target("topic:meta", EntityType.TOPIC, "Metaprogramming", ("Meta",)),
        ]
    )
    text = "Worked at Meta.\n"
    assert [e.entity_id for e in plan_note(text, parse_note("n.md", text), table).edits] == ["company:meta"]


def test_unsafe_hub_names_are_never_linked() -> None:
    table = NameTable([Target("company:x", EntityType.COMPANY, "Acme", note="Companies/Acme [draft].md")])
    text = "Acme is here.\n"
    assert plan_note(text, parse_note("n.md", text), table).edits == ()
    assert table.warnings


def test_link_writing() -> None:
    assert link_path("People/Stefan Mai.md", "Chats/a.md", LinkStyle()) == "Stefan Mai"
    assert link_path("People/Stefan Mai.md", "Chats/a.md", LinkStyle(), unique=False) == "People/Stefan Mai"
    assert link_path("People/Stefan Mai.md", "Chats/2024/a.md", LinkStyle(LinkFormat.RELATIVE)) == "../../People/Stefan Mai"
    assert link_path("People/Stefan Mai.md", "People/a.md", LinkStyle(LinkFormat.RELATIVE)) == "Stefan Mai"
    assert link_path("Stefan Mai.md", "Chats/a.md", LinkStyle(LinkFormat.ABSOLUTE)) == "Stefan Mai"
    assert relative_path("a/b/c", "a/x") == "../b/c"
    assert write_link("Stefan Mai", "Stefan Mai", LinkStyle()) == "[[Stefan Mai]]"
    assert write_link("Stefan Mai", "Stef", LinkStyle(), in_table=True) == "[[Stefan Mai\\|Stef]]"
    markdown = LinkStyle(LinkFormat.ABSOLUTE, markdown=True)
    assert write_link("People/Dana (Shopify)", "Dana", markdown) == "[Dana](People/Dana%20%28Shopify%29.md)"


def test_link_style_from_settings() -> None:
    assert LinkStyle.from_settings({}) == LinkStyle()
    assert LinkStyle.from_settings({"newLinkFormat": "relative", "useMarkdownLinks": True}) == LinkStyle(
        LinkFormat.RELATIVE, True
    )
    assert LinkStyle.from_settings({"newLinkFormat": "odd", "useMarkdownLinks": "yes"}) == LinkStyle()


def test_apply_edits_refuses_a_stale_edit() -> None:
    with pytest.raises(ValueError):
        apply_edits("Amazon", [Edit(0, 6, "Amazin", "[[Amazon]]", "company:amazon", 1)])


def test_decomposed_unicode_matches_and_keeps_the_text() -> None:
    """A note saved in NFD (some macOS tools do) still matches; the text as written is kept."""
    text = unicodedata.normalize("NFD", "José Álvarez and Zoë Brandt.\n")
    out = assert_links(text)
    shown = unicodedata.normalize("NFD", "José Álvarez")
    assert out.startswith(f"[[José Álvarez|{shown}]] and [[Zoë Brandt|")


def test_dotted_capital_i_keeps_offsets() -> None:
    """``"İ".lower()`` is two characters: offsets after it must still be right."""
    text = "İİİ İstanbul trip with Stefan Mai at Amazon.\n"
    out = assert_links(text, options=LinkOptions(all_mentions=True))
    assert out == "İİİ İstanbul trip with [[Stefan Mai]] at [[Amazon]].\n"


def test_pure_modules_do_no_io() -> None:
    """linker, hubs and diff take text and return text: no os, pathlib, io, open() or click."""
    package = Path(__file__).resolve().parent.parent / "vaultlink"
    for name in ("linker.py", "hubs.py", "diff.py"):
        tree = ast.parse((package / name).read_text(encoding="utf-8"))
        imported = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                imported.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module.split(".")[0])
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in ("open", "print", "input"), f"{name} calls {node.func.id}()"
        assert not imported & {"os", "pathlib", "io", "shutil", "tempfile", "click", "subprocess"}, name


# The vault plan ------------------------------------------------------------------------------


def vault_notes(files: dict[str, str]) -> list[tuple[Note, ParsedNote]]:
    out = []
    for path, text in sorted(files.items()):
        note = decode_note(path, text.encode("utf-8"))
        assert isinstance(note, Note)
        out.append((note, parse_note(path, text)))
    return out


def vault_index(notes: list[tuple[Note, ParsedNote]], entities: tuple[Entity, ...] = (), advice: tuple[Advice, ...] = ()) -> VaultIndex:
    summaries = tuple(
        NoteSummary(p.path, p.title, p.date, p.tags, (), (), private=p.metadata.get("private") is True) for _, p in notes
    )
    return VaultIndex("/vault", summaries, (), entities, (), advice, ())


def mention(note: str, line: int = 1) -> Mention:
    return Mention(note, line, "", Source.TEXT)


def test_plan_vault_creates_hubs_only_for_entities_seen_outside_private_notes() -> None:
    notes = vault_notes({
        "Chats/a.md": "Met Priya Raman.\n",
        "Diary.md": "---\nprivate: true\n---\nOmar Haddad, in secret.\n",
    })
    entities = (
        Entity("person:priya-raman", EntityType.PERSON, "Priya Raman", (), None, (mention("Chats/a.md"),)),
        Entity("person:omar-haddad", EntityType.PERSON, "Omar Haddad", (), None, (mention("Diary.md", 4),)),
    )
    plan = plan_vault(notes, vault_index(notes, entities), VaultOptions(create_hubs=True))
    created = {c.path: c.after for c in plan.changes if c.created}
    assert set(created) == {"People/Priya Raman.md"}
    assert "[[a]] · Met Priya Raman." in created["People/Priya Raman.md"]
    assert "Diary" not in created["People/Priya Raman.md"]


def test_plan_vault_links_to_an_ignored_note_instead_of_creating_a_second_one() -> None:
    notes = vault_notes({"Chats/a.md": "Met Priya Raman.\n"})
    entities = (Entity("person:priya-raman", EntityType.PERSON, "Priya Raman", (), None, (mention("Chats/a.md"),)),)
    plan = plan_vault(notes, vault_index(notes, entities), VaultOptions(create_hubs=True), taken=["People/Priya Raman.md"])
    assert [(c.path, c.created) for c in plan.changes] == [("Chats/a.md", False)]
    assert plan.changes[0].after == "Met [[Priya Raman]].\n"


def test_plan_vault_leaves_opted_out_hubs_and_ignores_its_own_quotes() -> None:
    block = "<!-- vaultlink:start -->\n- [[a]] · Met Lena Fischer at Zalando.\n<!-- vaultlink:end -->\n"
    notes = vault_notes({
        "Chats/a.md": "Met Priya Raman.\n",
        "People/Priya Raman.md": "---\ntype: person\nvaultlink: false\n---\n# Priya\n",
        "Companies/Stripe.md": "---\ntype: company\n---\n# Stripe\n\n" + block,
    })
    entities = (
        Entity("person:priya-raman", EntityType.PERSON, "Priya Raman", (), "People/Priya Raman.md", (mention("Chats/a.md"),)),
        # known only from the text of a managed block: vaultlink's own quote, read back
        Entity("person:lena-fischer", EntityType.PERSON, "Lena Fischer", (), None, (Mention("Companies/Stripe.md", 8, "Lena Fischer", Source.TEXT, 69, 81),)),
    )
    plan = plan_vault(notes, vault_index(notes, entities), VaultOptions(create_hubs=True))
    paths = {c.path for c in plan.changes}
    assert "People/Priya Raman.md" not in paths and "People/Lena Fischer.md" not in paths
    stripe = next(c for c in plan.changes if c.path == "Companies/Stripe.md")
    assert "_No notes mention this yet._" in stripe.after and "Lena" not in stripe.after


def test_plan_vault_groups_a_persons_advice_by_topic() -> None:
    notes = vault_notes({"Chats/a.md": "Coffee with Priya Raman.\n\nHow to grow?\nWrite design docs.\n"})
    entities = (
        Entity("person:priya-raman", EntityType.PERSON, "Priya Raman", (), None, (mention("Chats/a.md"),)),
        Entity("topic:promotion", EntityType.TOPIC, "Promotion", (), None, (mention("Chats/a.md", 4),)),
    )
    advice = (Advice("Chats/a.md", 4, "person:priya-raman", "How to grow?", "Write design docs.", ("topic:promotion",), "2024-01-02"),)
    plan = plan_vault(notes, vault_index(notes, entities, advice), VaultOptions(create_hubs=True))
    hub = next(c.after for c in plan.changes if c.path == "People/Priya Raman.md")
    assert "## Advice\n\n### Promotion\n\n- *How to grow?* Write design docs. ([[a]])" in hub
    topic = next(c.after for c in plan.changes if c.path == "Topics/Promotion.md")
    assert "### Priya Raman\n\n- *How to grow?* Write design docs. ([[a]])" in topic
