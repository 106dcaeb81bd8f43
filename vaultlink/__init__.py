"""vaultlink: find the people, companies and advice in conversation notes, graph them, link them."""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"
__all__ = ["__version__", "read_vault", "scan_vault"]


def __getattr__(name: str) -> Any:
    """``vaultlink.scan_vault`` and ``vaultlink.read_vault``, imported on first use.

    Importing the library loads the extractor's tables and patterns; a command answered from the
    cache (a warm ``vaultlink scan``) never needs them, so the package itself stays light.
    """
    if name in ("read_vault", "scan_vault"):
        from vaultlink import api

        return getattr(api, name)
    try:
        return importlib.import_module(f"vaultlink.{name}")  # ``vaultlink.api`` without importing it first
    except ModuleNotFoundError as missing:
        if missing.name != f"vaultlink.{name}":
            raise  # a dependency of a real module is missing: say so
        raise AttributeError(f"module 'vaultlink' has no attribute {name!r}") from None
