"""Link resolution the way Obsidian does it, and unresolved targets as a scan reports them."""

from __future__ import annotations

import json
import unicodedata

import pytest

from vaultlink.api import scan_vault
from vaultlink.markdown import parse_note
from vaultlink.model import Link, LinkKind
from vaultlink.resolve import LinkResolver, pick_closest

from conftest import MakeVault

FILES = [
    "Note.md",
    "Chats/Note.md",
    "Chats/Coffee chat with Stefan.md",
    "People/Stefan Mai.md",
    "Archive/2019/People/Stefan Mai.md",
    "Projects/Ideas.md",
    "Archive/Ideas.md",
    "Deep/Er/Ideas.md",
    "Some Note.md",
    "Chats/Sub/Plan (draft).md",
    "Attachments/tiny.png",
    "Attachments/report.pdf",
    "Zoë.md",
]


def _resolve(target: str, source: str, kind: LinkKind = LinkKind.WIKI, files: list[str] = FILES) -> str | None:
    return LinkResolver(files).resolve(Link(target, kind, False, 1, 0, 1), source)


@pytest.mark.parametrize(
    ("target", "source", "expected"),
    [
        ("stefan mai", "Chats/x.md", "People/Stefan Mai.md"),  # case-insensitive, shortest path
        ("STEFAN MAI", "Archive/2019/People/x.md", "Archive/2019/People/Stefan Mai.md"),  # same folder wins
        ("Note", "Chats/Coffee chat with Stefan.md", "Note.md"),  # the exact path wins over the same folder
        ("Chats/Note", "x.md", "Chats/Note.md"),
        ("Ideas", "Projects/x.md", "Projects/Ideas.md"),  # same folder
        ("Ideas", "Deep/x.md", "Archive/Ideas.md"),  # shortest path, then A-Z
        ("Ideas", "Deep/Er/x.md", "Deep/Er/Ideas.md"),
        ("Ideas.md", "Deep/Er/x.md", "Deep/Er/Ideas.md"),  # the extension may be written
        ("2019/People/Stefan Mai", "x.md", "Archive/2019/People/Stefan Mai.md"),  # a partial path
        ("People/Stefan Mai", "Archive/2019/People/x.md", "People/Stefan Mai.md"),  # a full path is exact
        ("/People/Stefan Mai", "x.md", "People/Stefan Mai.md"),
        ("../People/Stefan Mai", "Chats/x.md", "People/Stefan Mai.md"),  # newLinkFormat: relative
        ("tiny.png", "Chats/x.md", "Attachments/tiny.png"),  # attachments by file name with extension
        ("Attachments/report.pdf", "x.md", "Attachments/report.pdf"),
        ("tiny", "Chats/x.md", None),  # but not without it
        ("Stefan", "Chats/x.md", None),
        ("ople/Stefan Mai", "x.md", None),  # a partial path is made of whole folder names
        ("Missing Note", "x.md", None),
        (unicodedata.normalize("NFD", "Zoë"), "x.md", "Zoë.md"),  # macOS writes names decomposed
        ("", "Chats/x.md", "Chats/x.md"),  # [[#Heading]] points into the note itself
    ],
)
def test_wikilink_resolution(target: str, source: str, expected: str | None) -> None:
    assert _resolve(target, source) == expected


@pytest.mark.parametrize(
    ("target", "source", "expected"),
    [
        ("Some Note.md", "x.md", "Some Note.md"),
        ("Sub/Plan (draft).md", "Chats/x.md", "Chats/Sub/Plan (draft).md"),  # relative to the note's folder
        ("../Note.md", "Chats/x.md", "Note.md"),
        ("Note.md", "Chats/x.md", "Chats/Note.md"),  # relative first...
        ("Note.md", "Projects/x.md", "Note.md"),  # ...then from the vault root
        ("/Chats/Note.md", "Projects/x.md", "Chats/Note.md"),
        ("../../outside.md", "Chats/x.md", None),  # never out of the vault
        ("../tiny.png", "Attachments/Sub/x.md", "Attachments/tiny.png"),
    ],
)
def test_markdown_link_resolution(target: str, source: str, expected: str | None) -> None:
    assert _resolve(target, source, LinkKind.MARKDOWN) == expected


def test_markdown_link_target_is_percent_decoded_before_resolving() -> None:
    parsed = parse_note("Chats/x.md", "[plan](Sub/Plan%20%28draft%29.md) [n](../Some%20Note.md)\n")
    resolver = LinkResolver(FILES)
    assert [resolver.resolve(link, parsed.path) for link in parsed.links] == [
        "Chats/Sub/Plan (draft).md",
        "Some Note.md",
    ]


def test_pick_closest() -> None:
    assert pick_closest(["B/n.md", "A/n.md"], "x.md") == "A/n.md"
    assert pick_closest(["A/B/n.md", "C/n.md"], "A/B/x.md") == "A/B/n.md"
    assert pick_closest(["A/B/n.md", "Longer/n.md"], "x.md") == "Longer/n.md"
    assert pick_closest(["only.md"], "x.md") == "only.md"


def test_candidates_lists_every_file_of_a_name() -> None:
    assert sorted(LinkResolver(FILES).candidates("ideas")) == ["Archive/Ideas.md", "Deep/Er/Ideas.md", "Projects/Ideas.md"]


def test_scan_reports_unresolved_targets_per_note_and_aliases_are_not_targets(make_vault: MakeVault) -> None:
    root = make_vault(
        {
            "People/Stefan Mai.md": "---\naliases: [Stef]\n---\n# Stefan Mai\n",
            "Chats/Coffee chat.md": (
                "Met [[Stef]] ([[stefan mai|Stefan]]), see ![[tiny.png]] and [[Nowhere#Part]] and [[Nowhere]].\n"
                "[back](../People/Stefan%20Mai.md) [[#Coffee]] [[Templates/Chat template]]\n"
            ),
            "Other.md": "[[People/Stefan Mai]] [[Ghost]]\n",
            "Attachments/tiny.png": b"\x89PNG\r\n",
            "Templates/Chat template.md": "# template\n",
            ".obsidian/app.json": json.dumps({"userIgnoreFilters": ["Templates/"]}),
        }
    )
    index = scan_vault(root)
    notes = {note.path: note for note in index.notes}
    assert set(notes) == {"People/Stefan Mai.md", "Chats/Coffee chat.md", "Other.md"}
    chat = notes["Chats/Coffee chat.md"]
    assert chat.unresolved == ("Stef", "Nowhere")  # an alias is not a link target; each target once
    # an ignored note is still a link target: Obsidian resolves links into excluded folders
    assert set(chat.links) == {"People/Stefan Mai.md", "Attachments/tiny.png", "Templates/Chat template.md"}
    assert notes["Other.md"].unresolved == ("Ghost",)
    assert notes["Other.md"].links == ("People/Stefan Mai.md",)
    assert notes["People/Stefan Mai.md"].unresolved == ()
    stats = index.link_stats
    assert (stats.wikilinks, stats.markdown_links, stats.embeds) == (8, 1, 1)
    assert (stats.resolved, stats.unresolved) == (6, 4)
