"""Lower bounds: how much of the cold-scan and link-planning bars the barest Python already costs.

Issue 2 asks a cold ``scan`` (with extraction) within 4x the floor, and issue 5 link planning
within 10x. These scripts do a small, necessary part of that work and nothing else, so their
ratios to the floor, measured in the same run, are what any pure-Python scanner or linker
spends before its first rule:

- **start-up**: ``import`` of vaultlink's scanning, extracting and linking modules;
- **front matter**: read every note and load its front matter block with PyYAML's C loader
  (the fastest YAML Python has; vaultlink parses with it too);
- **capitalised runs**: read every note, find every run of capitalised words (the candidate
  names a people-and-companies extractor must look at) with one regex, and make one trivial test
  of each; no rule, no gazetteer, no topic, no advice;
- **bare scanner**: the three above in one process, each note read once: the least a cold
  ``scan`` with extraction costs, before parsing links, spans, headings or dates;
- **bare linker**: read and hash every note (the writer must refuse a note changed since it was
  read), find every vault name (hub notes and the gazetteer) with one Aho-Corasick automaton,
  check word boundaries, and print a two-line diff for the first hit of each name in each note;
  no protected span, no hub block, no rule.

Usage::

    python benchmarks/bounds.py [--size 10000] [--repeats 3] [--seed 1]

The vault is the one ``bench_scan.py`` generates (``benchmarks/out/vault-SIZE-seedSEED``).
Each bound runs in a fresh subprocess (``bounds.py --run NAME VAULT``), best of ``--repeats``.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import sys
from collections.abc import Iterator

from bench_scan import BENCH_DIR, COLD_BAR, LINK_BAR, REPO_DIR, Measurement, ensure_vault, measure

CAPITALISED_RUN = re.compile(r"\b[A-Z][\w'&.-]*(?:[ \t]+[A-Z][\w'&.-]*)*")
HUB_FOLDERS = ("People", "Companies", "Topics")
GAZETTEER = REPO_DIR / "vaultlink" / "data" / "companies.tsv"

# bound: (what it shows, the bar it eats into, that bar's limit)
BOUNDS = {
    "start-up": ("import vaultlink's scan, extraction and link modules", "cold", COLD_BAR),
    "front matter": ("read + YAML front matter (C loader) of every note", "cold", COLD_BAR),
    "capitalised runs": ("read + one regex for every capitalised run + one test each", "cold", COLD_BAR),
    "bare scanner": ("start-up + read + front matter + capitalised runs, in one pass", "cold", COLD_BAR),
    "bare linker": ("read + sha256 + one automaton + boundary checks + a diff line per name", "link", LINK_BAR),
}


def notes_of(root: str) -> Iterator[str]:
    """The paths of the vault's ``.md`` files, dot-folders skipped (as the floor walks it)."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            if name.endswith(".md"):
                yield os.path.join(dirpath, name)


FRONT_MATTER = re.compile(r"\A(?:\ufeff)?---[ \t]*\r?\n(.*?)^---[ \t]*$", re.DOTALL | re.MULTILINE)


def run_start_up(root: str) -> int:
    import vaultlink.api  # noqa: F401
    import vaultlink.extract  # noqa: F401
    import vaultlink.linker  # noqa: F401

    return 0


def front_matter(text: str, loader: type) -> object:
    """The note's YAML front matter, loaded; None when it has none or it is broken."""
    import yaml

    block = FRONT_MATTER.match(text)
    if block is None:
        return None
    try:
        return yaml.load(block.group(1), Loader=loader)  # noqa: S506 - a safe loader
    except yaml.YAMLError:
        return None


def capitalised_runs(text: str) -> int:
    """How many capitalised runs of two characters or more the text holds."""
    return sum(1 for match in CAPITALISED_RUN.finditer(text) if len(match.group()) > 1)


def read_text(path: str) -> str:
    with open(path, encoding="utf-8", errors="replace") as fh:
        return fh.read()


