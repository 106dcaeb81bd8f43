"""Follow-ups read from one note's text: what counts, who it concerns, when it is due."""

from __future__ import annotations

import pytest

from vaultlink.followup import FollowUp, find_due, find_followups, sort_followups
from vaultlink.markdown import parse_note


def _find(text: str, path: str = "Chats/Chat.md", **kwargs: object) -> list[FollowUp]:
    return find_followups(parse_note(path, text), text, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("phrase", "written", "due"),
    [
        ("if I send a CV tailored to it by Friday.", "2024-03-25", "2024-03-29"),  # a Monday
        ("by Friday", "2024-03-29", "2024-04-05"),  # written on a Friday: the next one
        ("I'll send it next week", "2024-03-25", "2024-04-01"),
        ("send it in two weeks", "2024-03-25", "2024-04-08"),
        ("by March 3", "2024-01-25", "2024-03-03"),
        ("by March 3", "2024-03-25", "2025-03-03"),  # already past that year: the next one
        ("by 3 March 2026", "2024-03-25", "2026-03-03"),
        ("by 3/14", "2024-01-01", "2024-03-14"),
        ("within 48 hours", "2024-01-01", "2024-01-03"),
        ("by the end of the month", "2024-02-10", "2024-02-29"),
        ("by end of week", "2024-02-06", "2024-02-09"),
        ("tomorrow", "2024-12-31", "2025-01-01"),
        ("in a month", "2024-01-31", "2024-02-29"),
        ("due 2024-05-01", None, "2024-05-01"),
    ],
)
def test_due_dates_resolve_against_the_day_written(phrase: str, written: str | None, due: str) -> None:
    assert find_due(phrase, written)[1] == due


def test_due_phrase_without_a_note_date_is_kept_but_not_resolved() -> None:
    assert find_due("send it by Friday", None) == ("by Friday", None)


@pytest.mark.parametrize("text", ["Update it every Friday, not the week before reviews.", "I sat down with him.", "Nothing due."])
def test_no_due_date_in_habits_or_ordinary_words(text: str) -> None:
    assert find_due(text, "2024-01-01") == (None, None)


def test_tasks_open_and_done_with_their_people() -> None:
    text = (
        "# Networking follow-ups\n\n"
        "- [ ] Priya Raman: send the design doc\n"
        "- [x] Kofi Mensah: send the revised CV\n"
        "- [-] Cancelled thing\n"
        "* [ ] ~~struck out~~\n"
    )
    items = _find(text, "Networking follow-ups.md", people_by_line={3: ["person:priya-raman"], 4: ["person:kofi-mensah"]})
    assert [(f.line, f.text, f.done, f.person) for f in items] == [
        (3, "Priya Raman: send the design doc", False, "person:priya-raman"),
        (4, "Kofi Mensah: send the revised CV", True, "person:kofi-mensah"),
        (5, "Cancelled thing", True, None),
        (6, "~~struck out~~", True, None),
    ]
    assert all(f.kind == "task" and f.owner == "me" for f in items)


def test_promises_in_a_chat_concern_its_participant_and_carry_the_note_date() -> None:
    text = (
        "---\ndate: 2024-04-16\n---\n"
        "Dana manages a platform team.\n\n"
        "Next: she will send me the onboarding checklist her team uses.\n"
        "I'll share my migration plan with her by Friday.\n"
    )
    items = _find(text, participants=["person:dana-whitfield"])
    assert [(f.line, f.owner, f.person, f.written, f.due) for f in items] == [
        (6, "them", "person:dana-whitfield", "2024-04-16", None),
        (7, "me", "person:dana-whitfield", "2024-04-16", "2024-04-19"),
    ]
    assert items[0].text == "she will send me the onboarding checklist her team uses."


def test_a_condition_on_me_makes_their_promise_mine() -> None:
    text = "---\ndate: 2024-02-09\n---\nHe will forward my CV for a data role once I have fixed it.\n"
    [item] = _find(text, participants=["person:kofi-mensah"])
    assert (item.owner, item.kind, item.person) == ("me", "promise", "person:kofi-mensah")


@pytest.mark.parametrize(
    "sentence",
    [
        "When should I follow up?",  # a question
        "Sam Patel put us in touch after I asked him about staff-level roles.",  # past, not a promise
        "The migration could be that if I write the plan myself.",  # a hypothesis without a date
        "Follow up on what they say so I have something to build on.",  # advice
        "I should have been plain and to the point.",
    ],
)
def test_what_is_not_a_follow_up(sentence: str) -> None:
    assert _find(f"---\ndate: 2024-01-01\n---\n{sentence}\n", participants=["person:x"]) == []


def test_requests_need_someone_concerned_outside_a_chat() -> None:
    text = "Follow up with Omar Haddad about the platform role.\nI will clean the garage.\n"
    items = _find(text, "Journal/day.md", people_by_line={1: ["person:omar-haddad"]})
    assert [(f.kind, f.person, f.text) for f in items] == [
        ("request", "person:omar-haddad", "Follow up with Omar Haddad about the platform role.")
    ]


def test_items_under_a_next_steps_heading_are_follow_ups() -> None:
    text = "## Next steps\n- Send Priya the doc by Friday\n- Read the paper\n\n## Notes\n- Nothing here\n"
    items = _find(text, participants=["person:priya-raman"])
    assert [(f.kind, f.text) for f in items] == [("next-step", "Send Priya the doc by Friday"), ("next-step", "Read the paper")]


def test_code_comments_and_the_managed_block_are_not_read() -> None:
    text = (
        "```\n- [ ] in code\nI will send it\n```\n"
        "%% I'll send the secret %%\n"
        "<!-- vaultlink:start -->\n- [ ] quoted by vaultlink\nI'll send the doc.\n<!-- vaultlink:end -->\n"
        "- [ ] real task\n"
    )
    assert [f.text for f in _find(text)] == ["real task"]


def test_hub_notes_give_only_tasks() -> None:
    text = "# Stefan Mai\nHe will send me his reading list.\n- [ ] ask about ML\n"
    items = _find(text, "People/Stefan Mai.md", participants=["person:stefan-mai"], prose=False)
    assert [f.text for f in items] == ["ask about ML"]


def test_open_first_then_oldest_first_undated_last() -> None:
    def item(note: str, written: str | None, done: bool) -> FollowUp:
        return FollowUp(note, 1, "x", "task", "me", done, written)

    items = [item("d", None, False), item("c", "2024-02-01", True), item("b", "2024-03-01", False), item("a", "2023-01-01", False)]
    assert [f.note for f in sort_followups(items)] == ["a", "b", "d", "c"]
