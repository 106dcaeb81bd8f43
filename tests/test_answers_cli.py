"""``vaultlink advice / people / followups / lint`` as a user runs them, on the sample vault and on
small vaults written here. Every check is about content: who, which topic, which date."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from vaultlink.cli import main

from conftest import MakeVault, snapshot

TODAY = "2024-06-01"

SEED_CHAT = """Coffee chat with Stefan Mai

May 11, 2023

Had a half-hour chat today with Stefan Mai, who has been at Amazon and Meta for ten years and now spends his time on his own ventures.

How do I move from data analytics into SWE?

Mostly through how you frame the resume and which stories you pick. If you gathered data, built pipelines, put a product together or shipped anything at all, it belongs on the page.

What mistakes do candidates make most often?

Nerves. Not asking about edge cases at the start. Take a deep breath before every question and slow down.

Takeaways:

  • Treat a coffee chat like a conversation with a friend.
"""


def _invoke(*args: str | Path) -> Result:
    try:
        runner = CliRunner(mix_stderr=False)  # type: ignore[call-arg]  # click < 8.2
    except TypeError:
        runner = CliRunner()
    return runner.invoke(main, [str(a) for a in args], catch_exceptions=False)


def _json(*args: str | Path) -> Any:
    result = _invoke(*args, "--json")
    assert result.exit_code in (0, 1), result.stderr
    return json.loads(result.stdout)


def _items(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [item for group in data["topics"] for item in group["items"]]


# advice ----------------------------------------------------------------------------------------


def test_advice_on_interviewing_in_the_sample_vault(vault: Path) -> None:
    data = _json("advice", vault, "--topic", "Interview Prep")
    [group] = data["topics"]
    assert group["name"] == "Interviewing"
    assert {"Stefan Mai", "Priya Raman", "Lena Fischer", "Wei Zhang"} <= set(group["people"])
    nerves = next(i for i in group["items"] if i["text"].startswith("Nerves."))
    assert (nerves["person_name"], nerves["date"], nerves["note"]) == ("Stefan Mai", "2023-05-11", "Chats/Coffee chat with Stefan Mai.md")
    assert nerves["question"] == "What mistakes do candidates make most often?"


def test_advice_markdown_ranks_topics_by_people(vault: Path) -> None:
    result = _invoke("advice", vault)
    assert result.exit_code == 0
    headings = [line for line in result.stdout.splitlines() if line.startswith("## ")]
    counts = [int(h.split("(")[1].split()[0]) for h in headings if not h.startswith("## Other")]
    assert counts == sorted(counts, reverse=True) and counts[0] >= 4
    assert "— Kofi Mensah, 2024-02-09 · [[Intro call with Kofi Mensah]]" in result.stdout


def test_advice_by_person_alias_and_since(vault: Path) -> None:
    data = _json("advice", vault, "--person", "Stef")
    assert {i["person_name"] for i in _items(data)} == {"Stefan Mai"}
    recent = _json("advice", vault, "--since", "2024-03-15")
    assert {i["date"] for i in _items(recent)} <= {"2024-03-21", "2024-04-09", "2024-04-16"}
    assert "Lena Fischer" in {i["person_name"] for i in _items(recent)}


def test_advice_unknown_or_ambiguous_names_are_usage_errors(vault: Path) -> None:
    result = _invoke("advice", vault, "--person", "Sam")
    assert result.exit_code == 2
    assert "Sam Okafor or Sam Patel" in result.stderr and result.stdout == ""
    result = _invoke("advice", vault, "--topic", "knitting")
    assert result.exit_code == 2 and "no topic 'knitting'" in result.stderr


def test_seed_chat_is_a_past_contact_at_meta_and_amazon(make_vault: MakeVault) -> None:
    root = make_vault({"Chats/Coffee chat with Stefan Mai.md": SEED_CHAT})
    for company in ("Meta", "Facebook", "Amazon"):
        data = _json("people", root, "--company", company, "--today", TODAY)
        [stefan] = data["people"]
        assert (stefan["name"], stefan["at_company"], stefan["reach"]) == ("Stefan Mai", "past", "direct")
        assert (stefan["first_chat"], stefan["last_chat"], stefan["chats"]) == ("2023-05-11", "2023-05-11", 1)


def test_seed_chat_pivot_answer_is_career_switch_advice(make_vault: MakeVault) -> None:
    root = make_vault({"Chats/Coffee chat with Stefan Mai.md": SEED_CHAT})
    data = _json("advice", root, "--topic", "career switch")
    pivot = [i for i in _items(data) if i["question"] == "How do I move from data analytics into SWE?"]
    assert [(i["person_name"], i["date"]) for i in pivot] == [("Stefan Mai", "2023-05-11")]
    assert pivot[0]["text"].startswith("Mostly through how you frame the resume")


def test_seed_chat_pivot_answer_is_resume_advice_from_stefan(make_vault: MakeVault) -> None:
    root = make_vault({"Chats/Coffee chat with Stefan Mai.md": SEED_CHAT})
    result = _invoke("advice", root, "--topic", "resume")
    assert result.exit_code == 0
    assert (
        "- *How do I move from data analytics into SWE?* Mostly through how you frame the resume and which stories "
        "you pick. If you gathered data, built pipelines, put a product together or shipped anything at all, it "
        "belongs on the page. — Stefan Mai, 2023-05-11 · [[Coffee chat with Stefan Mai]]"
    ) in result.stdout


def test_advice_write_keeps_the_advice_index_and_undo_reverts_it(vault: Path) -> None:
    writer = pytest.importorskip("vaultlink.writer")
    before = snapshot(vault)
    result = _invoke("advice", vault, "--write")
    assert result.exit_code == 0, result.stderr
    assert "Advice Index.md created" in result.stderr
    index = vault / "Advice Index.md"
    text = index.read_text(encoding="utf-8")
    assert text.count("<!-- vaultlink:start -->") == 1 and "## Interviewing" in text
    assert "— Stefan Mai, 2023-05-11 · [[Coffee chat with Stefan Mai]]" in text
    changed = {k for k, v in snapshot(vault).items() if before.get(k) != v and not k.startswith(".vaultlink")}
    assert changed == {"Advice Index.md"}

    again = _invoke("advice", vault, "--write")
    assert again.exit_code == 0 and "already current" in again.stderr

    block_start = text.index("<!-- vaultlink:start -->")
    index.write_text(text[:block_start] + "<!-- vaultlink:start -->\nOLD BLOCK\n<!-- vaultlink:end -->\nMy own ending.\n", encoding="utf-8")
    updated = _invoke("advice", vault, "--write")
    assert updated.exit_code == 0 and "updated" in updated.stderr
    new_text = index.read_text(encoding="utf-8")
    assert new_text.endswith("<!-- vaultlink:end -->\nMy own ending.\n") and "OLD BLOCK" not in new_text
    assert "## Interviewing" in new_text

    writer.undo_run(vault)  # the update, journaled like every write
    assert "OLD BLOCK" in index.read_text(encoding="utf-8")


def test_advice_write_refuses_filters(vault: Path) -> None:
    result = _invoke("advice", vault, "--write", "--topic", "resume")
    assert result.exit_code == 2
    assert not (vault / "Advice Index.md").exists()


def test_the_advice_index_does_not_count_as_a_chat(vault: Path) -> None:
    pytest.importorskip("vaultlink.writer")
    assert _invoke("advice", vault, "--write").exit_code == 0
    people = {p["name"]: p for p in _json("people", vault, "--today", TODAY)["people"]}
    assert people["Stefan Mai"]["chats"] == 1
    assert not any(i["note"] == "Advice Index.md" for i in _items(_json("advice", vault)))


# people ----------------------------------------------------------------------------------------


def test_people_in_the_sample_vault(vault: Path) -> None:
    people = {p["name"]: p for p in _json("people", vault, "--today", TODAY)["people"]}
    priya = people["Priya Raman"]
    assert [c["name"] for c in priya["current"]] == ["Stripe"] and [c["name"] for c in priya["past"]] == ["Google"]
    assert priya["last_chat"] == "2024-02-03" and priya["days_since_last_chat"] == 119
    assert [p["name"] for p in priya["introduced_by"]] == ["Sam Patel"]
    assert "Interviewing" in [t["name"] for t in priya["topics"]]
    assert (people["Lena Fischer"]["chats"], people["Lena Fischer"]["last_chat"]) == (2, "2024-03-25")


def test_people_at_meta_includes_stefan_as_past(vault: Path) -> None:
    data = _json("people", vault, "--company", "facebook")
    assert data["company"]["name"] == "Meta"
    assert [(p["name"], p["at_company"]) for p in data["people"]] == [("Stefan Mai", "past")]
    text = _invoke("people", vault, "--company", "Stripe").stdout
    assert text.startswith("## People at Stripe\n")
    assert "**Priya Raman** · now there · introduced by Sam Patel" in text


def test_stale_people_longest_silence_first(vault: Path) -> None:
    data = _json("people", vault, "--stale", "90", "--today", TODAY)
    names = [p["name"] for p in data["people"]]
    assert names[:3] == ["Stefan Mai", "Sam Patel", "Tom Brennan"]
    assert "Dana Whitfield" not in names  # talked on 2024-04-16
    assert data["people"][0]["days_since_last_chat"] == 387


def test_people_one_introduction_away(make_vault: MakeVault) -> None:
    root = make_vault(
        {
            "Chats/Coffee chat with Priya Raman.md": (
                "---\ndate: 2024-02-03\nperson: Priya Raman\ncompany: Stripe\n---\n"
                "Priya Raman introduced me to Jonas Berg, who works at Google on search.\n"
            ),
        }
    )
    data = _json("people", root, "--company", "Google")
    assert [(p["name"], p["reach"], [s["name"] for s in p["path"]]) for p in data["people"]] == [
        ("Jonas Berg", "introduction", ["Priya Raman", "Jonas Berg"])
    ]


# followups -------------------------------------------------------------------------------------


def test_followups_in_the_sample_vault(vault: Path) -> None:
    data = _json("followups", vault, "--today", TODAY)
    items = data["followups"]
    assert all(not f["done"] for f in items)
    lena = next(f for f in items if f["note"] == "Edge cases/BOM note.md")
    assert (lena["person"]["name"], lena["written"], lena["due_text"], lena["due"], lena["overdue"]) == (
        "Lena Fischer", "2024-03-25", "by Friday", "2024-03-29", True
    )
    dana = next(f for f in items if f["person"] and f["person"]["name"] == "Dana Whitfield")
    assert (dana["owner"], dana["written"]) == ("them", "2024-04-16")
    assert "onboarding checklist" in dana["text"]
    stefan = next(f for f in items if f["note"] == "Networking follow-ups.md" and f["text"].startswith("Stefan:"))
    assert stefan["person"]["name"] == "Stefan Mai"
    written = [f["written"] for f in items if f["written"]]
    assert written == sorted(written)  # oldest first
    assert items.index(lena) < items.index(stefan)  # undated last
    assert data["done"] == 2 and not any(f["text"].startswith("Kofi Mensah at Microsoft") for f in items)


def test_followups_all_lists_done_ones_after_open_ones(vault: Path) -> None:
    items = _json("followups", vault, "--all", "--today", TODAY)["followups"]
    done = [f for f in items if f["done"]]
    assert {f["text"] for f in done} == {"Kofi Mensah at Microsoft: send the revised CV", "Jordan Lee: intro to the clinic owner I know"}
    assert items[-len(done) :] == done
    text = _invoke("followups", vault, "--all", "--today", TODAY).stdout
    assert "- [x] **Kofi Mensah**: Kofi Mensah at Microsoft: send the revised CV" in text
    assert "due 2024-03-29, overdue" in text


# lint ------------------------------------------------------------------------------------------


def test_lint_on_the_sample_vault_exits_1_with_what_to_fix(vault: Path) -> None:
    result = _invoke("lint", vault, "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    found = {(f["kind"], f["note"], f["subject"]) for f in data["findings"]}
    assert ("broken-link", "Edge cases/All link forms.md", "Some Future Note") in found
    assert ("chat-without-date", "Edge cases/Broken front matter.md", None) in found
    assert ("unlinked-person", "Chats/Coffee chat with Stefan Mai.md", "person:stefan-mai") in found
    assert not any(f["note"] == "Edge cases/Private note.md" for f in data["findings"])
    text = _invoke("lint", vault).stdout
    assert "Edge cases/All link forms.md:11: [broken-link] links to 'Some Future Note', which does not exist" in text


def test_lint_exits_0_on_a_clean_vault(make_vault: MakeVault) -> None:
    root = make_vault(
        {
            "People/Rachel Kim.md": "---\ntype: person\n---\n# Rachel Kim\n",
            "Chats/Mentoring.md": "---\ndate: 2024-02-20\nperson: Rachel Kim\n---\nMet [[Rachel Kim]] today.\n",
        }
    )
    result = _invoke("lint", root)
    assert (result.exit_code, result.stdout) == (0, "No problems found.\n")
    assert _json("lint", root) == {"schema": 1, "ok": True, "count": 0, "counts": {}, "findings": []}


def test_read_only_commands_never_write_in_the_vault(vault: Path) -> None:
    before = snapshot(vault)
    for args in (("advice",), ("people", "--company", "Meta"), ("followups", "--all"), ("lint",)):
        _invoke(*args, vault)
    assert snapshot(vault) == before
