"""The graph as one self-contained, offline HTML page. The only module that reaches into pyvis.

pyvis's stock template loads Bootstrap from a CDN whatever ``cdn_resources`` says, its
``add_edge`` checks for duplicates edge by edge (seconds for 10,000 edges), ``from_nx`` changes
the graph it is given, and its JSON is written into a ``<script>`` unescaped, so a note holding
``</script>`` would end the script. So the page is our own template (``data/page.html``) with
vis-network inlined from the copy pyvis ships, read at run time, and the graph embedded as JSON
in a non-executable ``<script type="application/json">`` with ``<``, ``>``, ``&``, U+2028 and
U+2029 escaped. pyvis itself is never imported: its package pulls in IPython (0.75 s).

The page's Content-Security-Policy allows only the page's own scripts (by hash), inline styles
and ``data:`` images: no request can leave it, and an HTML fragment in a note could not run
even if it reached the DOM (the page builds its panel with ``textContent`` only).
"""

from __future__ import annotations

import base64
import hashlib
import html
import importlib.util
import json
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence


from vaultlink.errors import VaultlinkError
from vaultlink.graph import (
    EDGE_ORDER,
    EDGE_STYLE,
    NODE_ORDER,
    NODE_STYLE,
    EdgeType,
    NodeType,
    PanelItem,
    PanelSection,
    build_graph,
    describe_nodes,
    filter_index,
    node_size,
    vault_name,
)
from vaultlink.layout import Position, layout_graph
from vaultlink.model import Advice, VaultIndex, stem_of

if TYPE_CHECKING:
    import networkx as nx

VIS_VERSION = "9.1.2"
LARGE_GRAPH = 1500
"""Above this many nodes, notes start hidden (a toggle shows them) unless asked for."""
PHYSICS_LIMIT = 400
"""Up to this many nodes the page refines the Python layout with a short physics run."""
ADVICE_BUDGET = 6000
"""Above this many advice items, people and topics show only their most recent quotes."""
DIRECTED = frozenset({EdgeType.WORKS_AT, EdgeType.WORKED_AT, EdgeType.ADVISED_ON, EdgeType.INTRODUCED})
"""Edge types drawn with an arrow; the others read the same both ways on screen."""

_PLACEHOLDER = re.compile(r"@@([A-Z_]+)@@")
_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


class RenderError(VaultlinkError):
    """The page cannot be built: vis-network is missing from the installed pyvis."""

    exit_code = 1


@dataclass(frozen=True)
class Page:
    """A rendered page and what is in it."""

    html: str
    nodes: int
    edges: int
    notes_shown: bool
    physics: bool