def run_front_matter(root: str) -> int:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return sum(front_matter(read_text(path), loader) is not None for path in notes_of(root))


def run_capitalised_runs(root: str) -> int:
    return sum(capitalised_runs(read_text(path)) for path in notes_of(root))


def run_bare_scanner(root: str) -> int:
    import yaml

    run_start_up(root)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    runs = 0
    for path in notes_of(root):
        text = read_text(path)
        front_matter(text, loader)
        runs += capitalised_runs(text)
    return runs


def run_bare_linker(root: str) -> int:
    import ahocorasick

    names: set[str] = set()
    for folder in HUB_FOLDERS:
        hubs = os.path.join(root, folder)
        if os.path.isdir(hubs):
            names.update(name[:-3].lower() for name in os.listdir(hubs) if name.endswith(".md"))
    with open(GAZETTEER, encoding="utf-8") as fh:
        for row in fh.read().splitlines()[1:]:
            name, aliases = row.split("\t")[:2]
            names.update(n.strip().lower() for n in [name, *aliases.split("|")] if n.strip())
    automaton = ahocorasick.Automaton()
    for name in names:
        automaton.add_word(name, len(name))
    automaton.make_automaton()
    out = sys.stdout
    lines = 0
    for path in notes_of(root):
        with open(path, "rb") as fh:
            data = fh.read()
        hashlib.sha256(data).hexdigest()
        text = data.decode("utf-8", errors="replace")
        size = len(text)
        first: dict[str, int] = {}
        for last, length in automaton.iter(text.lower()):
            begin, end = last - length + 1, last + 1
            if (begin > 0 and text[begin - 1].isalnum()) or (end < size and text[end].isalnum()):
                continue
            first.setdefault(text[begin:end].lower(), begin)
        for name, at in first.items():
            start, stop = text.rfind("\n", 0, at) + 1, text.find("\n", at)
            stop = size if stop < 0 else stop
            end = at + len(name)
            out.write(f"-{text[start:stop]}\n+{text[start:at]}[[{text[at:end]}]]{text[end:stop]}\n")
            lines += 1
    return lines


RUNNERS = {
    "start-up": run_start_up,
    "front matter": run_front_matter,
    "capitalised runs": run_capitalised_runs,
    "bare scanner": run_bare_scanner,
    "bare linker": run_bare_linker,
}


def main(argv: list[str] | None = None) -> int:
    """Measure the floor and every bound on one vault; print seconds, ratios and bar shares."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10_000, help="notes in the synthetic vault (default 10000)")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each, best kept (default 3)")
    parser.add_argument("--seed", type=int, default=1, help="vault generator seed (default 1)")
    parser.add_argument("--run", nargs=2, metavar=("BOUND", "VAULT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.run:
        bound, vault = args.run
        print(f"{bound}: {RUNNERS[bound](vault)}", file=sys.stderr)
        return 0
    vault = ensure_vault(args.size, args.seed)
    floor = measure(args.size, "floor", [sys.executable, str(BENCH_DIR / "floor.py"), str(vault)],
                    repeats=args.repeats)
    results: list[Measurement] = [floor]
    for bound in BOUNDS:
        command = [sys.executable, str(BENCH_DIR / "bounds.py"), "--run", bound, str(vault)]
        results.append(measure(args.size, bound, command, repeats=args.repeats))
    print(f"{'bound':<18} {'seconds':>8} {'x floor':>8}  share of its bar  what it does")
    for m in results:
        if m.seconds is None or floor.seconds is None:
            print(f"{m.tool:<18} {m.status.upper():>8}  {m.note}")
            continue
        ratio = m.seconds / floor.seconds
        if m.tool in BOUNDS:
            what, bar, limit = BOUNDS[m.tool]
            share = f"{ratio / limit:6.0%} of {bar} {limit:g}x"
        else:
            what, share = "walk, read, one wikilink regex", ""
        print(f"{m.tool:<18} {m.seconds:8.3f} {ratio:8.2f}  {share:<16}  {what}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
