"""Answers from an index: the advice digest, contacts, cards for the graph page, lint.

Most tests build a small :class:`VaultIndex` by hand, so what they check is the report and not
extraction; the last ones read small vaults written in the test.
"""

from __future__ import annotations

import pytest

from vaultlink import api
from vaultlink.markdown import parse_note
from vaultlink.model import (
    ME,
    Advice,
    Entity,
    EntityType,
    Mention,
    NoteSummary,
    Relation,
    RelationType,
    Source,
    VaultIndex,
)
from vaultlink.report import (
    UnknownName,
    advice_digest,
    advice_index_block,
    advice_json,
    collect_followups,
    company_card,
    contacts,
    contacts_json,
    find_entity,
    lint,
    new_advice_index,
    note_link,
    person_card,
    put_block,
    render_advice,
    BLOCK_END,
    BLOCK_START,
)

from conftest import MakeVault

STEFAN_CHAT = "Chats/Coffee chat with Stefan Mai.md"
PRIYA_CHAT = "Chats/Coffee chat with Priya Raman.md"
SAM_CHAT = "Chats/Coffee chat with Sam Patel.md"
GROUP_CHAT = "Chats/Coffee with Omar and Lena.md"


def _person(pid: str, name: str, note: str | None = None, aliases: tuple[str, ...] = ()) -> Entity:
    return Entity(f"person:{pid}", EntityType.PERSON, name, aliases, note)


def _index() -> VaultIndex:
    """Stefan (ex-Amazon, ex-Meta), Priya (Stripe, ex-Google, introduced by Sam Patel of Notion),
    Jo (at Meta, never met, introduced by Priya), Omar and Lena (one group chat)."""
    notes = (
        NoteSummary(STEFAN_CHAT, "Coffee chat with Stefan Mai", "2023-05-11", (), (), (), ("person:stefan-mai",)),
        NoteSummary(PRIYA_CHAT, "Coffee chat with Priya Raman", "2024-02-03", (), (), (), ("person:priya-raman",)),
        NoteSummary("Chats/Priya again.md", "Priya again", "2024-04-01", (), (), (), ("person:priya-raman",)),
        NoteSummary(SAM_CHAT, "Coffee chat with Sam Patel", "2023-09-14", (), (), (), ("person:sam-patel",)),
        NoteSummary(GROUP_CHAT, "Coffee with Omar and Lena", "2024-03-21", (), (), (), ("person:omar-haddad", "person:lena-fischer")),
        NoteSummary("Recipes/Apple pie.md", "Apple pie", None, (), (), ()),
        NoteSummary("People/Stefan Mai.md", "Stefan Mai", None, (), (), ()),
    )
    entities = (
        _person("stefan-mai", "Stefan Mai", "People/Stefan Mai.md", ("Stef",)),
        _person("priya-raman", "Priya Raman"),
        _person("sam-patel", "Sam Patel"),
        _person("sam-okafor", "Sam Okafor", "People/Sam Okafor.md"),
        _person("jo-park", "Jo Park"),
        _person("omar-haddad", "Omar Haddad"),
        _person("lena-fischer", "Lena Fischer"),
        Entity("company:amazon", EntityType.COMPANY, "Amazon", ("Amazon.com",)),
        Entity("company:meta", EntityType.COMPANY, "Meta", ("Facebook", "FB")),
        Entity("company:stripe", EntityType.COMPANY, "Stripe"),
        Entity("company:google", EntityType.COMPANY, "Google", ("Alphabet",)),
        Entity("company:notion", EntityType.COMPANY, "Notion"),
        Entity("topic:career-switch", EntityType.TOPIC, "Career switch", ("Career Change", "pivot")),
        Entity("topic:resume", EntityType.TOPIC, "Resume", ("CV",)),
        Entity("topic:interviewing", EntityType.TOPIC, "Interviewing", ("Interview Prep",)),
    )
    relations = (
        Relation(ME, "person:stefan-mai", RelationType.TALKED_WITH, (STEFAN_CHAT,), "2023-05-11"),
        Relation(ME, "person:priya-raman", RelationType.TALKED_WITH, (PRIYA_CHAT, "Chats/Priya again.md"), "2024-04-01"),
        Relation(ME, "person:sam-patel", RelationType.TALKED_WITH, (SAM_CHAT,), "2023-09-14"),
        Relation(ME, "person:omar-haddad", RelationType.TALKED_WITH, (GROUP_CHAT,), "2024-03-21"),
        Relation(ME, "person:lena-fischer", RelationType.TALKED_WITH, (GROUP_CHAT,), "2024-03-21"),
        Relation("person:stefan-mai", "company:amazon", RelationType.WORKED_AT, (STEFAN_CHAT,)),
        Relation("person:stefan-mai", "company:meta", RelationType.WORKED_AT, (STEFAN_CHAT,)),
        Relation("person:priya-raman", "company:stripe", RelationType.WORKS_AT, (PRIYA_CHAT,)),
        Relation("person:priya-raman", "company:google", RelationType.WORKED_AT, (PRIYA_CHAT,)),
        Relation("person:sam-patel", "company:notion", RelationType.WORKS_AT, (SAM_CHAT,)),
        Relation("person:jo-park", "company:meta", RelationType.WORKS_AT, ("Chats/Priya again.md",)),
        Relation("person:sam-patel", "person:priya-raman", RelationType.INTRODUCED, (PRIYA_CHAT,)),
        Relation("person:priya-raman", "person:jo-park", RelationType.INTRODUCED, ("Chats/Priya again.md",)),
    )
    advice = (
        Advice(STEFAN_CHAT, 12, "person:stefan-mai", "How do I move from data analytics into SWE?",
               "Mostly through how you frame the resume.", ("topic:career-switch", "topic:resume"), "2023-05-11"),
        Advice(STEFAN_CHAT, 20, "person:stefan-mai", None, "Take a deep breath before every question.", ("topic:interviewing",), "2023-05-11"),
        Advice(PRIYA_CHAT, 19, "person:priya-raman", None, "State your assumptions first.", ("topic:interviewing",), "2024-02-03"),
        Advice(GROUP_CHAT, 26, "person:lena-fischer", "Me: Any interview advice?", "Think out loud.", ("topic:interviewing",), "2024-03-21"),
        Advice(GROUP_CHAT, 30, None, None, "Write a few tests even when not asked.", (), "2024-03-21"),
        Advice(SAM_CHAT, 16, "person:sam-patel", None, "Keep the SQL sharp.", ("topic:resume",), "2023-09-14"),
        Advice("Recipes/Apple pie.md", 10, None, "Ingredients", "6 apples", (), None),
    )
    return VaultIndex("/v", notes, (), entities, relations, advice, ())


