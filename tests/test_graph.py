"""The graph of a vault: nodes, typed edges, the private-note filter, the panel descriptions."""

from __future__ import annotations

import ast
from pathlib import Path
import networkx as nx
import pytest
from graph_fixtures import (
    CULTURE_QUOTE,
    DANA_CHAT,
    PRIVATE_PATH,
    PRIVATE_QUOTE,
    PRIYA_CHAT,
    STEFAN_CHAT,
    STEFAN_QUOTE,
    THERAPY_PATH,
    small_index,
)

from vaultlink.graph import (
    EdgeType,
    NodeType,
    PanelItem,
    PanelSection,
    build_graph,
    describe_nodes,
    filter_index,
    is_hidden_note,
    note_node_id,
    vault_name,
)
from vaultlink.layout import layout_graph
from vaultlink.model import ME, NoteSummary

PACKAGE = Path(__file__).resolve().parent.parent / "vaultlink"


def _everything(graph: nx.MultiDiGraph) -> str:
    """Every node id, attribute and edge attribute of a graph, as one string to search."""
    parts: list[str] = []
    for node, data in graph.nodes(data=True):
        parts += [node, repr(data)]
    for source, target, key, data in graph.edges(keys=True, data=True):
        parts += [source, target, key, repr(data)]
    return "\n".join(parts)


def test_nodes_are_typed_entities_notes_and_me() -> None:
    graph = build_graph(small_index())
    assert graph.nodes[ME]["type"] == NodeType.ME.value
    stefan = graph.nodes["person:stefan-mai"]
    assert stefan["type"] == "person"
    assert stefan["label"] == "Stefan Mai"
    assert stefan["note"] == "People/Stefan Mai.md"
    assert stefan["aliases"] == ("Stef",)
    assert graph.nodes["company:amazon"]["type"] == "company"
    assert graph.nodes["topic:career-switch"]["type"] == "topic"
    chat = graph.nodes[note_node_id(STEFAN_CHAT)]
    assert chat["type"] == "note"
    assert chat["label"] == "Coffee chat with Stefan Mai"
    assert chat["first_date"] == "2023-05-11"


def test_a_hub_note_is_its_entity_not_a_second_node() -> None:
    graph = build_graph(small_index())
    assert note_node_id("People/Stefan Mai.md") not in graph
    assert note_node_id("Companies/Amazon.md") not in graph
    # the hub note's own links start at the entity
    assert graph.has_edge("person:stefan-mai", note_node_id(STEFAN_CHAT), key="links_to")
    assert graph.has_edge("person:stefan-mai", "company:amazon", key="links_to")
    # a link to the hub note arrives at the entity
    assert graph.has_edge(note_node_id(STEFAN_CHAT), "person:stefan-mai", key="links_to")


def test_mention_counts_and_chat_dates() -> None:
    graph = build_graph(small_index())
    stefan = graph.nodes["person:stefan-mai"]
    assert stefan["mentions"] == 4  # three in the chat, one in Priya's; the hub note's own does not count
    assert stefan["note_count"] == 2
    assert (stefan["first_date"], stefan["last_date"]) == ("2023-05-11", "2024-02-03")
    assert (stefan["chats"], stefan["first_chat"], stefan["last_chat"]) == (1, "2023-05-11", "2023-05-11")
    dana = graph.nodes["person:dana-whitfield"]
    assert (dana["chats"], dana["last_chat"]) == (1, "2024-04-16")
    assert graph.nodes["company:meta"]["chats"] == 0


def test_edges_are_typed_with_weights_and_notes() -> None:
    graph = build_graph(small_index())
    kinds = {key for _, _, key in graph.edges(keys=True)}
    assert kinds == {kind.value for kind in EdgeType}
    worked = graph.edges["person:stefan-mai", "company:amazon", "worked_at"]
    assert worked["type"] == "worked_at"
    assert worked["notes"] == ("Chats/Coffee chat with Stefan Mai.md", "People/Stefan Mai.md")
    assert worked["weight"] == 2
    assert worked["date"] == "2023-05-11"
    mention = graph.edges[note_node_id(STEFAN_CHAT), "person:stefan-mai", "mentions"]
    assert mention["weight"] == 3
    assert graph.has_edge("person:stefan-mai", "person:priya-raman", key="introduced")
    assert graph.has_edge("person:priya-raman", "company:stripe", key="works_at")


def test_talked_with_runs_from_me_whatever_extraction_wrote() -> None:
    graph = build_graph(small_index())
    # Dana's relation was written person -> me; Priya only appears as a participant by name
    for person in ("person:stefan-mai", "person:dana-whitfield", "person:priya-raman", "person:omar-haddad"):
        assert graph.has_edge(ME, person, key="talked_with"), person
    assert not graph.has_edge("person:dana-whitfield", ME)
    assert graph.edges[ME, "person:priya-raman", "talked_with"]["notes"] == (PRIYA_CHAT,)


