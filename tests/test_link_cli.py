"""`vaultlink link` and `vaultlink undo` through the CLI, on vaults under tmp_path (absolute paths)."""

from __future__ import annotations

import gc
import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import MakeVault, snapshot

from vaultlink.cli import main

VAULT = {
    ".obsidian/app.json": '{"newLinkFormat": "shortest", "useMarkdownLinks": false}',
    "People/Stefan Mai.md": "---\ntype: person\naliases: [Stef]\n---\n# Stefan Mai\n\nTen years at Shopify.\n",
    "Companies/Shopify.md": "---\ntype: company\n---\n# Shopify\n\nThin margins.\n",
    "Topics/Resume.md": "---\ntype: topic\naliases: [CV]\n---\n# Resume\n",
    "Chats/Coffee chat with Stefan Mai.md": (
        "---\ndate: 2023-05-11\n---\n# Coffee chat\n\nHad a chat with Stefan Mai, who was at Shopify.\n"
        "We talked about my resume and `Shopify` code.\n"
    ),
    "Chats/CRLF chat.md": b"\xef\xbb\xbfStef said Shopify's teams are siloed.\r\nNo final newline",
    "Private/diary.md": "---\nprivate: true\n---\nStefan Mai, privately.\n",
    "Opted out.md": "---\nvaultlink: false\n---\nStefan Mai at Shopify.\n",
}


