"""The floor: the least work any vault scanner must do.

Walks the vault (skipping dot-folders), reads every ``.md`` file as UTF-8 with
``errors="replace"``, runs one wikilink regex over each, and prints the counts.
This is what a user's own ten-line script costs; ``bench_scan.py`` divides
every other tool's time by it.

Usage::

    python benchmarks/floor.py VAULT
"""

from __future__ import annotations

import os
import re
import sys

WIKILINK = re.compile(r"\[\[([^\]|#]+)")


def scan_floor(root: str) -> tuple[int, int]:
    """Return (notes read, wikilinks found) for the vault at ``root``."""
    notes = links = 0
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            if name.endswith(".md"):
                with open(os.path.join(dirpath, name), encoding="utf-8", errors="replace") as fh:
                    links += len(WIKILINK.findall(fh.read()))
                notes += 1
    return notes, links


def main(argv: list[str]) -> int:
    """Print ``notes=N links=M`` for the vault named on the command line."""
    if len(argv) != 1:
        print("usage: floor.py VAULT", file=sys.stderr)
        return 2
    notes, links = scan_floor(argv[0])
    print(f"notes={notes} links={links}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
