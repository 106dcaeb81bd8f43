"""Answers kept under a stamp of the vault, for commands whose inputs did not change.

When no note, setting or config changed since the last run (the stamp of
:func:`vaultlink.fsio.vault_stamp` is equal), ``vaultlink scan`` prints the summary it printed
then. The check is a walk of the vault's sizes and mtimes and one small file read: it costs
about what a plain read of the notes does, where unpickling the whole index and importing the
extractor's tables cost seconds on a big vault. Nothing heavy is imported here until it is needed.
"""

from __future__ import annotations

import os
from typing import Callable, Sequence

from vaultlink import __version__, fsio


def scan_summary(
    path: str | os.PathLike[str],
    *,
    use_cache: bool = True,
    ignore: Sequence[str] = (),
    progress: Callable[[int, int], None] | None = None,
) -> str:
    """The human summary of ``vaultlink scan``: the kept one when the vault is unchanged."""
    discovery = fsio.discover_vault(path, ignore)
    stamp = fsio.vault_stamp(discovery, ignore, fsio.MAX_NOTE_BYTES) if use_cache else ""
    kept = fsio.load_stamped(discovery.root, __version__, "summary", stamp, str) if use_cache else None
    if kept is not None:
        return kept  # type: ignore[no-any-return]
    from vaultlink import api
    from vaultlink.document import summarize

    index = api.scan_vault(path, use_cache=use_cache, ignore=ignore, progress=progress, discovery=discovery)
    text = summarize(index)
    if use_cache:
        fsio.save_stamped(discovery.root, __version__, "summary", stamp, text, index.warnings)
    return text
