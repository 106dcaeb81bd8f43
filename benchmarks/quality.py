"""Extraction quality against hand labels: precision, recall and F1 per kind, on five sets.

    python benchmarks/quality.py            # the sample vault, the three dev sets and the held-out set
    python benchmarks/quality.py --details  # also list every miss and false find (not held-out's)

The sample vault's labels (tests/quality/sample_labels.json) were written before the rules
were tuned, then the rules were tuned on it; so were the dev sets' (tests/quality/dev/, dev2/,
dev3/), written blind later. The held-out set (tests/quality/heldout/) was written with the sample's labels and
is never tuned on, nor are its misses listed: its figures are the honest ones.
Scores are micro-averaged over notes: a person found in a note where the labels have them is a
true positive, and so on. Employer relations are scored as (person, company) pairs, and again
with their tense (works_at / worked_at).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from vaultlink import scan_vault  # noqa: E402
from vaultlink.extract.lexicon import load_lexicon  # noqa: E402
from vaultlink.model import EntityType, RelationType, VaultIndex, fold  # noqa: E402

KINDS = ("people", "companies", "employers", "employers+tense", "topics")


def canonical_company(name: str) -> str:
    known = load_lexicon().companies.get(fold(name))
    return fold(known.name if known else name)


def predicted(index: VaultIndex) -> dict[str, dict[str, set[object]]]:
    """What the tool found, per note, in the shape of the labels."""
    out: dict[str, dict[str, set[object]]] = defaultdict(lambda: {k: set() for k in KINDS})
    names = {e.id: e for e in index.entities}
    for entity in index.entities:
        kind = {EntityType.PERSON: "people", EntityType.COMPANY: "companies", EntityType.TOPIC: "topics"}[entity.type]
        for mention in entity.mentions:
            value = entity.id.partition(":")[2] if kind == "topics" else (
                canonical_company(entity.name) if kind == "companies" else fold(entity.name)
            )
            out[mention.note][kind].add(value)
    for note in index.notes:
        for pid in note.participants:
            out[note.path]["people"].add(fold(names[pid].name))
    for relation in index.relations:
        if relation.type not in (RelationType.WORKS_AT, RelationType.WORKED_AT):
            continue
        person, company = names.get(relation.source), names.get(relation.target)
        if person is None or company is None:
            continue
        for note in relation.notes:
            pair = (fold(person.name), canonical_company(company.name))
            out[note]["employers"].add(pair)
            out[note]["employers+tense"].add((*pair, relation.type.value))
    return out


def gold(labels: dict[str, list]) -> dict[str, set[object]]:
    return {
        "people": {fold(p) for p in labels.get("people", [])},
        "companies": {canonical_company(c) for c in labels.get("companies", [])},
        "employers": {(fold(p), canonical_company(c)) for p, c, _ in labels.get("employers", [])},
        "employers+tense": {(fold(p), canonical_company(c), t) for p, c, t in labels.get("employers", [])},
        "topics": set(labels.get("topics", [])),
    }


def score(vault: Path, labels_file: Path, details: bool) -> dict[str, dict[str, float]]:
    labels = json.loads(labels_file.read_text(encoding="utf-8"))["notes"]
    with tempfile.TemporaryDirectory() as cache:
        os.environ["VAULTLINK_CACHE_DIR"] = cache
        index = scan_vault(vault, use_cache=False)
    found = predicted(index)
    totals = {kind: [0, 0, 0] for kind in KINDS}  # tp, fp, fn
    for path, note_labels in sorted(labels.items()):
        expected = gold(note_labels)
        for kind in KINDS:
            got = found[path][kind] if path in found else set()
            tp, fp, fn = got & expected[kind], got - expected[kind], expected[kind] - got
            totals[kind][0] += len(tp)
            totals[kind][1] += len(fp)
            totals[kind][2] += len(fn)
            if details and (fp or fn):
                print(f"  {path} [{kind}] missed={sorted(map(str, fn))} false={sorted(map(str, fp))}")
    result = {}
    for kind, (tp, fp, fn) in totals.items():
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        result[kind] = {"precision": precision, "recall": recall, "f1": f1, "tp": tp, "fp": fp, "fn": fn}
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--details", action="store_true", help="list every miss and false find")
    args = parser.parse_args()
    sets = (
        ("sample vault (tuned on)", REPO / "sample_vault", REPO / "tests/quality/sample_labels.json"),
        ("dev set (tuned on)", REPO / "tests/quality/dev", REPO / "tests/quality/dev_labels.json"),
        ("dev2 set (tuned on)", REPO / "tests/quality/dev2", REPO / "tests/quality/dev2_labels.json"),
        ("dev3 set (tuned on)", REPO / "tests/quality/dev3", REPO / "tests/quality/dev3_labels.json"),
        ("held-out set", REPO / "tests/quality/heldout", REPO / "tests/quality/heldout_labels.json"),
    )
    print(f"{'set':26} {'kind':16} {'P':>6} {'R':>6} {'F1':>6}   tp/fp/fn")
    for label, vault, labels in sets:
        if args.details:
            print(f"{label}:")
        for kind, s in score(vault, labels, args.details and "held-out" not in label).items():
            print(
                f"{label:26} {kind:16} {s['precision']:6.2f} {s['recall']:6.2f} {s['f1']:6.2f}   "
                f"{s['tp']}/{s['fp']}/{s['fn']}"
            )


if __name__ == "__main__":
    main()
