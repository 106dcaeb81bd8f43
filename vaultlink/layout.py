"""Positions for the graph's nodes, computed in Python so a big page can draw without physics.

vis-network's physics does not settle on thousands of nodes, and networkx's ``spring_layout``
needs numpy and still takes minutes on 10,000; this module is pure Python and deterministic.
People, companies, topics and the author (the *core*) get a force-directed layout
(Fruchterman-Reingold, with repulsion limited to a grid of nearby cells once the core is big);
each note is then set on a sunflower spiral around the entity it is most about, so notes
cluster around people and companies and never decide where those go. Coordinates are in
the page's pixels, centred on 0, 0.
"""

from __future__ import annotations

import math
from collections import defaultdict
from random import Random
from typing import TYPE_CHECKING, Mapping


from vaultlink.model import ME

if TYPE_CHECKING:
    import networkx as nx

Position = tuple[float, float]

EDGE_PULL: Mapping[str, float] = {
    "works_at": 2.0,
    "worked_at": 1.2,
    "introduced": 1.0,
    "advised_on": 0.6,
    "talked_with": 0.25,
    "mentions": 0.5,
    "links_to": 0.5,
}
"""How strongly an edge of each type pulls its ends together in the core layout."""

ANCHOR_PULL: Mapping[str, float] = {"person": 4.0, "company": 2.0, "topic": 1.0, "me": 0.5}
"""How strongly a note is drawn to each kind of entity it mentions, when picking its cluster."""

EXACT_LIMIT = 250
"""Up to this many core nodes, every pair repels; above it, only pairs in nearby grid cells."""

STRONGEST = 10
"""How many of its strongest pulls each core node keeps."""

SPACING = 110.0
"""The ideal distance between two linked core nodes, in pixels."""

NOTE_SPACING = 34.0
"""The distance between neighbouring notes on a cluster's spiral, in pixels."""

_GOLDEN_ANGLE = math.pi * (3.0 - math.sqrt(5.0))


def layout_graph(graph: nx.MultiDiGraph, *, seed: int = 1, iterations: int | None = None) -> dict[str, Position]:
    """A position for every node of ``graph``: the same graph and seed give the same positions.

    ``iterations`` overrides the force layout's step count (default: 150 for a small core,
    falling to 40 for thousands of core nodes). Runs in roughly linear time in nodes and edges.
    """
    core = [node for node, data in graph.nodes(data=True) if data.get("type") != "note"]
    notes = [node for node, data in graph.nodes(data=True) if data.get("type") == "note"]
    anchors = _anchors(graph, notes)
    cluster: dict[str, int] = defaultdict(int)
    for anchor in anchors.values():
        cluster[anchor] += 1
    weights = _core_weights(graph, set(core))
    degree: dict[str, int] = defaultdict(int)
    for first, second in weights:
        degree[first] += 1
        degree[second] += 1
    # ForceAtlas2's idea: a node repels in proportion to its degree, so hubs get room around them.
    # The author talks with everyone: weighed like that, they would be flung to the rim, so they
    # stay at the centre, as light as a leaf, and their chats pull people in a little.
    mass = {node: 1.0 + degree[node] + math.sqrt(cluster.get(node, 0)) for node in core}
    if ME in mass:
        mass[ME] = 1.0
    positions = _force_layout(core, weights, mass, seed=seed, iterations=iterations, pinned=ME)
    positions.update(_place_notes(notes, anchors, positions, cluster))
    return positions


def _anchors(graph: nx.MultiDiGraph, notes: list[str]) -> dict[str, str]:
    """For each note, the core node it is most about (none for a note that mentions nothing)."""
    kinds = {node: data.get("type", "") for node, data in graph.nodes(data=True)}
    result: dict[str, str] = {}
    for note in notes:
        scores: dict[str, float] = {}
        for other, keyed in graph.succ[note].items():
            pull = ANCHOR_PULL.get(kinds[other])
            if pull is not None:
                weight = max(int(data.get("weight", 1)) for data in keyed.values())
                scores[other] = scores.get(other, 0.0) + pull * (1.0 + math.log(max(1, weight)))
        for other in graph.pred[note]:
            pull = ANCHOR_PULL.get(kinds[other])
            if pull is not None:
                scores[other] = scores.get(other, 0.0) + 0.5 * pull
        if scores:
            result[note] = max(sorted(scores), key=lambda node: scores[node])
    return result


