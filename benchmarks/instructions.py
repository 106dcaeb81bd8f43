"""Count the instructions link planning executes: for changes too small for this machine's clock.

Wall times on the shared 2-core machine swing by a third within minutes, and even alternating two
versions run after run leaves an order effect, so a change worth a few percent cannot be timed.
Valgrind's cachegrind counts the machine instructions a process executes, and with
``PYTHONHASHSEED`` fixed the count is the same on every run to within 0.1% (the cache folder's
random name is what still changes).

For each checkout given, the script fills a cache with ``vaultlink scan`` (``PYTHONPATH`` set to
the checkout, a ``VAULTLINK_CACHE_DIR`` of its own), then runs link planning on the bench vault
twice under cachegrind, in one process (no pool, no reader: cachegrind would count each fork
apart): ``api.plan_links`` for a dry run, with its diffs, once with ``plan_vault`` stubbed out
(start-up, discovery, loading the index and the parses, reading the notes) and once whole. The
difference is planning's count. Instructions are not time (a cache miss costs more than an add), so a change that saves
few instructions may still save no time; but one that adds instructions costs CPU everywhere.

Usage::

    python benchmarks/instructions.py [--size 1000] [--seed 1] [CHECKOUT ...]

Each ``CHECKOUT`` is a vaultlink source tree (default: this one); the first is the baseline the
others are compared with. Needs valgrind (``apt install valgrind``); without it the script says
so and exits 2. A 1,000-note vault takes about a minute a checkout.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_scan import BENCH_DIR, REPO_DIR, ensure_vault

PHASES = ("setup", "plan")
_REFS = re.compile(r"I\s+refs:\s+([\d,]+)")


def run_phase(phase: str, vault: str) -> None:
    """In the process valgrind counts: ``vaultlink link``'s dry run, its diffs made but not
    printed; for ``setup``, with ``plan_vault`` stubbed out, so only what comes before it runs."""
    from vaultlink import api, linker
    from vaultlink.diff import iter_diffs

    api._pool_size = lambda count: 1  # one process: no pool worker, no forked reader
    if phase == "setup":
        linker.plan_vault = lambda *args, **kwargs: linker.LinkPlan(root=vault, changes=())
    plan = api.plan_links(vault, diffs=True)
    sum(len(diff) for diff in iter_diffs(plan.changes))


def count(checkout: Path, phase: str, vault: Path, cache: Path) -> int:
    """The instructions one phase executes with ``checkout``'s vaultlink."""
    env = {**os.environ, "PYTHONPATH": str(checkout), "VAULTLINK_CACHE_DIR": str(cache), "PYTHONHASHSEED": "0"}
    command = [
        "valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
        sys.executable, str(BENCH_DIR / "instructions.py"), "--run", phase, str(vault),
    ]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    found = _REFS.findall(done.stderr)
    if done.returncode != 0 or len(found) != 1:
        raise SystemExit(f"{checkout}: the {phase} run failed (exit {done.returncode}):\n{done.stderr[-2000:]}")
    return int(found[0].replace(",", ""))


def main(argv: list[str] | None = None) -> int:
    """Count set-up and planning instructions for each checkout and print them side by side."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checkouts", nargs="*", type=Path, help="vaultlink source trees (default: this one)")
    parser.add_argument("--size", type=int, default=1000, help="notes in the synthetic vault (default 1000)")
    parser.add_argument("--seed", type=int, default=1, help="vault generator seed (default 1)")
    parser.add_argument("--run", nargs=2, metavar=("PHASE", "VAULT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.run:
        run_phase(*args.run)
        return 0
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (apt install valgrind): nothing counted", file=sys.stderr)
        return 2
    vault = ensure_vault(args.size, args.seed)
    rows: list[tuple[str, int, int]] = []
    for checkout in args.checkouts or [REPO_DIR]:
        checkout = checkout.resolve()
        with tempfile.TemporaryDirectory(prefix="vaultlink-instructions-") as cache:
            env = {**os.environ, "PYTHONPATH": str(checkout), "VAULTLINK_CACHE_DIR": cache}
            # from the cache folder: ``-m`` puts the working folder before PYTHONPATH
            subprocess.run([sys.executable, "-m", "vaultlink", "scan", str(vault)], env=env, check=True,
                           stdout=subprocess.DEVNULL, cwd=cache)
            setup, through = (count(checkout, phase, vault, Path(cache)) for phase in PHASES)
        rows.append((str(checkout), setup, through - setup))
        print(f"{checkout}: set-up {setup:,}, planning {through - setup:,}", file=sys.stderr)
    base = rows[0]
    print(f"{'checkout':<40} {'set-up':>15} {'planning':>15} {'planning vs first':>18}")
    for name, setup, planning in rows:
        print(f"{name[-40:]:<40} {setup:>15,} {planning:>15,} {planning / base[2] - 1:>+17.2%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
