"""``vaultlink scan`` as a user runs it: through click's runner, the console script and ``-m``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
import pytest
from click.testing import CliRunner, Result

from vaultlink.cli import main

from conftest import MakeVault, snapshot

NOTE_KEYS = {"path", "title", "date", "tags", "links", "warnings"}
DOCUMENT_KEYS = {"schema", "vault", "notes", "entities", "relations", "advice", "warnings"}


def _invoke(*args: str) -> Result:
    try:
        runner = CliRunner(mix_stderr=False)  # type: ignore[call-arg]  # click < 8.2
    except TypeError:
        runner = CliRunner()  # click >= 8.2 keeps stderr apart by itself
    return runner.invoke(main, list(args), catch_exceptions=False)


def _small_vault(make_vault: MakeVault) -> Path:
    return make_vault(
        {
            "Chats/Coffee chat with Stefan Mai.md": (
                "---\ndate: 2023-05-11\ntags: [coffee-chat]\n---\n# Coffee chat\n"
                "Met [[Stefan Mai]] and [[Nobody Yet]]. ![[tiny.png]] #career\n"
            ),
            "People/Stefan Mai.md": "---\naliases: [Stef]\n---\n# Stefan Mai\n",
            "Broken.md": "---\ntitle: [unclosed\n---\nBody\n",
            "Attachments/tiny.png": b"\x89PNG\r\n\x1a\n",
        }
    )


def _one_line_error(result: Result) -> str:
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_scan_prints_a_summary(make_vault: MakeVault) -> None:
    root = _small_vault(make_vault)
    result = _invoke("scan", str(root))
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Notes: 3" in out
    assert "2 wikilinks" in out and "1 embeds" in out
    assert "2 resolved, 1 unresolved" in out
    assert "Warnings: 1 (invalid-yaml: 1)" in out
    assert "Broken.md" in out  # a warning names its note


def test_scan_json_is_the_schema_1_document(make_vault: MakeVault) -> None:
    root = _small_vault(make_vault)
    result = _invoke("scan", "--json", str(root))
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["schema"] == 1
    assert DOCUMENT_KEYS <= set(doc)
    assert isinstance(doc["entities"], list) and isinstance(doc["relations"], list) and isinstance(doc["advice"], list)
    notes = {note["path"]: note for note in doc["notes"]}
    assert list(notes) == sorted(notes) == ["Broken.md", "Chats/Coffee chat with Stefan Mai.md", "People/Stefan Mai.md"]
    for note in doc["notes"]:
        assert NOTE_KEYS <= set(note)
    chat = notes["Chats/Coffee chat with Stefan Mai.md"]
    assert chat["title"] == "Coffee chat with Stefan Mai"
    assert chat["date"] == "2023-05-11"
    assert chat["tags"] == ["coffee-chat", "career"]
    assert chat["links"] == ["People/Stefan Mai.md", "Attachments/tiny.png"]
    assert chat["unresolved"] == ["Nobody Yet"]
    assert chat["warnings"] == []
    assert len(notes["Broken.md"]["warnings"]) == 1
    assert [(w["note"], w["kind"]) for w in doc["warnings"]] == [("Broken.md", "invalid-yaml")]


def test_scan_json_paths_are_vault_relative_posix(vault: Path) -> None:
    result = _invoke("scan", "--json", str(vault))
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["schema"] == 1 and len(doc["notes"]) >= 12

    mentioned = [p for note in doc["notes"] for p in [note["path"], *note["links"]]]
    mentioned += [w["note"] for w in doc["warnings"] if w["note"]]
    for path in mentioned:
        assert not path.startswith("/") and "\\" not in path and ":" not in path[:3], path
        assert (vault / path).is_file(), path
    for note in doc["notes"]:
        assert note["path"].lower().endswith(".md")
        assert not note["path"].startswith(".")


def test_missing_vault_is_exit_3_with_one_line(tmp_path: Path) -> None:
    result = _invoke("scan", str(tmp_path / "no such vault"))
    assert result.exit_code == 3
    line = _one_line_error(result)
    assert line.startswith("vaultlink: ") and "no such vault" in line


def test_file_as_vault_is_exit_3_with_one_line(tmp_path: Path) -> None:
    path = tmp_path / "note.md"
    path.write_text("# not a vault\n")
    result = _invoke("scan", "--json", str(path))
    assert result.exit_code == 3
    assert "note.md" in _one_line_error(result)


def test_unknown_option_is_exit_2(tmp_path: Path) -> None:
    result = _invoke("scan", "--no-such-option", str(tmp_path))
    assert result.exit_code == 2
    assert "No such option" in result.stderr and "Traceback" not in result.stderr


def test_missing_argument_is_exit_2() -> None:
    result = _invoke("scan")
    assert result.exit_code == 2


def test_bad_notes_still_exit_0(make_vault: MakeVault) -> None:
    root = make_vault({"ok.md": "fine", "bin.md": b"\x00\x01\x02", "latin.md": "caf\xe9".encode("latin-1")})
    result = _invoke("scan", "--json", str(root))
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert sorted((w["note"], w["kind"]) for w in doc["warnings"]) == [("bin.md", "binary"), ("latin.md", "undecodable")]


def test_no_cache_reads_everything_and_writes_no_cache(make_vault: MakeVault, cache_dir: Path) -> None:
    root = _small_vault(make_vault)
    result = _invoke("scan", "--no-cache", str(root))
    assert result.exit_code == 0 and "Notes: 3" in result.stdout
    assert list(cache_dir.iterdir()) == []
    assert _invoke("scan", str(root)).exit_code == 0
    # the parsed notes, what extraction found in them, the index built from both, and the
    # summary printed from the index
    assert sorted(p.name.partition("-")[0] for p in cache_dir.iterdir()) == ["facts", "index", "scan", "summary"]


def test_a_warm_summary_is_the_cold_one_and_follows_every_change(make_vault: MakeVault, cache_dir: Path) -> None:
    root = _small_vault(make_vault)
    cold = _invoke("scan", "--no-cache", str(root)).stdout
    assert _invoke("scan", str(root)).stdout == cold  # fills the cache
    assert _invoke("scan", str(root)).stdout == cold  # answered from it
    note = root / "Chats" / "Coffee chat with Stefan Mai.md"
    note.write_text(note.read_text(encoding="utf-8") + "\nLater: Priya Nair from Stripe joined.\n", encoding="utf-8")
    changed = _invoke("scan", str(root)).stdout
    assert changed == _invoke("scan", "--no-cache", str(root)).stdout and changed != cold
    for kept in cache_dir.glob("summary-*"):
        kept.write_bytes(b"not a pickle")  # a corrupt summary is discarded, not trusted
    assert _invoke("scan", str(root)).stdout == changed


def test_a_warm_summary_loads_neither_the_extractor_nor_the_index(make_vault: MakeVault, cache_dir: Path) -> None:
    root = _small_vault(make_vault)
    assert _invoke("scan", str(root)).exit_code == 0
    probe = (
        "import sys; from vaultlink.cli import main\n"
        "try:\n    main(['scan', sys.argv[1]])\nexcept SystemExit:\n    pass\n"
        "heavy = sorted(m for m in sys.modules if m in ('vaultlink.api', 'vaultlink.extract', 'yaml', 'networkx'))\n"
        "print('loaded:', heavy)"
    )
    env = {**os.environ, "VAULTLINK_CACHE_DIR": str(cache_dir)}
    done = subprocess.run([sys.executable, "-c", probe, str(root)], capture_output=True, text=True, env=env, check=True)
    assert "Notes: 3" in done.stdout and "loaded: []" in done.stdout


def test_ignore_option(make_vault: MakeVault) -> None:
    root = _small_vault(make_vault)
    result = _invoke("scan", "--json", "--ignore", "People", "--ignore", "Broken.md", str(root))
    doc = json.loads(result.stdout)
    assert [note["path"] for note in doc["notes"]] == ["Chats/Coffee chat with Stefan Mai.md"]
    # ignored notes are not read, yet links to them still resolve, as in Obsidian
    assert doc["notes"][0]["links"] == ["People/Stefan Mai.md", "Attachments/tiny.png"]


def test_scan_writes_nothing_in_the_vault(vault: Path) -> None:
    before = snapshot(vault)
    assert _invoke("scan", str(vault)).exit_code == 0
    assert _invoke("scan", "--json", "--no-cache", str(vault)).exit_code == 0
    assert snapshot(vault) == before


def test_console_script(make_vault: MakeVault) -> None:
    exe = shutil.which("vaultlink")
    if exe is None:
        pytest.skip("the vaultlink console script is not installed (pip install -e .)")
    root = _small_vault(make_vault)
    done = subprocess.run([exe, "scan", "--json", str(root)], capture_output=True, env=dict(os.environ), timeout=120)
    assert done.returncode == 0, done.stderr.decode()
    doc = json.loads(done.stdout.decode("utf-8"))
    assert doc["schema"] == 1 and len(doc["notes"]) == 3


def test_python_dash_m(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "vaultlink", "scan", str(tmp_path / "missing")],
        capture_output=True,
        env=dict(os.environ),
        timeout=120,
    )
    assert done.returncode == 3
    err = done.stderr.decode("utf-8")
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert done.stdout == b""


REPO = Path(__file__).resolve().parent.parent


def test_readme_opens_with_the_two_commands_and_ci_runs_the_second() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert readme.startswith("```")
    first_block = readme.split("```")[1].splitlines()[1:]
    assert len(first_block) == 2, first_block
    install_and_run, test_command = first_block
    assert install_and_run.startswith("pip install . && vaultlink ") and "sample_vault" in install_and_run
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    commands = [line for line in ci.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    assert commands[-1] == test_command
    assert "set -euo pipefail" in ci


def test_readme_documents_every_exit_code() -> None:
    from vaultlink import errors

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    codes = {cls.exit_code for cls in vars(errors).values() if isinstance(cls, type) and issubclass(cls, errors.VaultlinkError)}
    for code in codes | {0, 1, 2}:
        assert f"\n| {code} |" in readme, f"exit code {code} is not in the README's table"
