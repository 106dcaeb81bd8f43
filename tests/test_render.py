"""The HTML page, read as text: one offline file, escaped data, a strict CSP, the right defaults."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from graph_fixtures import HOSTILE_COMPANY, HOSTILE_PATH, HOSTILE_QUOTE, PRIVATE_PATH, large_index, small_index

from vaultlink import render
from vaultlink.model import NoteSummary

REPO = Path(__file__).resolve().parent.parent
DATA_SCRIPT = re.compile(r'<script id="vaultlink-data" type="application/json">(.*?)</script>', re.S)
INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)


@pytest.fixture(scope="module")
def page() -> str:
    return render.render_html(small_index()).html


def _data(html: str) -> dict[str, Any]:
    match = DATA_SCRIPT.search(html)
    assert match is not None
    data: dict[str, Any] = json.loads(match.group(1))
    return data


def test_page_is_one_file_that_names_no_remote_resource(page: str) -> None:
    assert "<script src" not in page and "<link" not in page and "<iframe" not in page
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", page)
    assert "cdn.jsdelivr" not in page and "cdnjs" not in page and "bootstrap" not in page.lower()
    assert "vis.Network" in page  # vis-network is inlined, not fetched
    assert len(re.findall(r"^<script", page, re.M)) == 3  # data, vis-network, the page's own code


def test_csp_forbids_the_network_and_allows_exactly_the_inline_scripts(page: str) -> None:
    meta = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', page)
    assert meta is not None
    policy = meta.group(1).replace("&#x27;", "'")
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    assert directives["default-src"] == ["'none'"]
    assert directives["connect-src"] == ["'none'"]
    assert directives["img-src"] == ["data:", "blob:"]
    assert "'unsafe-inline'" not in directives["script-src"] and "'unsafe-eval'" not in directives["script-src"]
    scripts = INLINE_SCRIPT.findall(page)
    hashes = {"'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'" for s in scripts}
    assert set(directives["script-src"]) == hashes
    assert page.index("Content-Security-Policy") < page.index("<script")


def test_embedded_data_has_no_markup_and_parses_back(page: str) -> None:
    raw = DATA_SCRIPT.search(page).group(1)  # type: ignore[union-attr]
    assert "<" not in raw and ">" not in raw and "&" not in raw
    assert "\u2028" not in raw and "\u2029" not in raw
    data = json.loads(raw)
    labels = {row[2] for row in data["nodes"]} | {row[1] for row in data["notes"]}
    assert HOSTILE_COMPANY in labels
    assert any(row[2] == HOSTILE_QUOTE for row in data["advice"])
    assert any(row[0] == HOSTILE_PATH for row in data["notes"])


def test_hostile_text_never_appears_raw_outside_the_data(page: str) -> None:
    outside = DATA_SCRIPT.sub("", page)
    assert "onerror=alert" not in outside
    assert "alert(2)" not in outside


def test_embed_json_escapes_what_could_end_a_script() -> None:
    text = render.embed_json({"a": "</script><!-- \u2028 & <b>", "b": "\udcff"})
    assert "</" not in text and "<!--" not in text and "\u2028" not in text
    assert json.loads(text) == {"a": "</script><!-- \u2028 & <b>", "b": "\ufffd"}


def test_placeholders_in_notes_are_not_expanded() -> None:
    index = small_index()
    trap = NoteSummary("Traps/@@VIS_JS@@.md", "@@DATA@@ @@CSP@@", "2024-01-01", (), (), ())
    html = render.render_html(replace(index, notes=index.notes + (trap,))).html
    assert "@@DATA@@ @@CSP@@" in _data(html)["notes"][[r[0] for r in _data(html)["notes"]].index(trap.path)][1]
    assert html.count("vis-network") == render.render_html(index).html.count("vis-network")


def test_title_is_escaped() -> None:
    html = render.render_html(small_index("/vaults/<i>Mine&Co")).html
    assert "<title>&lt;i&gt;Mine&amp;Co: vaultlink graph</title>" in html


def test_page_data_references_are_consistent(page: str) -> None:
    data = _data(page)
    nodes, notes, advice = len(data["nodes"]), len(data["notes"]), len(data["advice"])
    assert len(data["panels"]) == nodes
    for source, target, kind, weight, *cited in data["edges"]:
        assert 0 <= source < nodes and 0 <= target < nodes and weight >= 1
        assert 0 <= kind < len(data["edgeTypes"])
        assert all(0 <= f < notes for f in (cited[0] if cited else []))
    for node_id, kind, label, *_ in data["nodes"]:
        assert (node_id == "" and label == "") == (kind == "note")

    def check(item: dict[str, Any]) -> None:
        assert set(item) <= {"n", "f", "a", "t", "i"} and item
        assert 0 <= item.get("n", 0) < nodes and 0 <= item.get("f", 0) < notes and 0 <= item.get("a", 0) < advice
        for child in item.get("i", []):
            check(child)

    for sections in data["panels"]:
        for title, items in sections:
            assert isinstance(title, str) and items
            for item in items:
                check(item)
    assert all(PRIVATE_PATH != row[0] for row in data["notes"])


def test_small_graph_shows_notes_and_uses_brief_physics(page: str) -> None:
    data = _data(page)
    assert data["showNotes"] is True and data["physics"] is True
    assert data["vault"] == "My Vault"


def test_large_graph_hides_notes_and_ships_positions_without_physics() -> None:
    index = large_index(notes=render.LARGE_GRAPH + 10)
    result = render.render_html(index)
    data = _data(result.html)
    assert not result.notes_shown and data["showNotes"] is False
    assert data["physics"] is False
    assert any(row[1] == "note" for row in data["nodes"])  # there, hidden until ticked
    xs = {row[3] for row in data["nodes"]}
    assert len(xs) > len(data["nodes"]) // 2  # positions computed, not all at the origin
    assert render.render_html(index, include_notes=True).notes_shown
    without = _data(render.render_html(index, include_notes=False).html)
    assert not any(row[1] == "note" for row in without["nodes"])


def test_vis_network_comes_from_pyvis_not_from_this_repository() -> None:
    js, css = render.read_vis_network()
    assert "vis-network" in js[:500] and len(js) > 100_000 and css
    assert not list((REPO / "vaultlink").rglob("vis-network*"))


def test_facts_line() -> None:
    assert render.describe_facts({"type": "person", "chats": 2, "first_chat": "2023-01-01", "last_chat": "2024-01-01",
                                  "note_count": 1, "first_date": "2024-01-01", "last_date": "2024-01-01"}) == (
        "2 chats (2023-01-01 – 2024-01-01) · in 1 note (2024-01-01)"
    )
    assert render.describe_facts({"type": "note", "first_date": "2024-05-01", "mentions": 1}) == "2024-05-01 · linked from 1 note"
