"""Benchmark ``vaultlink scan`` against the floor and against obsidiantools.

For each vault size, in one run:

1. generate a synthetic vault under ``benchmarks/out/`` (reused while its
   stamp file matches the generator and the arguments);
2. time, each run in a fresh subprocess:
   (a) the floor (``floor.py``: walk, read, one regex),
   (b) ``vaultlink scan VAULT --no-cache`` (cold: discovery, parsing, extraction, resolution),
   (c) ``vaultlink scan VAULT`` (and ``--json``) after one ``vaultlink scan VAULT`` has
       filled the cache (warm),
   (d) obsidiantools, ``Vault(path).connect().gather()``, in its own venv
       ``benchmarks/.venv-peers``, under a timeout;
3. print a table (seconds, ratio to the floor, peak RSS) and the bars with
   PASS/FAIL, and write everything to ``benchmarks/out/scan-results.json``.

Peak memory comes from ``os.wait4``'s ``ru_maxrss`` (KiB on Linux) of each
subprocess. Each size gets its own ``VAULTLINK_CACHE_DIR`` in a temporary
directory, and every cold run a fresh one, so no run sees another's cache.

Usage::

    python benchmarks/bench_scan.py [--sizes 1000,10000] [--repeats 3]
                                    [--peer-timeout 900] [--no-peer]
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

from make_vault import GENERATOR_VERSION, make_vault, summarize_vault

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
OUT_DIR = BENCH_DIR / "out"
PEER_VENV = BENCH_DIR / ".venv-peers"
PEER_REQUIREMENT = "obsidiantools==0.11.0"
RESULTS_FILE = OUT_DIR / "scan-results.json"
SEED = 1

COLD_BAR = 4.0
WARM_BAR = 1.5
LINK_BAR = 10.0  # issue 5: planning links <= 10x the floor
RSS_BAR_MB = 500.0
RSS_BAR_FROM_SIZE = 10_000

PEER_SNIPPET = """\
import sys
from pathlib import Path
import obsidiantools.api as otools
vault = otools.Vault(Path(sys.argv[1])).connect().gather()
print(len(vault.md_file_index), vault.graph.number_of_edges())
"""

Status = Literal["ok", "failed", "timeout", "skipped"]


@dataclass(frozen=True)
class Run:
    """One measured subprocess."""

    seconds: float
    peak_rss_kib: int
    returncode: int | None
    """``None`` when the run was killed at its timeout."""
    stderr_tail: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0


@dataclass
class Measurement:
    """The best of a tool's runs at one vault size, ready for the table."""

    size: int
    tool: str
    status: Status
    seconds: float | None = None
    runs: list[float] = field(default_factory=list)
    peak_rss_mb: float | None = None
    ratio: float | None = None
    note: str = ""
    paired: list[float] = field(default_factory=list)  # each run over the floor run just before it


@dataclass(frozen=True)
class Bar:
    """One target with its verdict: PASS, FAIL or SKIP."""

    size: int
    name: str
    verdict: str
    detail: str


@dataclass(frozen=True)
class Tool:
    """How to run a tool, or why it cannot be run."""

    command: list[str]
    available: bool
    reason: str = ""
    version: str = ""


def run_measured(cmd: list[str], *, env: dict[str, str] | None = None,
                 timeout: float | None = None) -> Run:
    """Run ``cmd`` with stdout to /dev/null; return wall time and peak RSS.

    The child runs in its own session so that a timeout kills its whole
    process group. It is reaped with ``os.wait4`` (not ``Popen.wait``) to get
    its resource usage.
    """
    killed = threading.Event()
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
                                env=env, cwd=REPO_DIR, start_new_session=True)
        timer = None
        if timeout is not None:
            timer = threading.Timer(timeout, _kill_group, (proc.pid, killed))
            timer.daemon = True
            timer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        if timer is not None:
            timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        tail = err.read()[-4000:].decode("utf-8", errors="replace")
    code = None if killed.is_set() else proc.returncode
    return Run(seconds, usage.ru_maxrss, code, tail)


def _kill_group(pid: int, killed: threading.Event) -> None:
    killed.set()
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


