"""Shared fixtures: a private copy of the sample vault, a vault builder, and an isolated cache."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Callable, Mapping

import pytest

REPO = Path(__file__).resolve().parent.parent
SAMPLE_VAULT = REPO / "sample_vault"

MakeVault = Callable[[Mapping[str, "str | bytes"]], Path]


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own scan cache folder, so no test reads or writes the user's cache."""
    cache = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("VAULTLINK_CACHE_DIR", str(cache))
    return cache


@pytest.fixture
def cache_dir(_isolated_cache: Path) -> Path:
    """The folder ``VAULTLINK_CACHE_DIR`` points at during this test."""
    return _isolated_cache


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    """A copy of ``sample_vault/`` under ``tmp_path``: tests may change it freely."""
    if not SAMPLE_VAULT.is_dir():
        pytest.skip("sample_vault/ is not in this checkout")
    target = tmp_path / "sample_vault"
    shutil.copytree(SAMPLE_VAULT, target, symlinks=True)
    return target


@pytest.fixture
def make_vault(tmp_path: Path) -> MakeVault:
    """Build a vault from ``{relative_path: str | bytes}``; str is written as UTF-8, byte for byte.

    No newline translation happens, so ``"a\\r\\nb"`` lands on disk as CR LF on every platform.
    Calling it again adds a fresh vault (``vault2``, ``vault3``…) beside the first.
    """
    made = 0

    def build(files: Mapping[str, str | bytes]) -> Path:
        nonlocal made
        made += 1
        root = tmp_path / ("vault" if made == 1 else f"vault{made}")
        root.mkdir()
        for rel, content in files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        return root

    return build


def snapshot(root: Path) -> dict[str, bytes | None]:
    """Every entry under ``root`` (dot-folders included) with its bytes; None for folders."""
    out: dict[str, bytes | None] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_symlink() or not (path.is_file() or path.is_dir()):
            out[rel] = None
        else:
            out[rel] = None if path.is_dir() else path.read_bytes()
    return out