# Finding what the user typed -----------------------------------------------------------------


@pytest.mark.parametrize("query", ["career switch", "Career-Switch", "topic:career-switch", "CAREER CHANGE", "pivot"])
def test_a_topic_by_id_name_or_alias(query: str) -> None:
    assert find_entity(_index(), EntityType.TOPIC, query).id == "topic:career-switch"


@pytest.mark.parametrize(("query", "expected"), [("stefan mai", "person:stefan-mai"), ("Stef", "person:stefan-mai"), ("Stefan", "person:stefan-mai"), ("Priya", "person:priya-raman")])
def test_a_person_by_name_alias_or_unique_first_name(query: str, expected: str) -> None:
    assert find_entity(_index(), EntityType.PERSON, query).id == expected


def test_an_ambiguous_first_name_names_both() -> None:
    with pytest.raises(UnknownName, match="Sam Okafor or Sam Patel"):
        find_entity(_index(), EntityType.PERSON, "Sam")


def test_an_unknown_name_suggests_close_ones() -> None:
    with pytest.raises(UnknownName, match="did you mean Career switch"):
        find_entity(_index(), EntityType.TOPIC, "carrer")


# Advice --------------------------------------------------------------------------------------


def test_topics_are_ranked_by_distinct_people_and_other_comes_last() -> None:
    digest = advice_digest(_index())
    assert [(g.name, g.people) for g in digest.topics] == [
        ("Interviewing", ("Lena Fischer", "Priya Raman", "Stefan Mai")),
        ("Resume", ("Sam Patel", "Stefan Mai")),
        ("Career switch", ("Stefan Mai",)),
        ("Other", ()),
    ]
    interviewing = digest.topics[0].items
    assert [i.date for i in interviewing] == ["2024-03-21", "2024-02-03", "2023-05-11"]  # newest first


