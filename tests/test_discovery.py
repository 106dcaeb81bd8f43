"""Discovery, reading, decoding and the scan cache: everything that touches the disk on a scan."""

from __future__ import annotations

import builtins
import gc
import json
import os
import pickle
import random
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable

import pytest

from vaultlink import fsio
from vaultlink.api import read_vault, scan_vault
from vaultlink.model import Issue

from conftest import MakeVault, snapshot


def _notes(root: Path, **kwargs: Any) -> list[str]:
    return [record.path for record in read_vault(root, **kwargs).records]


def _warnings_for(warnings: list[Issue], rel: str) -> list[Issue]:
    return [w for w in warnings if w.path == rel]


def _can_symlink(tmp_path: Path) -> bool:
    try:
        os.symlink(tmp_path, tmp_path / "probe-link", target_is_directory=True)
    except (OSError, NotImplementedError):
        return False
    os.unlink(tmp_path / "probe-link")
    return True


# What is a note ---------------------------------------------------------------------------


def test_md_in_any_case_is_a_note_and_other_files_are_attachments(make_vault: MakeVault) -> None:
    root = make_vault(
        {
            "a.md": "# A\n",
            "B.MD": "# B\n",
            "Sub/c.Md": "# C\n",
            "notes.markdown": "# not a note for Obsidian\n",
            "Attachments/pic.png": b"\x89PNG\r\n\x1a\n\x00\x00",
            "doc.pdf": b"%PDF-1.4\x00\xff",
        }
    )
    scan = read_vault(root)
    assert [r.path for r in scan.records] == ["B.MD", "Sub/c.Md", "a.md"]
    assert scan.discovery.attachments == ["Attachments/pic.png", "doc.pdf", "notes.markdown"]
    assert scan.warnings == []  # attachments are listed, never read or decoded


def test_dot_folders_and_dot_files_are_skipped(make_vault: MakeVault) -> None:
    root = make_vault(
        {
            "kept.md": "x",
            ".obsidian/workspace.md": "x",
            ".trash/deleted.md": "x",
            "Sub/.hidden/secret.md": "x",
            ".dotfile.md": "x",
            "Sub/.DS_Store": b"\x00",
        }
    )
    scan = read_vault(root)
    assert [r.path for r in scan.records] == ["kept.md"]
    assert scan.discovery.attachments == []


def test_obsidian_user_ignore_filters_prefix_and_regex(make_vault: MakeVault) -> None:
    settings = {"userIgnoreFilters": ["Templates/", "/Archive\\/old-.*/"]}
    root = make_vault(
        {
            ".obsidian/app.json": json.dumps(settings),
            "Templates/Chat template.md": "x",
            "Archive/old-2019.md": "x",
            "Archive/new-2024.md": "x",
            "Chats/Coffee chat.md": "x",
        }
    )
    scan = read_vault(root)
    assert [r.path for r in scan.records] == ["Archive/new-2024.md", "Chats/Coffee chat.md"]
    # ignored notes are listed, never read: Obsidian still resolves links to them
    assert scan.discovery.excluded == ["Archive/old-2019.md", "Templates/Chat template.md"]
    assert scan.discovery.settings["userIgnoreFilters"] == settings["userIgnoreFilters"]


def test_invalid_ignore_regex_is_a_warning(make_vault: MakeVault) -> None:
    root = make_vault({".obsidian/app.json": json.dumps({"userIgnoreFilters": ["/([/"]}), "a.md": "x"})
    scan = read_vault(root)
    assert [r.path for r in scan.records] == ["a.md"]
    assert [w.kind for w in scan.warnings] == ["settings"]


def test_unreadable_app_json_is_a_warning_and_the_scan_goes_on(make_vault: MakeVault) -> None:
    root = make_vault({".obsidian/app.json": "{not json", "a.md": "x"})
    scan = read_vault(root)
    assert [r.path for r in scan.records] == ["a.md"]
    assert len(scan.warnings) == 1 and ".obsidian/app.json" in scan.warnings[0].message


def test_ignore_globs(make_vault: MakeVault) -> None:
    root = make_vault(
        {
            "Drafts/one.md": "x",
            "Chats/Drafts/two.md": "x",
            "Chats/keep.md": "x",
            "Chats/scratch.tmp.md": "x",
            "Private/diary.md": "x",
        }
    )
    scan = read_vault(root, ignore=["Drafts", "*.tmp.md", "Private/*"])
    assert [r.path for r in scan.records] == ["Chats/keep.md"]
    assert scan.discovery.excluded == ["Chats/Drafts/two.md", "Chats/scratch.tmp.md", "Drafts/one.md", "Private/diary.md"]
    assert len(_notes(root)) == 5