class EnvFactory:
    """Makes environments whose ``VAULTLINK_CACHE_DIR`` is a new empty folder."""

    def __init__(self, base: dict[str, str], parent: Path) -> None:
        self.base = base
        self.parent = parent
        self.count = 0

    def __call__(self) -> dict[str, str]:
        self.count += 1
        cache = self.parent / f"cold-{self.count}"
        cache.mkdir()
        return {**self.base, "VAULTLINK_CACHE_DIR": str(cache)}


def measure(size: int, tool: str, cmd: list[str], *, repeats: int, env: dict[str, str] | None = None,
            timeout: float | None = None, fresh_env: EnvFactory | None = None) -> Measurement:
    """Run ``cmd`` ``repeats`` times and keep the fastest; stop at the first failure.

    ``fresh_env``, if given, makes the environment of each repeat (a fresh cache
    directory for cold runs). Peak RSS is the largest of all repeats.
    """
    runs: list[Run] = []
    for _ in range(repeats):
        run = run_measured(cmd, env=fresh_env() if fresh_env else env, timeout=timeout)
        runs.append(run)
        if run.returncode is None:
            _progress(f"[{size}] {tool}: killed after {timeout:.0f} s")
            return Measurement(size, tool, "timeout", seconds=timeout, runs=[r.seconds for r in runs],
                               peak_rss_mb=_mb(max(r.peak_rss_kib for r in runs)),
                               note=f"timed out after {timeout:.0f} s")
        if not run.ok:
            reason = _last_line(run.stderr_tail) or f"exit code {run.returncode}"
            _progress(f"[{size}] {tool}: FAILED (exit {run.returncode}): {reason}")
            return Measurement(size, tool, "failed", runs=[r.seconds for r in runs],
                               note=f"exit {run.returncode}: {reason}")
    best = min(r.seconds for r in runs)
    m = Measurement(size, tool, "ok", seconds=best, runs=[r.seconds for r in runs],
                    peak_rss_mb=_mb(max(r.peak_rss_kib for r in runs)),
                    note=f"best of {len(runs)}" if len(runs) > 1 else "")
    _progress(f"[{size}] {tool}: {best:.3f} s, {m.peak_rss_mb:.0f} MB")
    return m


def measure_paired(size: int, tool: str, cmd: list[str], floor_cmd: list[str], *, repeats: int,
                   env: dict[str, str] | None = None) -> Measurement:
    """:func:`measure`, each run right after a run of the floor, and divided by it too.

    The machine's speed drifts by a third within minutes here, and the floor, measured once at the
    start, may have met a slow stretch or a fast one: a run over the floor run just before it
    shares its stretch. The best of the runs is kept, as by :func:`measure`.
    """
    runs: list[Measurement] = []
    paired: list[float] = []
    for _ in range(repeats):
        floor = run_measured(floor_cmd, env=env)
        run = measure(size, tool, cmd, repeats=1, env=env)
        if run.status != "ok" or run.seconds is None:
            return run
        runs.append(run)
        if floor.ok:
            paired.append(run.seconds / floor.seconds)
    best = min(runs, key=lambda m: m.seconds or 0.0)
    best.runs = [m.seconds for m in runs if m.seconds is not None]
    best.peak_rss_mb = max(m.peak_rss_mb or 0.0 for m in runs)
    best.paired = paired
    best.note = f"over the floor run before it: {', '.join(f'{r:.1f}x' for r in paired)}"
    if len(runs) > 1:
        best.note = f"best of {len(runs)}, {best.note}"
    return best