def test_advice_without_a_speaker_counts_only_in_a_chat() -> None:
    other = advice_digest(_index()).topics[-1]
    assert [(i.text, i.person, i.said_by) for i in other.items] == [
        ("Write a few tests even when not asked.", None, ("Omar Haddad", "Lena Fischer"))
    ]  # the recipe's "Ingredients" is not advice from anyone


def test_filter_by_topic_person_and_since() -> None:
    index = _index()
    [group] = advice_digest(index, topic="career switch").topics
    [item] = group.items
    assert (item.person_name, item.date, item.question, item.link) == (
        "Stefan Mai", "2023-05-11", "How do I move from data analytics into SWE?", "[[Coffee chat with Stefan Mai]]"
    )
    assert {i.person for g in advice_digest(index, person="Stef").topics for i in g.items} == {"person:stefan-mai"}
    since = advice_digest(index, since="2024-01-01")
    assert {i.date for g in since.topics for i in g.items} == {"2024-02-03", "2024-03-21"}


def test_a_bad_since_date_is_a_usage_error() -> None:
    with pytest.raises(UnknownName, match="not a date"):
        advice_digest(_index(), since="last tuesday")


def test_markdown_has_who_when_and_the_link_and_json_the_same_facts() -> None:
    digest = advice_digest(_index(), topic="interviewing")
    text = render_advice(digest)
    assert text.startswith("## Interviewing (3 people, 3 items)\n")
    assert "- *Any interview advice?* Think out loud. — Lena Fischer, 2024-03-21 · [[Coffee with Omar and Lena]]" in text
    data = advice_json(digest)
    assert data["filters"]["topic"] == "topic:interviewing"
    assert data["topics"][0]["items"][0]["person_name"] == "Lena Fischer"
    assert data["topics"][0]["items"][0]["question"] == "Any interview advice?"


def test_advice_index_block_escapes_quotes_and_is_stable() -> None:
    index = _index()
    index = VaultIndex(index.root, index.notes, (), index.entities, index.relations,
                       (Advice(STEFAN_CHAT, 3, "person:stefan-mai", None, "See [[Elsewhere]] and %%hidden%% #tag", ("topic:resume",), "2023-05-11"),), ())
    block = advice_index_block(advice_digest(index))
    assert block.startswith(BLOCK_START) and block.endswith(BLOCK_END)
    assert "[[Elsewhere]]" not in block and "\\[\\[Elsewhere\\]\\]" in block
    assert "\\#tag" in block and "\\%\\%hidden" in block
    assert advice_index_block(advice_digest(index)) == block


def test_put_block_replaces_only_inside_the_markers() -> None:
    old = "# Advice Index\r\nmine\r\n<!-- vaultlink:start -->\r\nold\r\n<!-- vaultlink:end -->\r\nafter\r\n"
    new = put_block(old, parse_note("Advice Index.md", old), "<!-- vaultlink:start -->\r\nnew\r\n<!-- vaultlink:end -->")
    assert new == old.replace("old", "new")
    appended = put_block("# Mine\n", None, "B")
    assert appended == "# Mine\n\nB\n"
    fresh = new_advice_index("B")
    assert fresh.startswith("# Advice Index\n") and fresh.endswith("\nB\n")


def test_note_links_use_the_path_when_names_repeat_and_markdown_when_asked() -> None:
    assert note_link("A/Chat.md", ["A/Chat.md", "B/Other.md"]) == "[[Chat]]"
    assert note_link("A/Chat.md", ["A/Chat.md", "B/chat.md"]) == "[[A/Chat]]"
    assert note_link("A/My chat.md", ["A/My chat.md"], markdown_links=True) == "[My chat](A/My%20chat.md)"


# Contacts ------------------------------------------------------------------------------------