def digests(root: Path) -> dict[str, str | None]:
    """sha256 of every file and folder outside the journal."""
    return {
        rel: None if data is None else hashlib.sha256(data).hexdigest()
        for rel, data in snapshot(root).items()
        if not rel.startswith(".vaultlink")
    }


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def run(runner: CliRunner, *args: str, input: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(main, list(args), input=input, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_dry_run_prints_a_diff_and_writes_nothing(runner: CliRunner, make_vault: MakeVault) -> None:
    root = make_vault(VAULT)
    before = snapshot(root)
    code, out, err = run(runner, "link", str(root))
    assert code == 0
    assert snapshot(root) == before  # not even a journal
    assert "+++ b/Chats/Coffee chat with Stefan Mai.md" in out
    assert "+Had a chat with [[Stefan Mai]], who was at [[Shopify]]." in out
    assert "+[[Stefan Mai|Stef]] said [[Shopify]]'s teams are siloed.\n" in out  # CliRunner folds CR LF
    assert "Opted out.md" not in out
    assert "Would link" in err and "Would link" not in out


def test_write_then_check_then_undo_round_trips_every_file(runner: CliRunner, make_vault: MakeVault) -> None:
    root = make_vault(VAULT)
    before = digests(root)
    assert run(runner, "link", str(root), "--check")[0] == 1
    code, out, err = run(runner, "link", str(root), "--write", "--create-hubs")
    assert code == 0, err
    assert out == "" and "Linked" in err
    chat = (root / "Chats/Coffee chat with Stefan Mai.md").read_text()
    assert "Had a chat with [[Stefan Mai]], who was at [[Shopify]]." in chat
    assert "my [[Resume|resume]] and `Shopify` code" in chat
    crlf = (root / "Chats/CRLF chat.md").read_bytes()
    assert crlf == b"\xef\xbb\xbf[[Stefan Mai|Stef]] said [[Shopify]]'s teams are siloed.\r\nNo final newline"
    hub = (root / "People/Stefan Mai.md").read_text()
    assert "<!-- vaultlink:start -->" in hub and "[[Coffee chat with Stefan Mai]] · 2023-05-11" in hub
    assert "diary" not in hub  # private notes stay out of hub blocks
    assert (root / "Opted out.md").read_text() == VAULT["Opted out.md"]
    code, out, err = run(runner, "link", str(root), "--check", "--create-hubs")
    assert code == 0, err
    assert run(runner, "link", str(root), "--check")[0] == 0
    code, out, err = run(runner, "undo", str(root))
    assert code == 0, err
    assert digests(root) == before


def test_create_hubs_makes_a_note_per_entity_without_one(runner: CliRunner, make_vault: MakeVault) -> None:
    root = make_vault(
        {
            "Chats/Chat with Priya Raman.md": "Priya Raman, ex-Google, now at Stripe. Coffee chat with Priya Raman.\n",
        }
    )
    code, _, err = run(runner, "link", str(root), "--write", "--create-hubs")
    assert code == 0, err
    created = sorted(p.relative_to(root).as_posix() for p in root.rglob("*.md") if not p.name.startswith("Chat"))
    assert "People/Priya Raman.md" in created, created
    hub = (root / "People/Priya Raman.md").read_text()
    assert hub.startswith("---\ntype: person\n")
    assert "[[Chat with Priya Raman]]" in hub
    assert "[[Priya Raman]]" in (root / "Chats/Chat with Priya Raman.md").read_text()
    assert run(runner, "link", str(root), "--check", "--create-hubs")[0] == 0
    run(runner, "undo", str(root))
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*.md")) == ["Chats/Chat with Priya Raman.md"]
    assert not (root / "People").exists()


def test_options_all_type_and_paths(runner: CliRunner, make_vault: MakeVault) -> None:
    root = make_vault(
        {
            **VAULT,
            "Chats/Twice.md": "Stefan Mai and Stefan Mai at Shopify on my resume.\n",
        }
    )
    _, out, _ = run(runner, "link", str(root), "--all", "--type", "person", str(root / "Chats/Twice.md"))
    assert "+[[Stefan Mai]] and [[Stefan Mai]] at Shopify on my resume." in out
    assert out.count("+++ ") == 1
    _, out, _ = run(runner, "link", str(root), "--type", "topic,company", "Chats/")
    assert "+Stefan Mai and Stefan Mai at [[Shopify]] on my [[Resume|resume]]." in out
    assert "People/" not in out


def test_json_plan(runner: CliRunner, make_vault: MakeVault) -> None:
    root = make_vault(VAULT)
    code, out, _ = run(runner, "link", str(root), "--json", "--create-hubs")
    assert code == 0
    doc = json.loads(out)
    chat = next(c for c in doc["changes"] if c["path"] == "Chats/Coffee chat with Stefan Mai.md")
    assert [(l["text"], l["type"], l["link"]) for l in chat["links"]] == [
        ("Stefan Mai", "person", "[[Stefan Mai]]"),
        ("Shopify", "company", "[[Shopify]]"),
        ("resume", "topic", "[[Resume|resume]]"),
    ]
    assert doc["summary"]["links"] == sum(len(c["links"]) for c in doc["changes"])


def test_interactive_writes_only_what_is_accepted(runner: CliRunner, make_vault: MakeVault) -> None:
    root = make_vault({"a.md": "Stefan Mai at Shopify.\n", "b.md": "Shopify and Stefan Mai.\n",
                       "People/Stefan Mai.md": "---\ntype: person\n---\n", "Companies/Shopify.md": "---\ntype: company\n---\n"})
    # a.md: yes to Stefan Mai, no to Shopify; b.md: quit (no to the rest); hub blocks are kept.
    code, out, err = run(runner, "link", str(root), "--interactive", "--no-hub-blocks", input="y\nn\nq\n")
    assert code == 0, err
    assert "a.md:1: [[Stefan Mai]] at Shopify." in out
    assert (root / "a.md").read_text() == "[[Stefan Mai]] at Shopify.\n"
    assert (root / "b.md").read_text() == "Shopify and Stefan Mai.\n"
    code, _, _ = run(runner, "link", str(root), "-i", "--no-hub-blocks", input="a\n")
    assert (root / "b.md").read_text() == "[[Shopify]] and [[Stefan Mai]].\n"
    assert (root / "a.md").read_text() == "[[Stefan Mai]] at [[Shopify]].\n"


def test_undo_list_and_errors(runner: CliRunner, make_vault: MakeVault) -> None:
    root = make_vault(VAULT)
    assert run(runner, "undo", str(root))[0] == 4  # nothing to undo
    run(runner, "link", str(root), "--write")
    code, out, _ = run(runner, "undo", str(root), "--list")
    assert code == 0 and "complete" in out and "link" in out
    chat = root / "Chats/Coffee chat with Stefan Mai.md"
    chat.write_text(chat.read_text() + "A line I added later.\n")
    code, _, err = run(runner, "undo", str(root))
    assert code == 4 and "edited since run" in err and "--force" in err
    code, _, err = run(runner, "undo", str(root), "--force")
    assert code == 0
    assert chat.read_text() == VAULT["Chats/Coffee chat with Stefan Mai.md"]
    code, out, _ = run(runner, "undo", str(root), "--list", "--json")
    assert json.loads(out)[0]["status"] == "undone"


@pytest.mark.parametrize(
    "args",
    [
        ["--write", "--check"],
        ["--interactive", "--json"],
        ["--type", "people"],
        ["/definitely/not/inside/the/vault.md"],
    ],
)
def test_usage_errors_exit_2(runner: CliRunner, make_vault: MakeVault, args: list[str]) -> None:
    root = make_vault(VAULT)
    assert run(runner, "link", str(root), *args)[0] == 2


def test_a_missing_vault_exits_3(runner: CliRunner, tmp_path: Path) -> None:
    code, _, err = run(runner, "link", str(tmp_path / "nope"))
    assert code == 3 and "no such folder" in err
    assert run(runner, "undo", str(tmp_path / "nope"))[0] == 3


def test_a_refused_write_exits_4_after_writing_the_rest(
    runner: CliRunner, make_vault: MakeVault, monkeypatch: pytest.MonkeyPatch
) -> None:
    from vaultlink import api

    root = make_vault(VAULT)
    plan_links = api.plan_links

    def plan_then_edit(*args: object, **kwargs: object) -> api.LinkPlan:
        plan = plan_links(*args, **kwargs)  # type: ignore[arg-type]
        (root / "Chats/CRLF chat.md").write_bytes(b"edited in Obsidian meanwhile\n")
        return plan

    monkeypatch.setattr(api, "plan_links", plan_then_edit)
    code, _, err = run(runner, "link", str(root), "--write")
    assert code == 4 and "refused: Chats/CRLF chat.md: changed since it was read" in err
    assert (root / "Chats/CRLF chat.md").read_bytes() == b"edited in Obsidian meanwhile\n"
    assert "[[Shopify]]" in (root / "Chats/Coffee chat with Stefan Mai.md").read_text()


def test_sample_vault_round_trip(runner: CliRunner, vault: Path) -> None:
    """The issue's acceptance run: write with hubs, check is clean, undo restores every byte."""
    before = digests(vault)
    code, _, err = run(runner, "link", str(vault), "--write", "--create-hubs")
    assert code == 0, err
    assert digests(vault) != before
    code, out, err = run(runner, "link", str(vault), "--check")
    assert code == 0, out + err
    assert run(runner, "link", str(vault), "--check", "--create-hubs")[0] == 0
    assert run(runner, "undo", str(vault))[0] == 0
    assert digests(vault) == before


def test_linking_leaves_the_cycle_collector_on_and_nothing_frozen(make_vault: MakeVault) -> None:
    """plan_links pauses the collector while it works; a caller gets it back as it was."""
    from vaultlink import api

    root = make_vault(VAULT)
    assert gc.isenabled()
    first = api.plan_links(root)
    assert gc.isenabled() and gc.get_freeze_count() == 0
    assert api.plan_links(root, use_cache=False) == first
    gc.disable()
    try:
        api.plan_links(root)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_reader_that_stops_early_ends_the_diff_quietly(make_vault: MakeVault, cache_dir: Path) -> None:
    import os
    import subprocess
    import sys

    notes = {f"Chats/Chat {i:03}.md": f"# Chat {i}\n\n" + "Priya Nair said to write it down. " * 40 + "\n" for i in range(120)}
    root = make_vault({"People/Priya Nair.md": "---\ntype: person\n---\n# Priya Nair\n", **notes})
    env = {**os.environ, "VAULTLINK_CACHE_DIR": str(cache_dir)}
    proc = subprocess.Popen([sys.executable, "-m", "vaultlink", "link", str(root)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env)
    assert proc.stdout is not None and proc.stdout.read(100).startswith(b"--- a/")
    proc.stdout.close()  # like `| head`: the diff is longer than a pipe holds
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err.decode()
    assert b"Would link" in err and b"Traceback" not in err and b"Exception ignored" not in err


@pytest.mark.parametrize("glued", ["ex-{}", "Figma/{}", "Stripe\u2014{}", "\u201c{}\u201d"])
@pytest.mark.parametrize("markdown_links", [False, True])
def test_advice_quoting_a_name_glued_to_a_word_stays_the_same_once_the_name_is_linked(
    runner: CliRunner, make_vault: MakeVault, markdown_links: bool, glued: str
) -> None:
    """"ex-Canva" becomes "ex-[[Canva]]": the advice the person's hub quotes must read the same
    after, or every later run would rewrite the hub (a second plan must be empty). The answer is
    longer than a hub quotes, and one more space would move where the quote is cut."""
    root = make_vault(
        {
            ".obsidian/app.json": json.dumps({"useMarkdownLinks": markdown_links}),
            "People/David Raman.md": "---\ntype: person\n---\n# David Raman\n",
            "Companies/Canva.md": "---\ntype: company\n---\n# Canva\n",
            "Chats/Coffee chat with David Raman.md": (
                "# Coffee chat with David Raman\n\n## How did you get into design?\n\n"
                f"David is {glued.format('Canva')}, now at Netflix. Canva's design team taught him mmmmm. Switch one axis "
                "at a time: a new role or a new domain, not both. An internal transfer is the cheapest way "
                "to change roles. Tell your manager early; good managers help you move. Most people "
                "underestimate how long this takes, including David back then.\n"
            ),
        }
    )
    code, _, _ = run(runner, "link", str(root), "--write", "--all")
    assert code == 0
    linked = (root / "Chats/Coffee chat with David Raman.md").read_text(encoding="utf-8")
    assert "[[Canva]]" in linked or "[Canva](Canva.md)" in linked
    hub = (root / "People/David Raman.md").read_text(encoding="utf-8")
    assert f"David is {glued.format('Canva')}, now at Netflix. Canva's design team" in hub
    assert run(runner, "link", str(root), "--check", "--all")[0] == 0


def _generated_vault(out: Path, notes: int, seed: int) -> Path:
    """A synthetic vault from the benchmark's generator (in this repo): hundreds of names, first
    names in titles, aliases, the shapes that make a second run differ when hubs teach extraction."""
    import importlib.util
    import sys

    name = "benchmark_make_vault"
    module = sys.modules.get(name)
    if module is None:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).parent.parent / "benchmarks/make_vault.py")
        assert spec is not None and spec.loader is not None
        module = sys.modules[name] = importlib.util.module_from_spec(spec)  # its dataclasses look it up there
        spec.loader.exec_module(module)
    module.make_vault(out, notes, seed)
    return out


@pytest.mark.parametrize("seed", [1, 3])
def test_a_run_that_creates_hubs_leaves_nothing_for_the_next(runner: CliRunner, tmp_path: Path, seed: int) -> None:
    """What new hubs teach extraction (a first name in a title now names the person with that
    note) is in the run that creates them: with these seeds, the run after used to link more."""
    root = _generated_vault(tmp_path / "vault", 40, seed)
    before = digests(root)
    code, _, err = run(runner, "link", str(root), "--write", "--create-hubs")
    assert code == 0 and "Created" in err, err
    code, _, err = run(runner, "link", str(root), "--check")
    assert code == 0, err
    assert run(runner, "undo", str(root))[0] == 0
    assert digests(root) == before
