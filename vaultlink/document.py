"""The JSON document of a scan (schema 1). Fields may be added; none is ever renamed."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any, Iterator

from vaultlink.model import VaultIndex

SCHEMA = 1


def to_document(index: VaultIndex) -> dict[str, Any]:
    """The whole index as plain JSON-ready data, every list in a stable order."""
    return {key: (list(value) if isinstance(value, Iterator) else value) for key, value in _sections(index)}


def iter_json(index: VaultIndex) -> Iterator[str]:
    """The JSON text of :func:`to_document`, in pieces: one list item at a time, so a 10,000-note
    vault's document is never held in memory whole."""
    yield "{"
    for number, (key, value) in enumerate(_sections(index)):
        yield ("," if number else "") + json.dumps(key) + ":"
        if isinstance(value, Iterator):
            yield "["
            for position, item in enumerate(value):
                yield ("," if position else "") + json.dumps(item, ensure_ascii=False)
            yield "]"
        else:
            yield json.dumps(value, ensure_ascii=False)
    yield "}\n"


def _sections(index: VaultIndex) -> Iterator[tuple[str, Any]]:
    yield "schema", SCHEMA
    yield "vault", index.root
    yield "notes", (
        {
            "path": note.path,
            "title": note.title,
            "date": note.date,
            "participants": list(note.participants),
            "tags": list(note.tags),
            "links": list(note.links),
            "unresolved": list(note.unresolved),
            "warnings": list(note.warnings),
        }
        for note in index.notes
    )
    yield "entities", (
        {
            "id": entity.id,
            "type": entity.type.value,
            "name": entity.name,
            "aliases": list(entity.aliases),
            "note": entity.note,
            "mentions": [
                {"note": m.note, "line": m.line, "text": m.text, "source": m.source.value} for m in entity.mentions
            ],
        }
        for entity in index.entities
    )
    yield "relations", (
        {
            "source": relation.source,
            "target": relation.target,
            "type": relation.type.value,
            "notes": list(relation.notes),
            "date": relation.date,
        }
        for relation in index.relations
    )
    yield "advice", (
        {
            "note": item.note,
            "line": item.line,
            "person": item.person,
            "question": item.question,
            "text": item.text,
            "topics": list(item.topics),
            "date": item.date,
        }
        for item in index.advice
    )
    yield "warnings", ({"note": w.path, "kind": w.kind, "message": w.message} for w in index.warnings)
    yield "stats", {
        "notes": len(index.notes),
        "attachments": len(index.attachments),
        "wikilinks": index.link_stats.wikilinks,
        "markdown_links": index.link_stats.markdown_links,
        "embeds": index.link_stats.embeds,
        "property_links": index.link_stats.property_links,
        "resolved": index.link_stats.resolved,
        "unresolved": index.link_stats.unresolved,
    }


def summarize(index: VaultIndex, top: int = 5) -> str:
    """The human summary ``vaultlink scan`` prints."""
    stats = index.link_stats
    tags = {tag.casefold() for note in index.notes for tag in note.tags}
    lines = [
        f"Vault: {index.root}",
        f"Notes: {len(index.notes)}   attachments: {len(index.attachments)}",
        f"Links: {stats.wikilinks} wikilinks, {stats.markdown_links} markdown links, {stats.embeds} embeds, "
        f"{stats.property_links} in properties; {stats.resolved} resolved, {stats.unresolved} unresolved",
        f"Tags: {len(tags)} distinct",
    ]
    for kind, label in (("person", "People"), ("company", "Companies"), ("topic", "Topics")):
        ranked = sorted(
            (e for e in index.entities if e.type.value == kind),
            key=lambda e: (-len({m.note for m in e.mentions}), e.name.casefold()),
        )
        if ranked:
            shown = ", ".join(f"{e.name} ({len({m.note for m in e.mentions})})" for e in ranked[:top])
            lines.append(f"{label}: {len(ranked)}; most mentioned: {shown}")
    kinds = Counter(w.kind for w in index.warnings)
    if kinds:
        lines.append(f"Warnings: {len(index.warnings)} (" + ", ".join(f"{k}: {n}" for k, n in sorted(kinds.items())) + ")")
        for warning in index.warnings[:10]:
            lines.append(f"  {warning.message}")
        if len(index.warnings) > 10:
            lines.append(f"  … and {len(index.warnings) - 10} more (--json lists them all)")
    else:
        lines.append("Warnings: none")
    return "\n".join(lines)