def test_contacts_have_companies_chats_and_topics() -> None:
    people = {c.name: c for c in contacts(_index(), today="2024-06-01").people}
    assert set(people) == {"Stefan Mai", "Priya Raman", "Sam Patel", "Sam Okafor", "Omar Haddad", "Lena Fischer"}
    priya = people["Priya Raman"]
    assert [r.name for r in priya.current] == ["Stripe"] and [r.name for r in priya.past] == ["Google"]
    assert (priya.chats, priya.first_chat, priya.last_chat, priya.days_since) == (2, "2024-02-03", "2024-04-01", 61)
    assert [r.name for r in priya.introduced_by] == ["Sam Patel"]
    stefan = people["Stefan Mai"]
    assert [r.name for r in stefan.past] == ["Amazon", "Meta"] and stefan.current == ()
    assert [t.name for t in stefan.topics] == ["Career switch", "Interviewing", "Resume"]
    assert people["Sam Okafor"].chats == 0  # a person note, no chat yet


@pytest.mark.parametrize("query", ["Meta", "facebook", "FB"])
def test_who_do_i_know_at_a_company_now_before_and_by_introduction(query: str) -> None:
    result = contacts(_index(), company=query, today="2024-06-01")
    assert result.company is not None and result.company.name == "Meta"
    rows = [(c.name, c.at_company, c.reach, [r.name for r in c.path]) for c in result.people]
    assert rows == [
        ("Stefan Mai", "past", "direct", ["Stefan Mai"]),
        ("Jo Park", "current", "introduction", ["Priya Raman", "Jo Park"]),
    ]
    data = contacts_json(result)
    assert data["company"] == {"id": "company:meta", "name": "Meta"}
    assert data["people"][1]["path"] == [{"id": "person:priya-raman", "name": "Priya Raman"}, {"id": "person:jo-park", "name": "Jo Park"}]


def test_a_direct_contact_keeps_who_introduced_them() -> None:
    [priya] = contacts(_index(), company="Stripe").people
    assert (priya.at_company, [r.name for r in priya.path]) == ("current", ["Sam Patel", "Priya Raman"])


def test_stale_contacts_longest_silence_first() -> None:
    result = contacts(_index(), stale_days=90, today="2024-06-01")
    assert [(c.name, c.last_chat, c.days_since) for c in result.people] == [
        ("Stefan Mai", "2023-05-11", 387),
        ("Sam Patel", "2023-09-14", 261),
    ]  # Omar and Lena (72 days) and Priya (61) are recent; Sam Okafor was never met in a chat
    assert contacts(_index(), stale_days=0, today="2023-05-11").people[0].days_since == 0


def test_unknown_company_is_a_usage_error() -> None:
    with pytest.raises(UnknownName, match="no company 'Initech'"):
        contacts(_index(), company="Initech")


# Cards for the graph page --------------------------------------------------------------------


def test_person_card_has_last_chat_and_open_follow_ups() -> None:
    from vaultlink.followup import FollowUp

    items = [
        FollowUp(PRIYA_CHAT, 30, "send the design doc", "task", "me", False, "2024-02-03", person="person:priya-raman", people=("person:priya-raman",)),
        FollowUp(PRIYA_CHAT, 31, "thank her", "task", "me", True, "2024-02-03", person="person:priya-raman", people=("person:priya-raman",)),
        FollowUp(STEFAN_CHAT, 5, "other", "task", "me", False, "2023-05-11", person="person:stefan-mai", people=("person:stefan-mai",)),
    ]
    card = person_card(_index(), "person:priya-raman", items)
    assert (card.contact.last_chat, card.last_chat_note) == ("2024-04-01", "Chats/Priya again.md")
    assert [f.text for f in card.open_followups] == ["send the design doc"]


def test_company_card_splits_now_before_and_introductions() -> None:
    card = company_card(_index(), "company:meta")
    assert [c.name for c in card.current] == []
    assert [c.name for c in card.past] == ["Stefan Mai"]
    assert [(c.name, [r.name for r in c.path]) for c in card.via_introduction] == [("Jo Park", ["Priya Raman", "Jo Park"])]