def test_advice_gives_advised_on_edges_from_ids_and_names() -> None:
    graph = build_graph(small_index())
    assert graph.has_edge("person:stefan-mai", "topic:career-switch", key="advised_on")
    assert graph.has_edge("person:stefan-mai", "topic:company-culture", key="advised_on")  # topic by name
    assert graph.has_edge("person:priya-raman", "topic:career-switch", key="advised_on")  # person by name


def test_private_note_and_all_it_alone_supports_stay_out() -> None:
    graph = build_graph(small_index())
    text = _everything(graph)
    assert PRIVATE_PATH not in text
    for gone in ("person:hannah-cole", "company:atlassian", "topic:compensation"):
        assert gone not in graph
    assert "Hannah" not in text and "Atlassian" not in text
    # Priya's hub note links to the private note: the link is gone, Priya stays
    assert "person:priya-raman" in graph


def test_excluded_tag_hides_nested_tags_and_what_only_they_support() -> None:
    index = small_index()
    plain = build_graph(index)
    assert "person:zed-quiet" in plain
    graph = build_graph(index, exclude_tags=["#therapy"])
    assert "person:zed-quiet" not in graph
    assert note_node_id(THERAPY_PATH) not in graph
    assert THERAPY_PATH not in _everything(graph)
    assert graph.nodes["person:priya-raman"]["mentions"] == plain.nodes["person:priya-raman"]["mentions"] - 1


def test_is_hidden_note_matches_tags_case_insensitively_and_by_parent() -> None:
    note = NoteSummary("a.md", "a", None, ("Work/Secret", "x"), (), ())
    assert is_hidden_note(note, ["work"])
    assert is_hidden_note(note, ["#WORK/secret"])
    assert not is_hidden_note(note, ["wor"])
    assert not is_hidden_note(note, [])
    assert is_hidden_note(NoteSummary("b.md", "b", None, (), (), (), private=True))


def test_filter_index_is_idempotent_and_keeps_unrelated_data() -> None:
    index = small_index()
    once = filter_index(index, ["therapy"])
    assert filter_index(once, ["therapy"]) == once
    assert PRIVATE_PATH not in {note.path for note in once.notes}
    assert all(item.note != PRIVATE_PATH for item in once.advice)
    assert {e.id for e in once.entities} == {e.id for e in index.entities} - {
        "person:hannah-cole", "company:atlassian", "topic:compensation", "person:zed-quiet"
    }
    priya_hub = next(note for note in once.notes if note.path == "People/Priya Raman.md")
    assert priya_hub.links == ()


def test_without_notes_only_entities_and_me_remain() -> None:
    graph = build_graph(small_index(), include_notes=False)
    assert {data["type"] for _, data in graph.nodes(data=True)} == {"me", "person", "company", "topic"}
    # hub notes still connect their entities
    assert graph.has_edge("person:stefan-mai", "company:amazon", key="links_to")
    assert graph.edges["person:stefan-mai", "company:amazon", "worked_at"]["notes"][0] == STEFAN_CHAT


def test_same_index_gives_the_same_graph() -> None:
    first, second = build_graph(small_index()), build_graph(small_index())
    assert list(first.nodes(data=True)) == list(second.nodes(data=True))
    assert list(first.edges(keys=True, data=True)) == list(second.edges(keys=True, data=True))


def test_attributes_are_never_none() -> None:
    graph = build_graph(small_index())
    for _, data in graph.nodes(data=True):
        assert None not in data.values()
    for _, _, data in graph.edges(data=True):
        assert None not in data.values()


def test_relation_to_an_unknown_entity_is_skipped() -> None:
    from dataclasses import replace

    from vaultlink.model import Relation, RelationType

    index = small_index()
    index = replace(index, relations=index.relations + (Relation("person:nobody", "company:amazon", RelationType.WORKS_AT),))
    graph = build_graph(index)
    assert "person:nobody" not in graph


def test_vault_name_is_the_folder_name() -> None:
    assert vault_name(small_index("/home/ada/My Vault/")) == "My Vault"
    assert vault_name(small_index("C:\\Users\\ada\\Notes")) == "Notes"


# --- panels ---------------------------------------------------------------------------------------


def _section(panels: dict[str, tuple[PanelSection, ...]], node: str, title: str) -> tuple[PanelItem, ...]:
    for section in panels[node]:
        if section.title == title:
            return section.items
    raise AssertionError(f"{node} has no section {title!r}: {[s.title for s in panels[node]]}")