def _core_weights(graph: nx.MultiDiGraph, core: set[str]) -> dict[tuple[str, str], float]:
    """Undirected pull between core nodes: their own edges, plus a little for sharing a note.

    Only each node's :data:`STRONGEST` pulls are kept, so a topic that every chat mentions
    does not tie the whole graph into one knot (and the layout stays linear in time).
    """
    weights: dict[tuple[str, str], float] = defaultdict(float)
    for source, target, data in graph.edges(data=True):
        if source in core and target in core and source != target:
            pair = (source, target) if source < target else (target, source)
            weights[pair] += EDGE_PULL.get(str(data.get("type")), 0.5)
    for node, data in graph.nodes(data=True):
        if data.get("type") != "note":
            continue
        members = sorted(other for other in graph.succ[node] if other in core)
        if len(members) < 2 or len(members) > 12:
            continue
        share = 0.3 / (len(members) - 1)
        for i, first in enumerate(members):
            for second in members[i + 1 :]:
                weights[(first, second)] += share
    best: dict[str, list[tuple[float, tuple[str, str]]]] = defaultdict(list)
    for pair, weight in weights.items():
        best[pair[0]].append((-weight, pair))
        best[pair[1]].append((-weight, pair))
    kept: set[tuple[str, str]] = set()
    for ranked in best.values():
        kept.update(pair for _, pair in sorted(ranked)[:STRONGEST])
    return {pair: weights[pair] for pair in sorted(kept)}


