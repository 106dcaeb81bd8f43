"""Exports: GraphML and GEXF that load back, node-link JSON, and a valid JSON Canvas 1.0 file."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from graph_fixtures import HOSTILE_COMPANY, PRIVATE_PATH, PRIVATE_QUOTE, STEFAN_CHAT, small_index

from vaultlink import api
from vaultlink.graph import (
    build_graph,
    exportable_graph,
    to_canvas,
    to_canvas_text,
    to_gexf,
    to_graphml,
    to_json,
    to_node_link,
)
from vaultlink.layout import layout_graph

LEGAL = (str, int, float, bool)
CANVAS_NODE_TYPES = {"text", "file", "link", "group"}
CANVAS_SIDES = {"top", "right", "bottom", "left"}


def _graph_and_positions() -> tuple[nx.MultiDiGraph, dict[str, tuple[float, float]]]:
    graph = build_graph(small_index())
    return graph, layout_graph(graph)


def test_exportable_graph_has_only_legal_attribute_types() -> None:
    graph, positions = _graph_and_positions()
    safe = exportable_graph(graph, positions)
    keys = None
    for _, data in safe.nodes(data=True):
        assert all(isinstance(value, LEGAL) for value in data.values()), data
        keys = keys or set(data)
        assert set(data) == keys  # every node has every attribute, as Gephi's table wants
    for _, _, data in safe.edges(data=True):
        assert all(isinstance(value, LEGAL) for value in data.values()), data
    assert safe.nodes["person:stefan-mai"]["aliases"] == "Stef"
    worked = safe.edges["person:stefan-mai", "company:amazon", "worked_at"]["notes"]
    assert worked == f"{STEFAN_CHAT}|People/Stefan Mai.md"
    # the original keeps its tuples
    assert graph.nodes["person:stefan-mai"]["aliases"] == ("Stef",)


def test_graphml_loads_back_with_the_same_counts(tmp_path: Path) -> None:
    graph, positions = _graph_and_positions()
    path = tmp_path / "graph.graphml"
    path.write_text(to_graphml(graph, positions), encoding="utf-8")
    loaded = nx.read_graphml(path)
    assert loaded.number_of_nodes() == graph.number_of_nodes()
    assert loaded.number_of_edges() == graph.number_of_edges()
    assert loaded.nodes["person:stefan-mai"]["label"] == "Stefan Mai"
    assert loaded.nodes["person:stefan-mai"]["mentions"] == graph.nodes["person:stefan-mai"]["mentions"]
    assert isinstance(loaded.nodes["person:stefan-mai"]["x"], float)


def test_gexf_loads_back_and_keeps_gexf_own_edge_type_valid(tmp_path: Path) -> None:
    graph, positions = _graph_and_positions()
    text = to_gexf(graph, positions)
    path = tmp_path / "graph.gexf"
    path.write_text(text, encoding="utf-8")
    loaded = nx.read_gexf(path)
    assert loaded.number_of_nodes() == graph.number_of_nodes()
    assert loaded.number_of_edges() == graph.number_of_edges()
    assert {data["relation"] for _, _, data in loaded.edges(data=True)} == {key for _, _, key in graph.edges(keys=True)}
    root = ET.fromstring(text)
    ns = {"g": "http://www.gexf.net/1.2draft"}
    declared = {a.get("type") for a in root.iterfind(".//g:attributes/g:attribute", ns)}
    assert declared <= {"string", "long", "integer", "double", "float", "boolean"}
    assert {e.get("type") for e in root.iterfind(".//g:edge", ns)} <= {None, "directed", "undirected", "mutual"}
    stefan = root.find(".//g:node[@id='person:stefan-mai']", ns)
    assert stefan is not None and stefan.get("label") == "Stefan Mai"
    viz = "{http://www.gexf.net/1.2draft/viz}"
    assert stefan.find(f"{viz}position") is not None and stefan.find(f"{viz}color") is not None


def test_node_link_json_round_trips() -> None:
    graph, positions = _graph_and_positions()
    data = json.loads(to_json(graph, positions))
    assert {"nodes", "edges"} <= set(data)
    loaded = nx.node_link_graph(data, edges="edges")
    assert loaded.number_of_nodes() == graph.number_of_nodes()
    assert loaded.number_of_edges() == graph.number_of_edges()
    stefan = next(node for node in data["nodes"] if node["id"] == "person:stefan-mai")
    assert stefan["aliases"] == ["Stef"] and "x" in stefan
    assert to_node_link(graph)["nodes"][0]["id"] == "me"


def validate_canvas(canvas: Any) -> None:
    """Raise AssertionError unless ``canvas`` follows JSON Canvas 1.0 (jsoncanvas.org/spec/1.0)."""
    assert isinstance(canvas, dict) and set(canvas) <= {"nodes", "edges"}
    ids: set[str] = set()
    for node in canvas.get("nodes", []):
        assert isinstance(node["id"], str) and node["id"] not in ids
        ids.add(node["id"])
        assert node["type"] in CANVAS_NODE_TYPES
        for key in ("x", "y", "width", "height"):
            assert isinstance(node[key], int) and not isinstance(node[key], bool), (key, node)
        assert node["width"] > 0 and node["height"] > 0
        if node["type"] == "text":
            assert isinstance(node["text"], str)
        if node["type"] == "file":
            assert isinstance(node["file"], str) and node["file"]
        if "color" in node:
            assert node["color"] in {"1", "2", "3", "4", "5", "6"} or (
                node["color"].startswith("#") and len(node["color"]) == 7
            )
    edge_ids: set[str] = set()
    for edge in canvas.get("edges", []):
        assert isinstance(edge["id"], str) and edge["id"] not in edge_ids and edge["id"] not in ids
        edge_ids.add(edge["id"])
        assert edge["fromNode"] in ids and edge["toNode"] in ids
        for side in ("fromSide", "toSide"):
            assert side not in edge or edge[side] in CANVAS_SIDES
        assert "label" not in edge or isinstance(edge["label"], str)


def test_canvas_is_valid_json_canvas_with_hub_notes_as_files() -> None:
    graph, positions = _graph_and_positions()
    canvas = json.loads(to_canvas_text(graph, positions))
    validate_canvas(canvas)
    assert len(canvas["nodes"]) == graph.number_of_nodes()
    assert len(canvas["edges"]) == graph.number_of_edges()
    files = {node["file"] for node in canvas["nodes"] if node["type"] == "file"}
    assert {"People/Stefan Mai.md", "Companies/Amazon.md", STEFAN_CHAT} <= files
    texts = [node["text"] for node in canvas["nodes"] if node["type"] == "text"]
    assert any("Meta" in text for text in texts)  # no hub note: a text node
    assert {edge["label"] for edge in canvas["edges"]} >= {"worked at", "talked with", "mentions"}


def test_canvas_boxes_do_not_overlap() -> None:
    graph, positions = _graph_and_positions()
    boxes = [(n["x"], n["y"], n["x"] + n["width"], n["y"] + n["height"]) for n in to_canvas(graph, positions)["nodes"]]
    for i, (ax0, ay0, ax1, ay1) in enumerate(boxes):
        for bx0, by0, bx1, by1 in boxes[i + 1 :]:
            assert ax1 <= bx0 or bx1 <= ax0 or ay1 <= by0 or by1 <= ay0


def test_canvas_text_escapes_markup_in_names() -> None:
    graph, positions = _graph_and_positions()
    acme = next(n for n in to_canvas(graph, positions)["nodes"] if n["type"] == "text" and "Acme" in n["text"])
    assert HOSTILE_COMPANY not in acme["text"]
    assert "\\<img" in acme["text"]


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "json", "canvas", "html"])
def test_no_export_mentions_a_private_note(fmt: str) -> None:
    export = api.export_graph(small_index(), fmt)
    assert PRIVATE_PATH not in export.text
    assert PRIVATE_QUOTE not in export.text
    assert "Atlassian" not in export.text


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "json", "canvas", "html"])
def test_exports_are_reproducible(fmt: str) -> None:
    assert api.export_graph(small_index(), fmt).text == api.export_graph(small_index(), fmt).text


def test_extra_panel_sections_reach_the_page() -> None:
    from vaultlink.graph import PanelItem, PanelSection

    extra = {"person:stefan-mai": [PanelSection("Open follow-ups", (PanelItem(text="Send him the ApplyingML link"),))]}
    html = api.export_graph(small_index(), "html", panels=extra).text
    assert "Open follow-ups" in html and "Send him the ApplyingML link" in html