def render_html(
    index: VaultIndex,
    *,
    include_notes: bool | None = None,
    exclude_tags: Iterable[str] = (),
    extra: Mapping[str, Sequence[PanelSection]] | None = None,
    seed: int = 1,
) -> Page:
    """The page of a vault: filter, graph, lay out, describe every node, fill the template.

    ``include_notes``: None puts notes in the page, hidden at first when the graph has more
    than :data:`LARGE_GRAPH` nodes; True shows them at first; False leaves them out of the page.
    ``extra`` adds panel sections per node id (see :func:`vaultlink.graph.describe_nodes`).
    """
    exclude_tags = tuple(exclude_tags)
    visible = filter_index(index, exclude_tags)
    graph = build_graph(visible, include_notes=include_notes is not False)
    positions = layout_graph(graph, seed=seed)
    quoted = {node for node, data in graph.nodes(data=True) if data["type"] in (NodeType.PERSON.value, NodeType.TOPIC.value)}
    limit = None if len(visible.advice) <= ADVICE_BUDGET else max(5, ADVICE_BUDGET // max(1, len(quoted)))
    panels = describe_nodes(visible, graph, extra=extra, advice_limit=limit)
    large = graph.number_of_nodes() > LARGE_GRAPH
    show_notes = include_notes is True or (include_notes is None and not large)
    physics = graph.number_of_nodes() <= PHYSICS_LIMIT
    data = page_data(visible, graph, positions, panels, show_notes=show_notes, physics=physics, lean=large)
    return Page(
        html=fill_template(data, title=f"{vault_name(visible)}: vaultlink graph"),
        nodes=graph.number_of_nodes(),
        edges=graph.number_of_edges(),
        notes_shown=show_notes,
        physics=physics,
    )


def page_data(
    index: VaultIndex,
    graph: nx.MultiDiGraph,
    positions: Mapping[str, Position],
    panels: Mapping[str, Sequence[PanelSection]],
    *,
    show_notes: bool = True,
    physics: bool = False,
    lean: bool = False,
) -> dict[str, Any]:
    """The JSON the page reads: compact tables, notes and advice referred to by position.

    ``notes``: ``[path, title, date]``; ``nodes``: ``[id, type, label, x, y, size, hub note
    (index into notes or -1), facts, aliases]``, where a note node's id and label are ``""``
    (``note:<path>`` and the note's title, from the notes table: 10,000 notes repeat no path);
    ``edges``: ``[from, to, type, weight, [notes]?]`` (node, ``edgeTypes`` and note indices;
    the notes only for relations, not for mentions and links, whose note is an end); ``advice``: ``[note, person node or -1, text, date, question]``;
    ``panels[i]``: ``[[title, [item…]]…]`` for node ``i``, an item being an object with any of
    ``n`` (node), ``f`` (note), ``a`` (advice), ``t`` (text), ``i`` (nested items).

    ``lean`` (a large graph) leaves out the edges from notes to topics and between two notes:
    tens of thousands of lines that vis-network would take minutes to add and that say what
    the notes' panels already list. The exports keep them.
    """
    notes = sorted(index.notes, key=lambda note: note.path)
    note_index = {note.path: i for i, note in enumerate(notes)}
    node_ids = list(graph.nodes)
    node_index = {node: i for i, node in enumerate(node_ids)}
    advice_index: dict[Advice, int] = {}
    advice_rows: list[list[Any]] = []

    def advice_ref(item: Advice) -> int:
        if item not in advice_index:
            advice_index[item] = len(advice_rows)
            person = item.person if item.person in node_index else None
            advice_rows.append(
                [
                    note_index.get(item.note, -1),
                    node_index[person] if person is not None else -1,
                    item.text,
                    item.date or "",
                    item.question or "",
                ]
            )
        return advice_index[item]

    def encode(item: PanelItem) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if item.node is not None and item.node in node_index:
            out["n"] = node_index[item.node]
        if item.note is not None and item.note in note_index:
            out["f"] = note_index[item.note]
        if item.advice is not None and item.advice.note in note_index:
            out["a"] = advice_ref(item.advice)
        if item.text:
            out["t"] = item.text
        if item.items:
            out["i"] = [encode(child) for child in item.items]
        return out

    edge_code = {kind.value: i for i, kind in enumerate(EDGE_ORDER)}
    node_rows = []
    for node, attrs in graph.nodes(data=True):
        x, y = positions.get(node, (0.0, 0.0))
        hub = note_index.get(attrs.get("note", ""), -1)
        is_note = attrs["type"] == NodeType.NOTE.value and hub >= 0
        node_rows.append(
            [
                "" if is_note else node,
                attrs["type"],
                "" if is_note else attrs["label"],
                round(x, 1),
                round(y, 1),
                node_size(attrs),
                hub,
                describe_facts(attrs),
                list(attrs.get("aliases", ())),
            ]
        )
    edge_rows: list[list[Any]] = []
    kinds = {node: attrs["type"] for node, attrs in graph.nodes(data=True)}
    note_kind, topic_kind = NodeType.NOTE.value, NodeType.TOPIC.value
    for source, target, key, attrs in graph.edges(keys=True, data=True):
        if lean and kinds[source] == note_kind and (
            kinds[target] == topic_kind or (kinds[target] == note_kind and key == EdgeType.LINKS_TO.value)
        ):
            continue
        row: list[Any] = [node_index[source], node_index[target], edge_code[key], int(attrs.get("weight", 1))]
        if key not in (EdgeType.MENTIONS.value, EdgeType.LINKS_TO.value):
            cited = [note_index[path] for path in attrs.get("notes", ()) if path in note_index]
            if cited:
                row.append(cited)
        edge_rows.append(row)
    panel_rows = [
        [[section.title, [encode(item) for item in section.items]] for section in panels.get(node, ())]
        for node in node_ids
    ]
    present_nodes = {attrs["type"] for _, attrs in graph.nodes(data=True)}
    present_edges = {key for _, _, key in graph.edges(keys=True)}
    return {
        "schema": 1,
        "vault": vault_name(index),
        "showNotes": show_notes,
        "physics": physics,
        "nodeTypes": [
            {"type": kind.value, **NODE_STYLE[kind], "present": kind.value in present_nodes} for kind in NODE_ORDER
        ],
        "edgeTypes": [
            {"type": kind.value, **EDGE_STYLE[kind], "directed": kind in DIRECTED, "present": kind.value in present_edges}
            for kind in EDGE_ORDER
        ],
        "notes": [[note.path, note.title or stem_of(note.path), note.date or ""] for note in notes],
        "nodes": node_rows,
        "edges": edge_rows,
        "advice": advice_rows,
        "panels": panel_rows,
    }


def describe_facts(attrs: Mapping[str, Any]) -> str:
    """One line under a node's name in its panel: chats, dates, how often it is mentioned."""
    kind = attrs.get("type")
    parts: list[str] = []
    if kind == NodeType.NOTE.value:
        if attrs.get("first_date"):
            parts.append(str(attrs["first_date"]))
        if attrs.get("mentions"):
            parts.append(f"linked from {attrs['mentions']} note{'s' if attrs['mentions'] != 1 else ''}")
        return " · ".join(parts)
    chats = int(attrs.get("chats", 0))
    if chats:
        span = _span(attrs.get("first_chat", ""), attrs.get("last_chat", ""))
        parts.append(f"{chats} chat{'s' if chats != 1 else ''}" + (f" ({span})" if span else ""))
    count = int(attrs.get("note_count", 0))
    if count:
        span = _span(attrs.get("first_date", ""), attrs.get("last_date", ""))
        parts.append(f"in {count} note{'s' if count != 1 else ''}" + (f" ({span})" if span else ""))
    return " · ".join(parts)


def _span(first: str, last: str) -> str:
    if first and last and first != last:
        return f"{first} – {last}"
    return first or last


def fill_template(data: Mapping[str, Any], *, title: str) -> str:
    """The page's HTML: the template with its styles, scripts and escaped data filled in.

    Placeholders are replaced in one pass, so text inside the data can never be taken for a
    placeholder. The CSP lists the SHA-256 of each inline script, so nothing else can run.
    """
    vis_js, vis_css = read_vis_network()
    app_js = _read_data("page.js")
    app_css = _read_data("page.css")
    for name, text in (("vis-network.min.js", vis_js), ("page.js", app_js)):
        if re.search(r"</script|<!--", text, re.IGNORECASE):
            raise RenderError(f"{name} contains </script> or <!-- and cannot be inlined")
    for name, text in (("vis-network.css", vis_css), ("page.css", app_css)):
        if re.search(r"</style", text, re.IGNORECASE):
            raise RenderError(f"{name} contains </style> and cannot be inlined")
    values = {
        "TITLE": html.escape(title),
        "CSP": html.escape(content_security_policy([vis_js, app_js])),
        "VIS_CSS": vis_css,
        "APP_CSS": app_css,
        "VIS_JS": vis_js,
        "APP_JS": app_js,
        "DATA": embed_json(data),
    }
    return _PLACEHOLDER.sub(lambda match: values[match.group(1)], _read_data("page.html"))


def content_security_policy(scripts: Sequence[str]) -> str:
    """The policy: nothing from the network, only these inline scripts, inline styles, data: images."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii") + "'"
        for script in scripts
    )
    return (
        "default-src 'none'; "
        f"script-src {hashes}; "
        "style-src 'unsafe-inline'; "
        "img-src data: blob:; "
        "font-src data:; "
        "connect-src 'none'; "
        "base-uri 'none'; "
        "form-action 'none'; "
        "object-src 'none'"
    )


def embed_json(data: Any) -> str:
    """JSON safe inside a ``<script>`` element: no ``</script>``, no ``<!--``, no line separators.

    Lone surrogates (from undecodable file names) become U+FFFD so the page can be encoded.
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    text = re.sub("[\ud800-\udfff]", "\ufffd", text)
    return re.sub("[<>&\u2028\u2029]", lambda match: _JSON_ESCAPES[match.group(0)], text)


def read_vis_network() -> tuple[str, str]:
    """vis-network's JS and CSS from the installed pyvis package, without importing pyvis."""
    spec = importlib.util.find_spec("pyvis")
    if spec is None or not spec.submodule_search_locations:
        raise RenderError("pyvis is not installed: pip install pyvis (it ships vis-network)")
    folder = Path(list(spec.submodule_search_locations)[0]) / "templates" / "lib" / f"vis-{VIS_VERSION}"
    try:
        js = (folder / "vis-network.min.js").read_text(encoding="utf-8")
        css = (folder / "vis-network.css").read_text(encoding="utf-8")
    except OSError as error:
        raise RenderError(f"vis-network {VIS_VERSION} not found in pyvis ({folder}): reinstall pyvis") from error
    return js, css


def _read_data(name: str) -> str:
    return resources.files("vaultlink.data").joinpath(name).read_text(encoding="utf-8")