def test_follow_ups_find_a_unique_first_name_when_extraction_did_not() -> None:
    index = _index()
    text = "# Follow-ups\n- [ ] Stefan: ask about his side project\n- [ ] Sam: coffee again\n"
    items = collect_followups(index, {"Follow-ups.md": (parse_note("Follow-ups.md", text), text)})
    assert [(f.text, f.person) for f in items] == [
        ("Stefan: ask about his side project", "person:stefan-mai"),
        ("Sam: coffee again", None),  # two Sams: not a guess
    ]


# Lint ----------------------------------------------------------------------------------------


def _lint(make_vault: MakeVault, files: dict[str, str]) -> list[tuple[str, str, int]]:
    root = make_vault(files)
    scan = api.read_vault(root, use_cache=False)
    api.extract_scan(scan)
    index = api.index_scan(scan)
    return [(f.kind, f.note, f.line) for f in lint(index, {r.path: r.parsed for r in scan.records})]


def test_lint_finds_duplicate_people_shared_aliases_and_broken_links(make_vault: MakeVault) -> None:
    found = _lint(
        make_vault,
        {
            "People/Stefan Mai.md": "---\ntype: person\naliases: [Stef]\n---\n# Stefan Mai\n",
            "Contacts/Stefan M.md": "---\ntype: person\naliases: [Stefan Mai]\n---\n# Stefan M\n",
            "People/Sam Patel.md": "---\ntype: person\naliases: [Sam]\n---\n",
            "People/Sam Okafor.md": "---\ntype: person\naliases: [sam]\n---\n",
            "Notes/Links.md": "See [[Nowhere]] and [[Nowhere]] and ![[gone.png]] and [[Stefan Mai]].\n",
        },
    )
    assert ("duplicate-person", "People/Stefan Mai.md", 1) in found
    assert ("shared-alias", "People/Sam Patel.md", 1) in found
    assert ("broken-link", "Notes/Links.md", 1) in found and found.count(("broken-link", "Notes/Links.md", 1)) == 1
    assert ("missing-embed", "Notes/Links.md", 1) in found


def test_lint_finds_chats_without_date_or_person_and_unlinked_names(make_vault: MakeVault) -> None:
    found = _lint(
        make_vault,
        {
            "People/Rachel Kim.md": "---\ntype: person\n---\n# Rachel Kim\n",
            "Chats/Catch-up.md": "---\ntype: chat\n---\nWe talked about nothing in particular.\n",
            "Chats/Coffee chat with Rachel Kim.md": "# Coffee chat with Rachel Kim\n\nRachel Kim is a director at Airbnb.\n",
            "Chats/Linked.md": "---\ndate: 2024-01-02\nperson: Rachel Kim\n---\nAsked [[Rachel Kim]] again. Rachel Kim said yes.\n",
        },
    )
    assert ("chat-without-participant", "Chats/Catch-up.md", 1) in found
    assert ("chat-without-date", "Chats/Coffee chat with Rachel Kim.md", 1) in found
    assert ("unlinked-person", "Chats/Coffee chat with Rachel Kim.md", 3) in found
    assert not any(note == "Chats/Linked.md" for _, note, _ in found)  # dated, with a person, linked
    assert not any(kind == "unlinked-person" and line == 1 for kind, _, line in found)  # not in a heading


def test_a_clean_vault_has_no_findings(make_vault: MakeVault) -> None:
    assert _lint(
        make_vault,
        {
            "People/Rachel Kim.md": "---\ntype: person\n---\n# Rachel Kim\n",
            "Chats/Mentoring.md": "---\ndate: 2024-02-20\nperson: Rachel Kim\n---\nMet [[Rachel Kim]].\n",
        },
    ) == []


def test_cards_for_every_node_agree_with_single_cards() -> None:
    from vaultlink.report import company_cards, person_cards

    index = _index()
    people = person_cards(index)
    assert set(people) == {e.id for e in index.entities if e.type is EntityType.PERSON}
    assert people["person:stefan-mai"] == person_card(index, "person:stefan-mai")
    companies = company_cards(index)
    assert companies["company:meta"] == company_card(index, "company:meta")
    assert [c.name for c in companies["company:stripe"].current] == ["Priya Raman"]
