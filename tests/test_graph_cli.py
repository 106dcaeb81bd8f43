"""``vaultlink graph``: formats, outputs, filters and exit codes, through click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

from vaultlink import api
from vaultlink.cli import main

PRIVATE = "Edge cases/Private note.md"


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["graph", *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_writes_one_offline_page(vault: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "graph.html"
    code, stdout, stderr = _run(str(vault), "-o", str(out))
    assert code == 0, stderr
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "default-src 'none'" in html.replace("&#x27;", "'")
    assert stdout == ""
    assert f"Wrote {out}" in stderr and "nodes" in stderr
    assert PRIVATE not in html


def test_format_follows_the_suffix_and_graphml_loads_back(vault: Path, tmp_path: Path) -> None:
    out = tmp_path / "graph.graphml"
    code, _, stderr = _run(str(vault), "-o", str(out))
    assert code == 0, stderr
    graph = nx.read_graphml(out)
    direct = api.build_graph(api.scan_vault(vault, use_cache=False))
    assert (graph.number_of_nodes(), graph.number_of_edges()) == (direct.number_of_nodes(), direct.number_of_edges())
    assert "person:stefan-mai" in graph


def test_format_option_wins_over_the_suffix(vault: Path, tmp_path: Path) -> None:
    out = tmp_path / "graph.xml"
    code, _, stderr = _run(str(vault), "--format", "gexf", "-o", str(out))
    assert code == 0, stderr
    assert nx.read_gexf(out).number_of_nodes() > 0


def test_json_to_stdout_without_notes(vault: Path) -> None:
    code, stdout, _ = _run(str(vault), "--format", "json", "--no-notes", "-o", "-")
    assert code == 0
    data = json.loads(stdout)
    types = {node["type"] for node in data["nodes"]}
    assert "note" not in types and {"person", "company", "topic"} <= types


def test_canvas_file_opens_hub_notes(vault: Path, tmp_path: Path) -> None:
    out = vault / "Maps" / "People.canvas"
    code, _, stderr = _run(str(vault), "-o", str(out))
    assert code == 0, stderr
    canvas = json.loads(out.read_text(encoding="utf-8"))
    files = {node["file"] for node in canvas["nodes"] if node["type"] == "file"}
    assert "People/Stefan Mai.md" in files
    assert all((vault / path).is_file() for path in files)  # each file node opens a real note


def test_exclude_tag_leaves_tagged_notes_out(vault: Path) -> None:
    code, stdout, _ = _run(str(vault), "--format", "json", "-o", "-")
    assert code == 0 and "note:Journal/2024-03-02.md" in stdout
    code, stdout, _ = _run(str(vault), "--format", "json", "--exclude-tag", "journal", "-o", "-")
    assert code == 0
    ids = {node["id"] for node in json.loads(stdout)["nodes"]}
    assert "note:Journal/2024-03-02.md" not in ids and "Journal/2024-03-02.md" not in stdout


@pytest.mark.parametrize("fmt", ["html", "graphml", "gexf", "json", "canvas"])
def test_no_format_carries_the_private_note(vault: Path, fmt: str) -> None:
    code, stdout, _ = _run(str(vault), "--format", fmt, "-o", "-")
    assert code == 0
    assert PRIVATE not in stdout and "market data" not in stdout


def test_default_output_is_graph_html_in_the_current_folder(vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, _ = _run(str(vault))
    assert code == 0
    assert (tmp_path / "graph.html").is_file()


def test_open_launches_the_written_file(vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    launched: list[str] = []

    def launch(url: str, **_: object) -> int:
        launched.append(url)
        return 0

    monkeypatch.setattr("click.launch", launch)
    out = tmp_path / "g.html"
    code, _, _ = _run(str(vault), "-o", str(out), "--open")
    assert code == 0 and launched == [str(out)]


def test_refuses_to_write_over_a_note(vault: Path) -> None:
    target = vault / "People" / "Stefan Mai.md"
    before = target.read_bytes()
    code, _, stderr = _run(str(vault), "-o", str(target))
    assert code == 4
    assert "refusing" in stderr
    assert target.read_bytes() == before


def test_rewriting_keeps_the_file_mode(vault: Path, tmp_path: Path) -> None:
    out = tmp_path / "graph.json"
    out.write_text("old", encoding="utf-8")
    out.chmod(0o640)
    code, _, _ = _run(str(vault), "-o", str(out))
    assert code == 0
    assert out.stat().st_mode & 0o777 == 0o640
    assert json.loads(out.read_text(encoding="utf-8"))["nodes"]


def test_missing_vault_and_bad_format_exit_codes(tmp_path: Path) -> None:
    code, _, stderr = _run(str(tmp_path / "nowhere"), "-o", str(tmp_path / "g.html"))
    assert code == 3 and "vaultlink:" in stderr
    assert not (tmp_path / "g.html").exists()
    code, _, _ = _run(str(tmp_path), "--format", "png")
    assert code == 2