def test_person_panel_has_companies_chats_and_advice_by_topic() -> None:
    index = small_index()
    graph = build_graph(index)
    panels = describe_nodes(index, graph)
    assert [item.node for item in _section(panels, "person:stefan-mai", "Worked at")] == ["company:amazon", "company:meta"]
    assert [item.note for item in _section(panels, "person:stefan-mai", "Chats")] == [STEFAN_CHAT]
    advice = {item.node: [child.advice.text for child in item.items if child.advice] for item in _section(panels, "person:stefan-mai", "Advice")}
    assert advice == {"topic:career-switch": [STEFAN_QUOTE], "topic:company-culture": [CULTURE_QUOTE]}
    assert [item.node for item in _section(panels, "person:stefan-mai", "Introduced")] == ["person:priya-raman"]
    assert [item.node for item in _section(panels, "person:priya-raman", "Works at")] == ["company:stripe"]


def test_company_and_topic_panels() -> None:
    index = small_index()
    graph = build_graph(index)
    panels = describe_nodes(index, graph)
    assert [item.node for item in _section(panels, "company:amazon", "People there before")] == ["person:stefan-mai"]
    assert [item.node for item in _section(panels, "company:stripe", "People there now")] == ["person:priya-raman"]
    by_person = _section(panels, "topic:career-switch", "Advice")
    assert [item.node for item in by_person] == ["person:priya-raman", "person:stefan-mai"]
    quotes = [child.advice.text for item in by_person for child in item.items if child.advice]
    assert STEFAN_QUOTE in quotes


def test_note_panel_lists_its_entities_and_advice() -> None:
    index = small_index()
    graph = build_graph(index)
    panels = describe_nodes(index, graph)
    node = note_node_id(STEFAN_CHAT)
    assert [item.node for item in _section(panels, node, "People")] == ["person:stefan-mai"]
    assert [item.node for item in _section(panels, node, "Companies")] == ["company:amazon", "company:meta"]
    assert len(_section(panels, node, "Advice in this note")) == 2
    assert [item.node for item in _section(panels, ME, "Talked with")][0] == "person:dana-whitfield"  # latest first
    assert note_node_id(DANA_CHAT) in panels


def test_panels_never_cite_hidden_notes() -> None:
    index = small_index()
    graph = build_graph(index, exclude_tags=["therapy"])
    panels = describe_nodes(index, graph, exclude_tags=["therapy"])
    text = repr(panels)
    for hidden in (PRIVATE_PATH, PRIVATE_QUOTE, THERAPY_PATH):
        assert hidden not in text


def test_extra_sections_are_appended() -> None:
    index = small_index()
    graph = build_graph(index)
    extra = {"person:stefan-mai": [PanelSection("Open follow-ups", (PanelItem(text="Send the article"),))]}
    panels = describe_nodes(index, graph, extra=extra)
    assert panels["person:stefan-mai"][-1].title == "Open follow-ups"


# --- layout -----------------------------------------------------------------------------------------


def test_layout_places_every_node_deterministically() -> None:
    graph = build_graph(small_index())
    positions = layout_graph(graph)
    assert set(positions) == set(graph.nodes)
    assert positions == layout_graph(graph)
    distinct = {(round(x), round(y)) for x, y in positions.values()}
    assert len(distinct) == len(positions)
    assert positions[ME] == (0.0, 0.0)  # the author sits at the centre


def test_layout_puts_a_chat_near_its_person() -> None:
    graph = build_graph(small_index())
    positions = layout_graph(graph)

    def distance(a: str, b: str) -> float:
        (ax, ay), (bx, by) = positions[a], positions[b]
        return float(((ax - bx) ** 2 + (ay - by) ** 2) ** 0.5)

    chat = note_node_id(DANA_CHAT)
    others = [n for n in graph if n not in (chat, "person:dana-whitfield")]
    assert distance(chat, "person:dana-whitfield") <= min(distance(chat, other) for other in others) + 1e-6


def test_layout_of_an_empty_graph() -> None:
    assert layout_graph(nx.MultiDiGraph()) == {}


# --- layers ---------------------------------------------------------------------------------------


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def _calls(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.func.id for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}


@pytest.mark.parametrize("module", ["graph.py", "layout.py"])
def test_graph_and_layout_are_pure(module: str) -> None:
    path = PACKAGE / module
    assert not _imports(path) & {"os", "pathlib", "shutil", "io", "tempfile", "click", "pyvis", "subprocess", "time", "datetime"}
    assert not _calls(path) & {"open", "print", "input"}


def test_only_render_reaches_into_pyvis_and_only_cli_imports_click() -> None:
    for path in sorted(PACKAGE.rglob("*.py")):
        imports = _imports(path)
        relative = path.relative_to(PACKAGE).as_posix()
        if relative != "render.py":
            assert "pyvis" not in imports, relative
            assert '"pyvis"' not in path.read_text(encoding="utf-8"), relative
        if relative != "cli.py":
            assert "click" not in imports, relative