# Bad files: one warning each, naming the file, and the scan goes on ---------------------------


def test_bad_notes_give_one_warning_each_and_the_scan_goes_on(make_vault: MakeVault) -> None:
    root = make_vault(
        {
            "good.md": "# Good\n[[binary]]\n",
            "binary.md": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
            "latin1.md": "café au lait\n".encode("latin-1"),
            "bad yaml.md": "---\ntitle: a: b: c\n  - [\n---\n# Still a note\n",
            "Sub/also good.md": "# Fine\n",
        }
    )
    with open(root / "huge.md", "wb") as handle:  # sparse: 5 MB on paper, almost nothing on disk
        handle.seek(5 * 1024 * 1024)
        handle.write(b"\n")
    scan = read_vault(root)
    assert [r.path for r in scan.records] == ["Sub/also good.md", "bad yaml.md", "good.md"]
    expected = {"binary.md": "binary", "latin1.md": "undecodable", "huge.md": "too-large", "bad yaml.md": "invalid-yaml"}
    for rel, kind in expected.items():
        found = _warnings_for(scan.warnings, rel)
        assert [w.kind for w in found] == [kind], rel
        assert rel in found[0].message
    assert len(scan.warnings) == len(expected)


def test_too_large_limit_is_a_parameter(make_vault: MakeVault) -> None:
    root = make_vault({"a.md": "x" * 2000, "b.md": "small"})
    scan = read_vault(root, max_note_bytes=1000)
    assert [r.path for r in scan.records] == ["b.md"]
    assert [(w.path, w.kind) for w in scan.warnings] == [("a.md", "too-large")]


def _refusing_open(name: str) -> Callable[..., Any]:
    """fsio's ``open`` as it is when ``name`` cannot be read: CI runs as root, where chmod 000
    does not stop a read, so the open fails instead."""
    real_open: Callable[..., Any] = builtins.open

    def refusing_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        if str(file).endswith(name):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    return refusing_open


