"""The shipped data files keep the rules vaultlink/data/README.md gives for them."""

from __future__ import annotations

import json
from importlib import resources

from vaultlink.model import fold

KINDS = {"company", "startup", "consulting", "bank", "university", "nonprofit", "government"}


def _data(name: str) -> str:
    return resources.files("vaultlink").joinpath("data", name).read_text(encoding="utf-8")


def _rows() -> list[list[str]]:
    lines = _data("companies.tsv").splitlines()
    assert lines[0] == "name\taliases\tcommon\tkind"
    return [line.split("\t") for line in lines[1:]]


def test_every_gazetteer_row_has_four_cells_a_kind_and_no_blank_surface() -> None:
    for cells in _rows():
        assert len(cells) == 4, cells
        name, aliases, common, kind = cells
        assert kind in KINDS, cells
        surfaces = [name, *(aliases.split("|") if aliases else [])]
        assert all(s and s == s.strip() and len(s) >= 2 for s in surfaces), cells
        assert all(c in surfaces for c in (common.split("|") if common else [])), f"common must be a surface: {cells}"


def test_gazetteer_rows_are_sorted_and_no_surface_names_two_organisations() -> None:
    names = [cells[0] for cells in _rows()]
    assert names == sorted(names, key=str.casefold)
    owner: dict[str, str] = {}
    for name, aliases, _common, _kind in _rows():
        for surface in (name, *(aliases.split("|") if aliases else [])):
            assert fold(surface) not in owner or owner[fold(surface)] == name, f"{surface}: {owner.get(fold(surface))} and {name}"
            owner[fold(surface)] = name


def test_no_gazetteer_surface_is_a_stopword() -> None:
    stop = {fold(line) for line in _data("stopwords.txt").splitlines() if line.strip() and not line.startswith("#")}
    clashes = [s for name, aliases, _c, _k in _rows() for s in (name, *(aliases.split("|") if aliases else [])) if fold(s) in stop]
    assert not clashes


def test_topics_have_unique_ids_and_their_own_phrases() -> None:
    topics = json.loads(_data("topics.json"))
    ids = [t["id"] for t in topics]
    assert len(ids) == len(set(ids)) >= 30
    for topic in topics:
        assert topic["strong"] and topic["weak"], topic["id"]
        assert not set(topic["strong"]) & set(topic["weak"]), topic["id"]
