"""The writer: atomic writes that refuse stale files, the journal, and undo that restores bytes."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from conftest import MakeVault, snapshot

from vaultlink import api, writer
from vaultlink.errors import JournalError, WriteRefused
from vaultlink.writer import Change, list_runs, undo_run, write_changes

ORIGINAL = {
    "Chats/a.md": "Stefan Mai at Amazon.\n",
    "Chats/b.md": b"\xef\xbb\xbfBOM note\r\nwith CRLF",
    "c.md": "third\n",
}


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def change(root: Path, rel: str, new: bytes) -> Change:
    return Change(rel, new, sha((root / rel).read_bytes()))


def notes_only(root: Path) -> dict[str, bytes | None]:
    """Every file and folder of the vault except the journal."""
    return {k: v for k, v in snapshot(root).items() if not k.startswith(".vaultlink")}


def temp_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name.startswith(".vaultlink-") or p.suffix == ".tmp"]


def test_write_replaces_files_keeps_mode_and_journals(make_vault: MakeVault) -> None:
    root = make_vault(ORIGINAL)
    os.chmod(root / "c.md", 0o640)
    report = write_changes(
        root,
        [change(root, "Chats/a.md", b"[[Stefan Mai]] at Amazon.\n"), change(root, "c.md", b"3rd\n"),
         Change("People/Stefan Mai.md", b"# Stefan Mai\n", None)],
        command="link",
    )
    assert report.written == ("Chats/a.md", "c.md") and report.created == ("People/Stefan Mai.md",)
    assert report.refused == ()
    assert (root / "Chats/a.md").read_bytes() == b"[[Stefan Mai]] at Amazon.\n"
    assert stat.S_IMODE((root / "c.md").stat().st_mode) == 0o640
    assert (root / "People/Stefan Mai.md").read_bytes() == b"# Stefan Mai\n"
    journal = json.loads((root / ".vaultlink/runs" / report.run_id / "journal.json").read_text())  # type: ignore[operator]
    assert journal["status"] == "complete" and journal["command"] == "link" and journal["dirs"] == ["People"]
    backup = root / ".vaultlink/runs" / report.run_id / journal["files"][0]["backup"]  # type: ignore[operator]
    assert backup.read_bytes() == b"Stefan Mai at Amazon.\n"
    assert temp_files(root) == []


def test_a_file_changed_since_it_was_read_is_refused_and_the_others_are_written(make_vault: MakeVault) -> None:
    root = make_vault(ORIGINAL)
    stale = change(root, "Chats/a.md", b"linked\n")
    (root / "Chats/a.md").write_bytes(b"Obsidian saved this meanwhile\n")
    report = write_changes(root, [stale, change(root, "c.md", b"3rd\n")])
    assert [i.path for i in report.refused] == ["Chats/a.md"]
    assert "changed since it was read" in report.refused[0].message
    assert (root / "Chats/a.md").read_bytes() == b"Obsidian saved this meanwhile\n"
    assert (root / "c.md").read_bytes() == b"3rd\n"


def test_a_file_changed_just_before_its_replace_is_refused(make_vault: MakeVault, monkeypatch: pytest.MonkeyPatch) -> None:
    """The hash is taken again right before each replace, after the journal is written."""
    root = make_vault(ORIGINAL)
    changes = [change(root, "Chats/a.md", b"new a\n"), change(root, "c.md", b"new c\n")]
    real = writer._save_journal

    def save_then_edit(*args: object, **kwargs: object) -> None:
        real(*args, **kwargs)  # type: ignore[arg-type]
        if not (root / "c.md").read_bytes().startswith(b"edited"):
            (root / "c.md").write_bytes(b"edited in Obsidian\n")

    monkeypatch.setattr(writer, "_save_journal", save_then_edit)
    report = write_changes(root, changes)
    assert [i.path for i in report.refused] == ["c.md"]
    assert (root / "c.md").read_bytes() == b"edited in Obsidian\n"
    assert (root / "Chats/a.md").read_bytes() == b"new a\n"
    undo = undo_run(root)  # the refused file is not the run's: undo leaves it alone
    assert undo.restored == ("Chats/a.md",)
    assert (root / "c.md").read_bytes() == b"edited in Obsidian\n"


def test_a_new_file_never_overwrites_one_that_appeared(make_vault: MakeVault) -> None:
    root = make_vault(ORIGINAL)
    report = write_changes(root, [Change("c.md", b"hub\n", None)])
    assert [i.path for i in report.refused] == ["c.md"] and report.run_id is None
    assert (root / "c.md").read_bytes() == b"third\n"


@pytest.mark.parametrize("rel", ["../outside.md", "/etc/x.md", "a/../../x.md", ".obsidian/app.json", "a\\b.md"])
def test_paths_outside_the_vault_are_refused(make_vault: MakeVault, rel: str) -> None:
    root = make_vault(ORIGINAL)
    report = write_changes(root, [Change(rel, b"x", None)])
    assert [i.path for i in report.refused] == [rel]
    assert not (root.parent / "outside.md").exists() and not (root / ".obsidian").exists()


@pytest.mark.parametrize("failing", ["replace", "write"])
def test_a_failure_mid_write_leaves_the_old_file_whole_and_no_temp_file(
    make_vault: MakeVault, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    root = make_vault(ORIGINAL)
    before = notes_only(root)
    changes = [change(root, "Chats/a.md", b"new a\n"), change(root, "Chats/b.md", b"new b\n"), change(root, "c.md", b"new c\n")]
    target = str(root / "Chats/b.md")
    if failing == "replace":
        real_replace = os.replace

        def replace(src: str, dst: str) -> None:
            if str(dst) == target:
                raise OSError(28, "No space left on device")
            real_replace(src, dst)

        monkeypatch.setattr(writer.os, "replace", replace)
    else:
        real_fdopen = os.fdopen

        class FailingFile:
            def __init__(self, handle: Any) -> None:
                self.handle = handle

            def __enter__(self) -> "FailingFile":
                return self

            def __exit__(self, *exc: object) -> None:
                self.handle.close()

            def write(self, data: bytes) -> int:
                if data == b"new b\n":
                    self.handle.write(data[:3])  # a partial write, then the disk fills up
                    raise OSError(28, "No space left on device")
                return int(self.handle.write(data))

            def flush(self) -> None:
                self.handle.flush()

            def fileno(self) -> int:
                return int(self.handle.fileno())

        monkeypatch.setattr(writer.os, "fdopen", lambda fd, mode="r": FailingFile(real_fdopen(fd, mode)))
    with pytest.raises(WriteRefused, match="Chats/b.md: could not be written"):
        write_changes(root, changes)
    assert (root / "Chats/b.md").read_bytes() == before["Chats/b.md"]
    assert (root / "Chats/a.md").read_bytes() == b"new a\n"  # written before the failure
    assert (root / "c.md").read_bytes() == before["c.md"]  # the run stopped
    assert temp_files(root) == []
    monkeypatch.undo()
    assert list_runs(root)[0].status == "failed"
    undo_run(root)
    assert notes_only(root) == before


def test_undo_restores_every_byte_and_deletes_created_files(make_vault: MakeVault) -> None:
    root = make_vault(ORIGINAL)
    before = notes_only(root)
    write_changes(
        root,
        [change(root, rel, b"changed " + rel.encode()) for rel in ORIGINAL]
        + [Change("People/Deep/New hub.md", b"hub\n", None), Change("c2.md", b"new\n", None)],
    )
    assert notes_only(root) != before
    report = undo_run(root)
    assert sorted(report.restored) == sorted(ORIGINAL) and sorted(report.deleted) == ["People/Deep/New hub.md", "c2.md"]
    assert notes_only(root) == before  # bytes, and no folder left behind
    assert list_runs(root)[0].status == "undone"
    with pytest.raises(JournalError, match="no vaultlink run to undo"):
        undo_run(root)


def test_undo_goes_back_one_run_at_a_time(make_vault: MakeVault) -> None:
    root = make_vault(ORIGINAL)
    first = notes_only(root)
    write_changes(root, [change(root, "c.md", b"one\n")])
    second = notes_only(root)
    write_changes(root, [change(root, "c.md", b"two\n")])
    assert [r.status for r in list_runs(root)] == ["complete", "complete"]
    undo_run(root)
    assert notes_only(root) == second
    undo_run(root)
    assert notes_only(root) == first


def test_undo_refuses_a_file_edited_since_unless_forced(make_vault: MakeVault) -> None:
    root = make_vault(ORIGINAL)
    write_changes(root, [change(root, "c.md", b"linked\n"), change(root, "Chats/a.md", b"linked a\n"),
                         Change("New.md", b"hub\n", None)])
    (root / "c.md").write_bytes(b"the user kept writing\n")
    with pytest.raises(WriteRefused, match="c.md: edited since run"):
        undo_run(root)
    assert (root / "Chats/a.md").read_bytes() == b"linked a\n"  # all or nothing: nothing was undone
    assert (root / "New.md").exists()
    report = undo_run(root, force=True)
    assert report.forced == ("c.md",)
    assert (root / "c.md").read_bytes() == b"third\n" and not (root / "New.md").exists()
    kept = list((root / ".vaultlink/runs" / report.run_id / "files").glob("*.edited"))
    assert [p.read_bytes() for p in kept] == [b"the user kept writing\n"]


def test_undo_of_a_file_deleted_since_the_run_needs_force(make_vault: MakeVault) -> None:
    root = make_vault(ORIGINAL)
    write_changes(root, [change(root, "c.md", b"linked\n")])
    (root / "c.md").unlink()
    with pytest.raises(WriteRefused):
        undo_run(root)
    undo_run(root, force=True)
    assert (root / "c.md").read_bytes() == b"third\n"


def test_a_broken_journal_is_an_error_not_a_guess(make_vault: MakeVault) -> None:
    root = make_vault(ORIGINAL)
    report = write_changes(root, [change(root, "c.md", b"linked\n")])
    (root / ".vaultlink/runs" / report.run_id / "journal.json").write_text("{not json")  # type: ignore[operator]
    with pytest.raises(JournalError, match="cannot be read"):
        undo_run(root)
    assert list_runs(root) == []


def test_a_symlinked_note_is_written_through(make_vault: MakeVault) -> None:
    root = make_vault({"real/n.md": "Amazon\n"})
    (root / "link.md").symlink_to(root / "real/n.md")
    write_changes(root, [change(root, "link.md", b"[[Amazon]]\n")])
    assert (root / "link.md").is_symlink()
    assert (root / "real/n.md").read_bytes() == b"[[Amazon]]\n"
    undo_run(root)
    assert (root / "real/n.md").read_bytes() == b"Amazon\n" and (root / "link.md").is_symlink()


def test_the_journal_is_a_dot_folder_no_scan_reads(make_vault: MakeVault) -> None:
    root = make_vault(ORIGINAL)
    write_changes(root, [change(root, "c.md", b"linked\n")])
    assert (root / ".vaultlink/runs").is_dir()
    index = api.scan_vault(root, use_cache=False)
    assert sorted(n.path for n in index.notes) == sorted(ORIGINAL)
    assert not any(".vaultlink" in a for a in index.attachments)