def ensure_vault(size: int, seed: int) -> Path:
    """Return a generated vault of ``size`` notes, regenerating it if its stamp is stale.

    The stamp records the generator's version, a hash of its source and the
    arguments; any difference regenerates the vault (built in a temporary
    sibling folder and renamed into place).
    """
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    vault = OUT_DIR / f"vault-{size}-seed{seed}"
    stamp = OUT_DIR / f"vault-{size}-seed{seed}.stamp.json"
    source = (BENCH_DIR / "make_vault.py").read_bytes()
    expected = {"generator_version": GENERATOR_VERSION, "notes": size, "seed": seed,
                "source_sha256": hashlib.sha256(source).hexdigest()}
    if vault.is_dir() and stamp.is_file():
        try:
            if json.loads(stamp.read_text()) == expected:
                _progress(f"[{size}] reusing {vault.relative_to(REPO_DIR)}")
                return vault
        except json.JSONDecodeError:
            pass
    stamp.unlink(missing_ok=True)
    staging = OUT_DIR / f".staging-{size}-seed{seed}"
    for stale in (staging, vault):
        if stale.exists():
            shutil.rmtree(stale)
    start = time.perf_counter()
    make_vault(staging, size, seed)
    staging.rename(vault)
    stamp.write_text(json.dumps(expected, indent=2) + "\n")
    _progress(f"[{size}] generated {vault.relative_to(REPO_DIR)} in {time.perf_counter() - start:.1f} s")
    return vault


