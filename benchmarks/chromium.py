"""Headless Chromium for the benchmark scripts, launched as ../shared/BROWSER.md-style machines need.

Debian's binary (``/usr/lib/chromium/chromium``, not the shell wrapper) when present, else a
``chromium`` on the PATH, else Playwright's own browser; the flags keep a root, offline machine
quiet. (The tests keep their own copy in ``tests/test_browser.py``: tests never import from
``benchmarks/``.)
"""

from __future__ import annotations

import os
import shutil
from typing import Any

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def launch(playwright: Any) -> Any:
    """A Chromium browser from a running ``sync_playwright()``."""
    debian = "/usr/lib/chromium/chromium"
    executable = debian if os.path.exists(debian) else shutil.which("chromium")
    return playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
