"""Write the README's picture of the graph page: the sample vault, Stefan Mai's panel open.

Renders ``sample_vault/`` with the library, opens the page in headless Chromium (Debian's, as
in the browser tests), waits for the short physics run to settle, selects a person and saves
a PNG. Positions come from a seeded layout refined by vis-network, so two runs look alike but
are not pixel-identical.

Usage::

    python benchmarks/screenshot.py [--vault sample_vault] [--select person:stefan-mai] [--out docs/graph.png]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from chromium import launch  # benchmarks/chromium.py, beside this script
from vaultlink import api

REPO = Path(__file__).resolve().parent.parent


def take_screenshot(vault: Path, out: Path, select: str | None, width: int = 1400, height: int = 860) -> None:
    """Render ``vault``'s page, open it, select ``select`` (a node id) and write ``out``."""
    from playwright.sync_api import sync_playwright

    html = api.export_graph(api.scan_vault(vault, use_cache=False), "html").text
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        page_file = Path(folder) / "graph.html"
        page_file.write_text(html, encoding="utf-8")
        browser = launch(playwright)
        try:
            page = browser.new_page(viewport={"width": width, "height": height}, device_scale_factor=1)
            page.goto(page_file.as_uri())
            while not page.evaluate("window.vaultlink && vaultlink.ready && !network.physics.options.enabled"):
                page.wait_for_timeout(50)
            if select:
                page.evaluate(f"vaultlink.select({select!r}, false)")
            page.evaluate("network.fit({animation: false})")
            page.wait_for_timeout(300)
            out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(out))
        finally:
            browser.close()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--vault", type=Path, default=REPO / "sample_vault")
    parser.add_argument("--select", default="person:stefan-mai", help="node id whose panel is shown ('' for none)")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "graph.png")
    args = parser.parse_args(argv)
    take_screenshot(args.vault, args.out, args.select or None)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