def find_vaultlink() -> Tool:
    """Locate the vaultlink CLI and check that it has a ``scan`` command."""
    exe = shutil.which("vaultlink")
    command = [exe] if exe else [sys.executable, "-m", "vaultlink"]
    try:
        probe = subprocess.run([*command, "scan", "--help"], cwd=REPO_DIR, capture_output=True, text=True,
                               timeout=120, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return Tool(command, False, f"could not run {' '.join(command)}: {exc}")
    if probe.returncode != 0:
        reason = _last_line(probe.stderr) or _last_line(probe.stdout) or f"exit code {probe.returncode}"
        return Tool(command, False, f"`{' '.join(command)} scan --help` failed: {reason}")
    return Tool(command, True)


def ensure_peer_venv() -> Tool:
    """Create ``benchmarks/.venv-peers`` with obsidiantools on first use.

    Returns a Tool that is unavailable, with the reason, if the venv cannot be
    made or the package cannot be installed; the benchmark then goes on
    without the peer.
    """
    python = PEER_VENV / "bin" / "python"
    command = [str(python), "-c", PEER_SNIPPET]
    check = [str(python), "-c", "import importlib.metadata as m, obsidiantools.api; print(m.version('obsidiantools'))"]
    if python.exists():
        probe = subprocess.run(check, capture_output=True, text=True, check=False)
        if probe.returncode == 0:
            return Tool(command, True, version=probe.stdout.strip())
    _progress(f"installing {PEER_REQUIREMENT} into {PEER_VENV.relative_to(REPO_DIR)} (first use)...")
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    log = OUT_DIR / "peer-install.log"
    with log.open("w") as fh:
        steps = ([sys.executable, "-m", "venv", str(PEER_VENV)],
                 [str(python), "-m", "pip", "install", PEER_REQUIREMENT])
        for step in steps:
            try:
                done = subprocess.run(step, stdout=fh, stderr=subprocess.STDOUT, timeout=900, check=False)
            except (OSError, subprocess.TimeoutExpired) as exc:
                return Tool(command, False, f"{' '.join(step[:3])}... failed: {exc}")
            if done.returncode != 0:
                fh.flush()
                reason = _last_line(log.read_text(errors="replace"))
                return Tool(command, False, f"`{' '.join(step[-4:])}` failed: {reason} (see {log})")
    probe = subprocess.run(check, capture_output=True, text=True, check=False)
    if probe.returncode != 0:
        return Tool(command, False, f"obsidiantools installed but does not import: {_last_line(probe.stderr)}")
    return Tool(command, True, version=probe.stdout.strip())


def bench_size(size: int, *, seed: int, repeats: int, vaultlink: Tool, peer: Tool | None,
               peer_timeout: float) -> list[Measurement]:
    """All the measurements at one vault size, the floor first."""
    vault = ensure_vault(size, seed)
    stats = summarize_vault(vault)
    _progress(f"[{size}] {stats.notes} notes, {stats.total_bytes / 2**20:.1f} MB, "
              f"median {stats.median_bytes / 1024:.2f} KB")
    floor = measure(size, "floor", [sys.executable, str(BENCH_DIR / "floor.py"), str(vault)], repeats=repeats)
    results = [floor]
    base_env = dict(os.environ)
    if vaultlink.available:
        with tempfile.TemporaryDirectory(prefix=f"vaultlink-bench-{size}-") as tmp:
            scan = [*vaultlink.command, "scan", str(vault)]
            results.append(measure(size, "vaultlink cold", [*scan, "--no-cache"], repeats=repeats,
                                   fresh_env=EnvFactory(base_env, Path(tmp))))
            warm_env = {**base_env, "VAULTLINK_CACHE_DIR": str(Path(tmp) / "warm")}
            fill = measure(size, "vaultlink first scan", scan, repeats=1, env=warm_env)
            fill.note = "fills the cache"
            results.append(fill)
            if fill.status == "ok":
                results.append(measure(size, "vaultlink warm", scan, repeats=repeats, env=warm_env))
                json_run = measure(size, "vaultlink warm --json", [*scan, "--json"], repeats=repeats, env=warm_env)
                json_run.note = "the whole document on a pipe"
                results.append(json_run)
                link_run = measure_paired(size, "vaultlink link (plan)", [*vaultlink.command, "link", str(vault)],
                                          [sys.executable, str(BENCH_DIR / "floor.py"), str(vault)],
                                          repeats=repeats, env=warm_env)
                link_run.note = "dry run: plan every link, print the diff" + (f"; {link_run.note}" if link_run.note else "")
                results.append(link_run)
                # what a user might write instead: one automaton of every name, a diff line per first hit
                bare = measure(size, "bare linker script", [sys.executable, str(BENCH_DIR / "bounds.py"), "--run",
                                                             "bare linker", str(vault)], repeats=repeats, env=base_env)
                bare.note = "bounds.py: no protected span, rule or hub" + (f", {bare.note}" if bare.note else "")
                results.append(bare)
            else:
                results.append(Measurement(size, "vaultlink warm", "skipped", note="the first scan failed"))
            parse_only = measure(
                size,
                "parse only (no extraction)",
                [sys.executable, "-c", "import sys, vaultlink; s = vaultlink.read_vault(sys.argv[1], use_cache=False); "
                 "print(len(s.records))", str(vault)],
                repeats=repeats,
                env=base_env,
            )
            parse_only.note = "read_vault: discovery, reading, parsing"
            results.append(parse_only)
    else:
        for tool in ("vaultlink cold", "vaultlink warm"):
            results.append(Measurement(size, tool, "skipped", note=vaultlink.reason))
    if peer is not None:
        if peer.available:
            results.append(measure(size, "obsidiantools", [*peer.command, str(vault)], repeats=1, env=base_env,
                                   timeout=peer_timeout))
        else:
            results.append(Measurement(size, "obsidiantools", "skipped", note=peer.reason))
    if floor.seconds:
        for m in results:
            if m.seconds is not None and m.status in ("ok", "timeout"):
                m.ratio = m.seconds / floor.seconds
    return results


def judge(results: list[Measurement]) -> list[Bar]:
    """Check the targets: cold <= 4x floor, warm <= 1.5x floor, RSS <= 500 MB at 10k."""
    bars: list[Bar] = []
    by_key = {(m.size, m.tool): m for m in results}
    for size in sorted({m.size for m in results}):
        for tool, limit in (("vaultlink cold", COLD_BAR), ("vaultlink warm", WARM_BAR), ("vaultlink link (plan)", LINK_BAR)):
            m = by_key.get((size, tool))
            name = f"{tool.split(' ', 1)[1]} <= {limit:g}x floor"
            if m is None or m.status != "ok" or m.ratio is None:
                bars.append(Bar(size, name, "SKIP" if m is None or m.status == "skipped" else "FAIL",
                                m.note if m else "not measured"))
            else:
                bars.append(Bar(size, name, "PASS" if m.ratio <= limit else "FAIL", f"{m.ratio:.2f}x"))
        if size >= RSS_BAR_FROM_SIZE:
            # the scan's bar (issue 2): the scans themselves, not the link planning beside them
            rss = [m for m in results if m.size == size and m.tool.startswith("vaultlink ") and m.tool != "vaultlink link (plan)"]
            measured = [m.peak_rss_mb for m in rss if m.status == "ok" and m.peak_rss_mb is not None]
            name = f"scan RSS <= {RSS_BAR_MB:g} MB"
            if not measured:
                bars.append(Bar(size, name, "SKIP", "vaultlink not measured"))
            else:
                peak = max(measured)
                bars.append(Bar(size, name, "PASS" if peak <= RSS_BAR_MB else "FAIL", f"{peak:.0f} MB"))
    return bars


def format_table(results: list[Measurement]) -> str:
    """The results as an aligned text table."""
    rows = [("size", "tool", "seconds", "x floor", "peak RSS MB", "note")]
    for m in results:
        if m.status == "ok" and m.seconds is not None:
            secs, ratio = f"{m.seconds:.3f}", f"{m.ratio:.2f}" if m.ratio is not None else "-"
        elif m.status == "timeout" and m.seconds is not None:
            secs, ratio = f"> {m.seconds:.0f}", f"> {m.ratio:.0f}" if m.ratio is not None else "-"
        else:
            secs, ratio = m.status.upper(), "-"
        rss = f"{m.peak_rss_mb:.0f}" if m.peak_rss_mb is not None else "-"
        rows.append((str(m.size), m.tool, secs, ratio, rss, m.note))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    lines = []
    for r in rows:
        cells = [r[0].rjust(widths[0]), r[1].ljust(widths[1]), r[2].rjust(widths[2]), r[3].rjust(widths[3]),
                 r[4].rjust(widths[4]), r[5]]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; exit 0 even when a bar fails (the table says so)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated note counts (default 1000,10000)")
    parser.add_argument("--repeats", type=int, default=3, help="runs of the fast tools, best kept (default 3)")
    parser.add_argument("--peer-timeout", type=float, default=900.0,
                        help="seconds before obsidiantools is killed (default 900)")
    parser.add_argument("--no-peer", action="store_true", help="do not run obsidiantools")
    parser.add_argument("--seed", type=int, default=SEED, help="vault generator seed (default 1)")
    args = parser.parse_args(argv)
    try:
        sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        parser.error(f"--sizes must be integers separated by commas, got {args.sizes!r}")
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")

    vaultlink = find_vaultlink()
    if not vaultlink.available:
        print(f"vaultlink is missing, so only the floor and the peer are measured: {vaultlink.reason}",
              file=sys.stderr)
    peer = None
    if not args.no_peer:
        peer = ensure_peer_venv()
        if not peer.available:
            print(f"obsidiantools is not available, going on without it: {peer.reason}", file=sys.stderr)

    results: list[Measurement] = []
    for size in sizes:
        results += bench_size(size, seed=args.seed, repeats=args.repeats, vaultlink=vaultlink, peer=peer,
                              peer_timeout=args.peer_timeout)
    bars = judge(results)

    print(format_table(results))
    print()
    for bar in bars:
        print(f"{bar.size:>6}  {bar.name:<22} {bar.verdict}  {bar.detail}")
    write_results(results, bars, vaultlink, peer, args)
    print(f"\nwrote {RESULTS_FILE.relative_to(REPO_DIR)}")
    return 0


def write_results(results: list[Measurement], bars: list[Bar], vaultlink: Tool, peer: Tool | None,
                  args: argparse.Namespace) -> None:
    """Write the measurements, the bars and the machine to ``scan-results.json``."""
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    doc = {
        "when": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "platform": platform.platform(),
                    "cpus": os.cpu_count()},
        "seed": args.seed,
        "repeats": args.repeats,
        "vaultlink": {"command": vaultlink.command, "available": vaultlink.available, "reason": vaultlink.reason},
        "peer": None if peer is None else {"requirement": PEER_REQUIREMENT, "version": peer.version,
                                           "available": peer.available, "reason": peer.reason,
                                           "timeout_s": args.peer_timeout},
        "units": {"seconds": "wall clock, best of the runs", "peak_rss_mb": "ru_maxrss / 1024 (MiB)"},
        "results": [asdict(m) for m in results],
        "bars": [asdict(b) for b in bars],
    }
    RESULTS_FILE.write_text(json.dumps(doc, indent=2) + "\n")


def _mb(kib: int) -> float:
    return kib / 1024


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