def test_unreadable_note_is_a_warning(make_vault: MakeVault, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_vault({"locked.md": "secret", "open.md": "fine"})
    monkeypatch.setattr(fsio, "open", _refusing_open("locked.md"), raising=False)
    scan = read_vault(root, use_cache=False)
    assert [r.path for r in scan.records] == ["open.md"]
    assert [(w.path, w.kind) for w in scan.warnings] == [("locked.md", "unreadable")]
    assert "locked.md" in scan.warnings[0].message and "Permission denied" in scan.warnings[0].message


def test_note_vanishing_mid_scan_is_a_warning(make_vault: MakeVault, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_vault({"gone.md": "x", "here.md": "y"})
    real_discover = fsio.discover

    def discover_then_delete(*args: Any, **kwargs: Any) -> fsio.Discovery:
        found = real_discover(*args, **kwargs)
        (root / "gone.md").unlink()
        return found

    monkeypatch.setattr(fsio, "discover", discover_then_delete)
    scan = read_vault(root, use_cache=False)
    assert [r.path for r in scan.records] == ["here.md"]
    assert [(w.path, w.kind) for w in scan.warnings] == [("gone.md", "vanished")]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this platform")
def test_fifo_named_like_a_note_is_a_warning_not_a_hang(make_vault: MakeVault) -> None:
    root = make_vault({"real.md": "x"})
    os.mkfifo(root / "x.md")
    scan = read_vault(root)
    assert [r.path for r in scan.records] == ["real.md"]
    assert [(w.path, w.kind) for w in scan.warnings] == [("x.md", "not-a-file")]
    assert "x.md" in scan.warnings[0].message


def test_symlink_out_of_the_vault_and_a_loop(tmp_path: Path, make_vault: MakeVault) -> None:
    if not _can_symlink(tmp_path):
        pytest.skip("symlinks are not available here")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "elsewhere.md").write_text("not in the vault")
    root = make_vault({"Sub/a.md": "# A\n", "b.md": "# B\n"})
    os.symlink(outside, root / "out", target_is_directory=True)
    os.symlink(outside / "elsewhere.md", root / "out-file.md")
    os.symlink(root / "Sub", root / "Sub" / "loop", target_is_directory=True)
    os.symlink(root, root / "Sub" / "to-root", target_is_directory=True)
    scan = read_vault(root)
    assert [r.path for r in scan.records] == ["Sub/a.md", "b.md"]  # nothing twice, nothing from outside
    assert sorted((w.path, w.kind) for w in scan.warnings) == [
        ("Sub/loop", "symlink"),
        ("Sub/to-root", "symlink"),
        ("out", "symlink"),
        ("out-file.md", "symlink"),
    ]
    for warning in scan.warnings:
        assert warning.path is not None and warning.path in warning.message


def test_symlink_to_a_folder_inside_the_vault_lists_its_notes_once(tmp_path: Path, make_vault: MakeVault) -> None:
    if not _can_symlink(tmp_path):
        pytest.skip("symlinks are not available here")
    root = make_vault({"Real/n.md": "x"})
    os.symlink(root / "Real", root / "A link", target_is_directory=True)
    scan = read_vault(root)
    assert [r.path for r in scan.records] == ["Real/n.md"]
    assert [(w.path, w.kind) for w in scan.warnings] == [("A link", "symlink")]


# Decoding --------------------------------------------------------------------------------


def test_bom_and_crlf_notes_decode_with_offsets_right(make_vault: MakeVault) -> None:
    crlf = "---\r\naliases: [Stef]\r\n---\r\n# Coffee chat\r\nMet [[Stefan Mai]].\r\n"
    root = make_vault({"bom.md": b"\xef\xbb\xbf# Title\nSee [[Other]]\n", "crlf.md": crlf})
    records = {r.path: r for r in read_vault(root).records}
    bom = records["bom.md"]
    assert bom.bom is True
    assert bom.parsed.headings[0].text == "Title" and bom.parsed.headings[0].start == 0
    text = "# Title\nSee [[Other]]\n"
    link = bom.parsed.links[0]
    assert text[link.start : link.end] == "[[Other]]"
    crlf_record = records["crlf.md"]
    assert crlf_record.bom is False and crlf_record.parsed.aliases == ("Stef",)
    heading = crlf_record.parsed.headings[0]
    assert heading.text == "Coffee chat" and crlf[heading.start : heading.end] == "# Coffee chat"
    link = crlf_record.parsed.links[0]
    assert crlf[link.start : link.end] == "[[Stefan Mai]]"


def test_decode_note_keeps_line_endings_and_drops_only_the_bom() -> None:
    note = fsio.decode_note("a.md", b"\xef\xbb\xbfline 1\r\nline 2\rline 3\n")
    assert not isinstance(note, Issue)
    assert note.text == "line 1\r\nline 2\rline 3\n" and note.bom is True
    assert note.size == len(b"\xef\xbb\xbfline 1\r\nline 2\rline 3\n")


def test_undecodable_warning_says_where() -> None:
    issue = fsio.decode_note("Sub/x.md", b"ok\nok\ncaf\xe9\n")
    assert isinstance(issue, Issue) and issue.kind == "undecodable"
    assert "Sub/x.md" in issue.message and "line 3" in issue.message


# The cache -------------------------------------------------------------------------------


def test_second_scan_reparses_nothing(vault: Path) -> None:
    first = read_vault(vault)
    assert first.reparsed == len(first.records) > 0
    scan_vault(vault)  # a full scan saves the cache
    second = read_vault(vault)
    assert second.reparsed == 0
    assert [r.path for r in second.records] == [r.path for r in first.records]
    assert [r.parsed for r in second.records] == [r.parsed for r in first.records]


def test_touch_without_change_reparses_nothing_and_a_change_reparses_one(make_vault: MakeVault) -> None:
    root = make_vault({"a.md": "# A\n[[b]]\n", "b.md": "# B\n", "c.md": "# C\n"})
    assert read_vault(root).reparsed == 3
    scan_vault(root)
    stat = (root / "a.md").stat()
    os.utime(root / "a.md", ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
    assert read_vault(root).reparsed == 0
    scan_vault(root)
    (root / "b.md").write_bytes(b"# B changed\n[[a]]\n")
    os.utime(root / "b.md", ns=(stat.st_atime_ns, stat.st_mtime_ns + 9_000_000_000))
    scan = read_vault(root)
    assert scan.reparsed == 1
    assert {r.path: r for r in scan.records}["b.md"].parsed.headings[0].text == "B changed"
    scan_vault(root)
    assert read_vault(root).reparsed == 0


def test_same_size_same_mtime_edit_is_the_one_blind_spot_of_the_cache(make_vault: MakeVault) -> None:
    """Documents the key: size and mtime. ``--no-cache`` is the way out."""
    root = make_vault({"a.md": "# One\n"})
    scan_vault(root)
    stat = (root / "a.md").stat()
    (root / "a.md").write_bytes(b"# Two\n")
    os.utime(root / "a.md", ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert read_vault(root).records[0].parsed.headings[0].text == "One"
    assert read_vault(root, use_cache=False).records[0].parsed.headings[0].text == "Two"


def test_no_cache_parses_everything_and_writes_no_cache(make_vault: MakeVault, cache_dir: Path) -> None:
    root = make_vault({"a.md": "x", "b.md": "y"})
    assert read_vault(root, use_cache=False).reparsed == 2
    scan_vault(root, use_cache=False)
    assert list(cache_dir.iterdir()) == []
    scan_vault(root)
    assert read_vault(root, use_cache=False).reparsed == 2


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(bytes(random.Random(7).randrange(256) for _ in range(4096)), id="random-bytes"),
        pytest.param(b"", id="empty"),
        pytest.param(pickle.dumps({"format": -1, "version": "0.0.0", "records": {}}), id="other-format"),
        pytest.param(pickle.dumps(["not", "a", "dict"]), id="not-a-mapping"),
        pytest.param(pickle.dumps({"format": fsio.CACHE_FORMAT, "version": "0.0.0-old", "records": {}}), id="old-version"),
        pytest.param(b"\x80\x05\x95garbage", id="truncated-pickle"),
    ],
)
def test_corrupt_or_foreign_cache_is_discarded(make_vault: MakeVault, content: bytes) -> None:
    root = make_vault({"a.md": "# A\n", "b.md": "# B\n"})
    cache = fsio.cache_path(root.resolve())
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_bytes(content)
    scan = read_vault(root)
    assert scan.reparsed == 2 and [r.path for r in scan.records] == ["a.md", "b.md"]
    assert scan.warnings == []
    assert scan_vault(root).warnings == ()
    assert read_vault(root).reparsed == 0  # and a good cache replaced it


@pytest.mark.parametrize("content", [b"\x80\x05\x95garbage", None], ids=["corrupt", "good"])
def test_loading_the_cache_leaves_the_cycle_collector_as_it_was(make_vault: MakeVault, content: bytes | None) -> None:
    """The collector is paused while the cache is unpickled, and on again after, even when it fails."""
    root = make_vault({"a.md": "# A\n"})
    scan_vault(root)
    if content is not None:
        fsio.cache_path(root.resolve()).write_bytes(content)
    assert gc.isenabled()
    assert read_vault(root).records[0].parsed.headings[0].text == "A"
    assert gc.isenabled() and gc.get_freeze_count() == 0  # what it made is collectable as usual
    gc.disable()
    try:
        read_vault(root)
        assert not gc.isenabled()  # a caller that paused it keeps it paused
    finally:
        gc.enable()


def test_parses_load_without_facts_and_facts_join_only_the_bytes_they_came_from(make_vault: MakeVault) -> None:
    root = make_vault({"a.md": "# A\nMet Stefan Mai at Google.\n", "b.md": "# B\nAlso Stefan Mai.\n"})
    scan_vault(root)
    assert all(r.facts is not None for r in read_vault(root).records)
    assert all(r.facts is None and not r.matches for r in read_vault(root, facts=False).records)
    cache = fsio.cache_path(root.resolve(), "facts")
    data = pickle.loads(cache.read_bytes())
    data["records"]["a.md"] = replace(data["records"]["a.md"], sha256="0" * 64)  # found in other bytes
    cache.write_bytes(pickle.dumps(data))
    records = {r.path: r for r in read_vault(root).records}
    assert records["a.md"].facts is None and records["b.md"].facts is not None


@pytest.mark.parametrize("content", [b"\x80\x05\x95garbage", b"", None], ids=["corrupt", "empty", "missing"])
def test_a_lost_facts_cache_means_extracting_again_with_the_same_result(
    make_vault: MakeVault, content: bytes | None
) -> None:
    root = make_vault({"a.md": "# A\nMet Stefan Mai at Google.\n", "b.md": "# B\nAlso Stefan Mai.\n"})
    scan_vault(root)
    expected = scan_vault(root, use_cache=False)
    cache = fsio.cache_path(root.resolve(), "facts")
    if content is None:
        cache.unlink()
    else:
        cache.write_bytes(content)
    fsio.cache_path(root.resolve(), "index").unlink()  # or the index cache answers alone
    scan = read_vault(root)
    assert scan.reparsed == 0 and all(r.facts is None for r in scan.records)
    assert scan_vault(root) == expected
    assert all(r.facts is not None for r in read_vault(root).records)  # and the facts are cached again


def test_cache_with_foreign_records_is_not_trusted(make_vault: MakeVault) -> None:
    root = make_vault({"a.md": "# A\n"})
    scan_vault(root)
    cache = fsio.cache_path(root.resolve())
    data = pickle.loads(cache.read_bytes())
    data["records"] = {"a.md": {"path": "a.md", "parsed": "forged"}}
    cache.write_bytes(pickle.dumps(data))
    scan = read_vault(root)
    assert scan.reparsed == 1 and scan.records[0].parsed.headings[0].text == "A"


def test_cache_lives_in_the_cache_dir_and_nothing_is_written_in_the_vault(vault: Path, cache_dir: Path) -> None:
    before = snapshot(vault)
    scan_vault(vault)
    scan_vault(vault)
    scan_vault(vault, use_cache=False)
    assert snapshot(vault) == before
    written = sorted(cache_dir.iterdir())
    assert written == sorted(fsio.cache_path(vault.resolve(), kind) for kind in ("facts", "index", "scan"))


def test_cache_path_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("VAULTLINK_CACHE_DIR", str(tmp_path / "elsewhere"))
    path = fsio.cache_path(Path("/some/vault"))
    assert path.parent == tmp_path / "elsewhere"
    assert fsio.cache_path(Path("/some/vault")) == path
    assert fsio.cache_path(Path("/other/vault")) != path


def test_default_cache_is_the_users_cache_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    from platformdirs import user_cache_dir

    monkeypatch.delenv("VAULTLINK_CACHE_DIR")
    path = fsio.cache_path(Path("/some/vault"))
    assert path.parent == Path(user_cache_dir("vaultlink", appauthor=False))


def test_unwritable_cache_is_a_warning(make_vault: MakeVault, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("the cache folder cannot be created under a file")
    monkeypatch.setenv("VAULTLINK_CACHE_DIR", str(blocker / "cache"))
    root = make_vault({"a.md": "x"})
    index = scan_vault(root)
    assert [n.path for n in index.notes] == ["a.md"]
    assert [w.kind for w in index.warnings] == ["cache"]


# The vault path ---------------------------------------------------------------------------


def test_missing_vault_and_file_as_vault_raise_vault_not_found(tmp_path: Path) -> None:
    from vaultlink.errors import VaultNotFound

    with pytest.raises(VaultNotFound, match="no such folder"):
        read_vault(tmp_path / "missing")
    (tmp_path / "file.md").write_text("x")
    with pytest.raises(VaultNotFound, match="not a folder"):
        read_vault(tmp_path / "file.md")


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX paths")
def test_paths_are_vault_relative_posix(make_vault: MakeVault) -> None:
    root = make_vault({"Deep/Er/Lunch & learn 🚀.md": "x"})
    index = scan_vault(root)
    assert [n.path for n in index.notes] == ["Deep/Er/Lunch & learn 🚀.md"]
    assert index.root == str(root.resolve())


def test_a_hand_edited_ignore_filter_string_is_one_filter(make_vault) -> None:  # type: ignore[no-untyped-def]
    root = make_vault(
        {
            ".obsidian/app.json": '{"userIgnoreFilters": "Templates/"}',
            "Templates/Chat.md": "x\n",
            "Tea notes.md": "x\n",
        }
    )
    assert [n.path for n in scan_vault(root, use_cache=False).notes] == ["Tea notes.md"]


def test_an_ignore_filter_setting_of_the_wrong_type_is_a_warning(make_vault) -> None:  # type: ignore[no-untyped-def]
    root = make_vault({".obsidian/app.json": '{"userIgnoreFilters": 3}', "a.md": "x\n"})
    index = scan_vault(root, use_cache=False)
    assert [n.path for n in index.notes] == ["a.md"]
    assert any("userIgnoreFilters" in w.message for w in index.warnings)


def test_a_note_unreadable_for_now_is_read_again_once_it_can_be(make_vault: MakeVault, monkeypatch: pytest.MonkeyPatch) -> None:
    # Fixing a file's permissions changes no size or mtime: a result with the warning is not kept.
    from vaultlink import memo

    root = make_vault({"locked.md": "Met Priya Nair at Stripe.", "open.md": "fine"})
    with monkeypatch.context() as patch:
        patch.setattr(fsio, "open", _refusing_open("locked.md"), raising=False)
        assert "unreadable: 1" in memo.scan_summary(root)
    assert "Warnings: none" in memo.scan_summary(root)
    assert [w.kind for w in scan_vault(root).warnings] == []