def _force_layout(
    nodes: list[str],
    weights: Mapping[tuple[str, str], float],
    mass: Mapping[str, float],
    *,
    seed: int,
    iterations: int | None,
    pinned: str | None = None,
) -> dict[str, Position]:
    """A ForceAtlas2-like layout: repulsion ``m1 * m2 / d``, linear springs, a constant gravity.

    Steps are capped by a temperature that cools linearly (Fruchterman-Reingold). The result is
    scaled so the typical distance to the nearest other node is :data:`SPACING` pixels.
    The ``pinned`` node stays at the origin.
    """
    count = len(nodes)
    if count == 0:
        return {}
    if count == 1:
        return {nodes[0]: (0.0, 0.0)}
    rng = Random(seed)
    index = {node: i for i, node in enumerate(nodes)}
    masses = [mass.get(node, 1.0) for node in nodes]
    side = math.sqrt(sum(masses)) * 3.0
    xs = [rng.uniform(-side / 2, side / 2) for _ in nodes]
    ys = [rng.uniform(-side / 2, side / 2) for _ in nodes]
    fixed = index.get(pinned, -1) if pinned is not None else -1
    if fixed >= 0:
        xs[fixed] = ys[fixed] = 0.0
    pairs = [(index[a], index[b], min(w, 4.0)) for (a, b), w in sorted(weights.items())]
    if iterations is None:
        iterations = 150 if count <= EXACT_LIMIT else max(40, 100 - count // 50)
    temperature = side / 6
    cool = temperature / (iterations + 1)
    for _ in range(iterations):
        dx = [0.0] * count
        dy = [0.0] * count
        if count <= EXACT_LIMIT:
            _repel_all(xs, ys, masses, dx, dy)
        else:
            spread = max(max(xs) - min(xs), max(ys) - min(ys), 1e-6)
            _repel_grid(xs, ys, masses, dx, dy, cell=1.5 * spread / math.sqrt(count))
        for a, b, w in pairs:
            ddx = xs[a] - xs[b]
            ddy = ys[a] - ys[b]
            dx[a] -= ddx * w
            dy[a] -= ddy * w
            dx[b] += ddx * w
            dy[b] += ddy * w
        if fixed >= 0:
            dx[fixed] = dy[fixed] = 0.0
        for i in range(count):
            distance = math.sqrt(xs[i] * xs[i] + ys[i] * ys[i])
            if distance > 1e-9:
                dx[i] -= masses[i] * xs[i] / distance
                dy[i] -= masses[i] * ys[i] / distance
            length = math.sqrt(dx[i] * dx[i] + dy[i] * dy[i])
            if length > 0:
                step = min(length, temperature) / length
                xs[i] += dx[i] * step
                ys[i] += dy[i] * step
        temperature -= cool
    cx = 0.0 if fixed >= 0 else sum(xs) / count
    cy = 0.0 if fixed >= 0 else sum(ys) / count
    scale = SPACING / (_typical_gap(xs, ys) or 1.0)
    return {node: ((xs[i] - cx) * scale, (ys[i] - cy) * scale) for node, i in index.items()}


def _typical_gap(xs: list[float], ys: list[float]) -> float:
    """The median distance from a node to its nearest neighbour (from a sorted sweep, so fast)."""
    order = sorted(range(len(xs)), key=lambda i: xs[i])
    nearest: list[float] = []
    for rank, i in enumerate(order):
        best = float("inf")
        for j in order[max(0, rank - 12) : rank + 13]:
            if j != i:
                best = min(best, math.hypot(xs[i] - xs[j], ys[i] - ys[j]))
        nearest.append(best)
    nearest.sort()
    return nearest[len(nearest) // 2] if nearest else 0.0


def _repel_all(xs: list[float], ys: list[float], masses: list[float], dx: list[float], dy: list[float]) -> None:
    count = len(xs)
    for i in range(count):
        xi, yi, mi = xs[i], ys[i], masses[i]
        for j in range(i + 1, count):
            ddx = xi - xs[j]
            ddy = yi - ys[j]
            dist2 = ddx * ddx + ddy * ddy
            if dist2 < 1e-9:
                ddx, ddy, dist2 = 0.01 * (i - j), 0.01, 1e-4 * ((i - j) ** 2 + 1)
            push = mi * masses[j] / dist2
            dx[i] += ddx * push
            dy[i] += ddy * push
            dx[j] -= ddx * push
            dy[j] -= ddy * push


def _repel_grid(
    xs: list[float], ys: list[float], masses: list[float], dx: list[float], dy: list[float], *, cell: float
) -> None:
    grid: dict[tuple[int, int], list[int]] = defaultdict(list)
    for i in range(len(xs)):
        grid[(math.floor(xs[i] / cell), math.floor(ys[i] / cell))].append(i)
    limit = (1.5 * cell) ** 2
    for (gx, gy), members in grid.items():
        neighbours: list[int] = []
        for ox in (-1, 0, 1):
            for oy in (-1, 0, 1):
                neighbours.extend(grid.get((gx + ox, gy + oy), ()))
        for i in members:
            xi, yi, mi = xs[i], ys[i], masses[i]
            fx = fy = 0.0
            for j in neighbours:
                if j == i:
                    continue
                ddx = xi - xs[j]
                ddy = yi - ys[j]
                dist2 = ddx * ddx + ddy * ddy
                if dist2 > limit:
                    continue
                if dist2 < 1e-9:
                    ddx, ddy, dist2 = 0.01 * (i - j), 0.01, 1e-4 * ((i - j) ** 2 + 1)
                push = mi * masses[j] / dist2
                fx += ddx * push
                fy += ddy * push
            dx[i] += fx
            dy[i] += fy


def _place_notes(
    notes: list[str], anchors: Mapping[str, str], core: Mapping[str, Position], cluster: Mapping[str, int]
) -> dict[str, Position]:
    """Each anchor's notes on a sunflower disc beside it, on the side facing away from its
    neighbours; notes about nothing in rings just outside everything else."""
    members: dict[str, list[str]] = defaultdict(list)
    loose: list[str] = []
    for note in notes:
        anchor = anchors.get(note)
        if anchor is None or anchor not in core:
            loose.append(note)
        else:
            members[anchor].append(note)
    placed: dict[str, Position] = {}
    for anchor, group in members.items():
        ax, ay = core[anchor]
        ux, uy = _free_direction(anchor, core)
        radius = NOTE_SPACING * math.sqrt(len(group))
        cx = ax + ux * (SPACING * 0.35 + radius)
        cy = ay + uy * (SPACING * 0.35 + radius)
        start = math.atan2(-uy, -ux)
        for k, note in enumerate(group):
            r = NOTE_SPACING * math.sqrt(k + 0.5)
            angle = start + k * _GOLDEN_ANGLE
            placed[note] = (cx + r * math.cos(angle), cy + r * math.sin(angle))
    radius = max((math.hypot(x, y) for x, y in [*core.values(), *placed.values()]), default=0.0) + SPACING * 0.6
    k = 0
    while k < len(loose):
        capacity = max(6, int(2 * math.pi * radius / (NOTE_SPACING * 1.5)))
        ring = loose[k : k + capacity]
        for n, note in enumerate(ring):
            angle = 2 * math.pi * n / len(ring) + 0.3
            placed[note] = (radius * math.cos(angle), radius * math.sin(angle))
        k += capacity
        radius += NOTE_SPACING * 1.5
    return placed


def _free_direction(anchor: str, core: Mapping[str, Position]) -> Position:
    """The unit vector from ``anchor`` towards where its nearby core neighbours are not."""
    ax, ay = core[anchor]
    reach = (4 * SPACING) ** 2
    centre = math.hypot(ax, ay) or 1.0
    fx = 0.1 * ax / centre
    fy = 0.1 * ay / centre
    for other, (ox, oy) in core.items():
        if other == anchor:
            continue
        dx, dy = ax - ox, ay - oy
        dist2 = dx * dx + dy * dy
        if 0 < dist2 < reach:
            fx += dx * SPACING / dist2
            fy += dy * SPACING / dist2
    length = math.hypot(fx, fy)
    return (fx / length, fy / length) if length > 0 else (1.0, 0.0)
