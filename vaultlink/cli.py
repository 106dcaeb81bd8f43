"""The command line: each command checks its options, calls one library function, formats the result.

Exit codes: 0 ok; 1 something found (``link --check``, ``lint``); 2 usage error; 3 vault
unreadable; 4 a write or an undo was refused.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any, Callable, Iterable

import click

from vaultlink import __version__
from vaultlink.errors import VaultlinkError

if TYPE_CHECKING:
    from vaultlink import linker as _linker

VAULT = click.argument("vault", type=click.Path(file_okay=True, dir_okay=True, path_type=str))


def _run(call: Callable[[], Any]) -> Any:
    """Call into the library, turning its typed errors into one line on stderr and an exit code."""
    try:
        return call()
    except VaultlinkError as error:
        click.echo(f"vaultlink: {error}", err=True)
        sys.exit(error.exit_code)


def _progress_bar(label: str) -> Callable[[int, int], None] | None:
    """A progress callback drawing on stderr, or None when stderr is not a terminal."""
    if not sys.stderr.isatty():
        return None
    state: dict[str, Any] = {}

    def update(done: int, total: int) -> None:
        if total < 500:
            return
        if "bar" not in state:
            state["bar"] = click.progressbar(length=total, label=label, file=sys.stderr)
            state["bar"].__enter__()
        bar = state["bar"]
        bar.update(done - bar.pos)
        if done >= total:
            bar.__exit__(None, None, None)

    return update


def _print_answer(result: Any, as_json: bool, to_json: Callable[[Any], Any], render: Callable[[Any], str]) -> None:
    """An answer on stdout: its JSON with ``--json``, else its markdown."""
    if as_json:
        _emit_json(to_json(result))
    else:
        click.echo(render(result), nl=False)


def _stream(pieces: Iterable[str]) -> None:
    """Write ``pieces`` to stdout as they come; when the reader goes away (``| head``), stop
    quietly and let the command finish (its summary on stderr, its exit code)."""
    try:
        for piece in pieces:
            sys.stdout.write(piece)
    except BrokenPipeError:
        sys.stdout = _Gone(sys.stdout)  # the unflushed rest is dropped at exit


class _Gone:
    """Standard output after its reader went away: writes are dropped, and so is the pipe error
    the last flush at exit would raise."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            pass

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _emit_json(data: Any) -> None:
    """JSON on stdout: indented for a person at a terminal, compact (and much faster) for a pipe."""
    indent = 1 if sys.stdout.isatty() else None
    click.echo(json.dumps(data, ensure_ascii=False, indent=indent))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="vaultlink")
def main() -> None:
    """Find the people, companies and advice in your conversation notes, and link your vault."""


@main.command()
@VAULT
@click.option("--json", "as_json", is_flag=True, help="Print the JSON document (schema 1) instead of a summary.")
@click.option("--no-cache", is_flag=True, help="Read and parse every note again.")
@click.option("--ignore", multiple=True, metavar="GLOB", help="Skip notes and folders matching GLOB (repeatable).")
def scan(vault: str, as_json: bool, no_cache: bool, ignore: tuple[str, ...]) -> None:
    """Read VAULT and report its notes, links, people, companies, topics and warnings."""
    progress = _progress_bar("Reading notes")
    if not as_json:  # the summary of an unchanged vault is answered without loading the index
        from vaultlink import memo

        click.echo(_run(lambda: memo.scan_summary(vault, use_cache=not no_cache, ignore=ignore, progress=progress)))
        return
    from vaultlink import api
    from vaultlink.document import iter_json

    index = _run(lambda: api.scan_vault(vault, use_cache=not no_cache, ignore=ignore, progress=progress))
    if sys.stdout.isatty():
        _emit_json(json.loads("".join(iter_json(index))))
    else:
        _stream(iter_json(index))  # a big vault's document is never whole in memory


# --- graph: the page and the exports ------------------------------------------------------------


@main.command()
@VAULT
@click.option("-o", "--output", metavar="FILE", help="Where to write (default: graph.<format>; '-' for stdout).")
@click.option(
    "--format", "fmt", type=click.Choice(["html", "graphml", "gexf", "json", "canvas"]), default=None,
    help="Output format (default: from the output's suffix, else html).",
)
@click.option("--notes/--no-notes", default=None, help="Show notes as nodes (default: yes, hidden at first in a large page).")
@click.option("--exclude-tag", multiple=True, metavar="TAG", help="Leave out notes with TAG or a tag under it (repeatable).")
@click.option("--open", "open_after", is_flag=True, help="Open the written file (the page in your browser).")
@click.option("--no-cache", is_flag=True, help="Read and parse every note again.")
def graph(
    vault: str, output: str | None, fmt: str | None, notes: bool | None, exclude_tag: tuple[str, ...],
    open_after: bool, no_cache: bool,
) -> None:
    """Draw VAULT's people, companies, topics and notes as one offline HTML page, or export the graph."""
    from vaultlink import api

    fmt_used = api.graph_format(output, fmt)
    index = _run(lambda: api.scan_vault(vault, use_cache=not no_cache, progress=_progress_bar("Reading notes")))
    export = _run(lambda: api.export_graph(index, fmt_used, include_notes=notes, exclude_tags=exclude_tag))
    if output == "-":
        click.echo(export.text, nl=False)
        return
    written = _run(lambda: api.write_output(output or f"graph.{fmt_used.value}", export.text))
    hidden = "" if export.notes_shown else " (notes hidden at first: tick Note to show them)"
    click.echo(f"Wrote {written}: {export.nodes} nodes, {export.edges} edges{hidden}", err=True)
    if open_after:
        click.launch(str(written))


# --- link and undo ---------------------------------------------------------------------------------


_TYPES = ("person", "company", "topic")


@main.command()
@VAULT
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option("--write", is_flag=True, help="Apply the changes (default: only show them).")
@click.option("--check", is_flag=True, help="Change nothing; exit 1 if anything would change (for CI, pre-commit).")
@click.option("--all", "all_mentions", is_flag=True, help="Link every mention, not only the first in each note.")
@click.option("--type", "types", metavar="TYPES", help="Only these types, comma-separated: person,company,topic.")
@click.option("--create-hubs", is_flag=True, help="Create a hub note for every entity that has none.")
@click.option("--no-hub-blocks", is_flag=True, help="Leave the managed block of existing hub notes as it is.")
@click.option("-i", "--interactive", is_flag=True, help="Ask about each link (y/n/a/q), then write what you accept.")
@click.option("--json", "as_json", is_flag=True, help="Print the plan (or what was written) as JSON.")
@click.option("--no-cache", is_flag=True, help="Read and parse every note again.")
@click.option("--ignore", multiple=True, metavar="GLOB", help="Skip notes and folders matching GLOB (repeatable).")
def link(
    vault: str, paths: tuple[str, ...], write: bool, check: bool, all_mentions: bool, types: str | None,
    create_hubs: bool, no_hub_blocks: bool, interactive: bool, as_json: bool, no_cache: bool, ignore: tuple[str, ...],
) -> None:
    """Link plain-text mentions of people, companies and topics in VAULT (or only in PATHS).

    A dry run by default: prints a unified diff on stdout and a summary on stderr.
    """
    from vaultlink import api
    from vaultlink import linker as _linker
    from vaultlink.diff import iter_diffs

    if write + check + interactive > 1 or (as_json and interactive):
        raise click.UsageError("use only one of --write, --check and --interactive (and no --json with --interactive)")
    plan = _run(
        lambda: api.plan_links(
            vault, paths=_vault_paths(vault, paths), all_mentions=all_mentions, types=_entity_types(types),
            create_hubs=create_hubs, update_hubs=not no_hub_blocks, use_cache=not no_cache, ignore=ignore,
            progress=_progress_bar("Reading notes"), diffs=not (write or check or interactive or as_json),
        )
    )
    for warning in plan.warnings:
        click.echo(f"warning: {warning.message}", err=True)
    if interactive:
        plan = _ask_each(plan)
    if write or interactive:
        _write_plan(plan, as_json)
    elif as_json:
        _emit_json(_linker.plan_to_document(plan))
    elif not check:
        _stream(iter_diffs(plan.changes))
    if not (write or interactive):
        click.echo(_linker.summarize_plan(plan), err=True)
    if check and plan.changes:
        for change in plan.changes:
            click.echo(f"would {'create' if change.created else 'change'} {change.path}", err=True)
        sys.exit(1)


def _entity_types(types: str | None) -> tuple[str, ...]:
    """``--type person,company`` as a tuple; a usage error names an unknown type."""
    if not types:
        return ()
    chosen = tuple(t.strip().lower() for t in types.split(",") if t.strip())
    unknown = [t for t in chosen if t not in _TYPES]
    if unknown:
        raise click.BadParameter(f"unknown type {unknown[0]!r}; use {', '.join(_TYPES)}", param_hint="--type")
    return chosen


def _vault_paths(vault: str, paths: tuple[str, ...]) -> tuple[str, ...]:
    """PATHS (relative to the current folder or to the vault) as vault paths; folders end in ``/``."""
    from vaultlink import api

    try:
        return api.vault_paths(vault, paths)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="PATHS") from error


def _ask_each(plan: _linker.LinkPlan) -> _linker.LinkPlan:
    """Ask y (yes), n (no), a (yes to this and all the rest) or q (no to this and the rest)."""
    from vaultlink import linker as _linker

    answers: dict[tuple[str, int], bool] = {}
    rest: bool | None = None
    for change in plan.changes:
        for edit in change.links or ((None,) if change.created else ()):
            if rest is None:
                click.echo(_linker.describe_edit(change, edit))
                answer = click.prompt("Link it?" if edit else "Create it?", type=click.Choice(["y", "n", "a", "q"]))
                rest = {"a": True, "q": False}.get(answer)
                answers[(change.path, edit.start if edit else -1)] = answer in ("y", "a")
            else:
                answers[(change.path, edit.start if edit else -1)] = rest
    return _linker.keep_edits(plan, lambda c, e: answers.get((c.path, e.start if e else -1), False))


def _write_plan(plan: _linker.LinkPlan, as_json: bool) -> None:
    """Apply the plan and report it; exit 4 when a file was refused."""
    from vaultlink import api
    from vaultlink import linker as _linker

    report = _run(lambda: api.apply_changes(plan))
    if as_json:
        document = _linker.plan_to_document(plan)
        document.update(
            run=report.run_id, written=list(report.written), created=list(report.created),
            refused=[{"path": i.path, "reason": i.message} for i in report.refused],
        )
        _emit_json(document)
    written = {*report.written, *report.created}
    click.echo(_linker.summarize_plan(_linker.keep_edits(plan, lambda c, e: c.path in written), written=True), err=True)
    if report.run_id:
        click.echo(f"Run {report.run_id} journaled; `vaultlink undo` reverts it.", err=True)
    for issue in report.refused:
        click.echo(f"refused: {issue.message}", err=True)
    if report.refused:
        sys.exit(4)


@main.command()
@VAULT
@click.option("--list", "list_only", is_flag=True, help="List the journaled runs instead of undoing one.")
@click.option("--force", is_flag=True, help="Restore files even if they were edited after the run.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def undo(vault: str, list_only: bool, force: bool, as_json: bool) -> None:
    """Undo the last `vaultlink link --write` on VAULT: restore every file it changed, byte for byte."""
    from vaultlink import api

    if list_only:
        runs = _run(lambda: api.list_runs(vault))
        if as_json:
            _emit_json([{"run": r.run_id, "command": r.command, "started": r.started, "status": r.status,
                         "modified": list(r.modified), "created": list(r.created)} for r in runs])
        for run in [] if as_json else runs:
            click.echo(f"{run.run_id}  {run.status:<8}  {run.command or '-':<6}  "
                       f"{len(run.modified)} changed, {len(run.created)} created")
        return
    report = _run(lambda: api.undo(vault, force=force))
    if as_json:
        _emit_json({"run": report.run_id, "restored": list(report.restored), "deleted": list(report.deleted),
                    "unchanged": list(report.unchanged), "forced": list(report.forced)})
        return
    click.echo(f"Undid run {report.run_id}: restored {len(report.restored)} files, "
               f"deleted {len(report.deleted)} created files.", err=True)
    for path in report.forced:
        click.echo(f"forced: {path} had been edited since; that version is kept in .vaultlink/", err=True)


# --- answers: advice, people, followups, lint ---------------------------------------------------


_TODAY = click.option("--today", metavar="DATE", help="Measure from this date instead of the local date (YYYY-MM-DD).")


@main.command()
@VAULT
@click.option("--topic", metavar="TOPIC", help="Only this topic: its name, id or an alias (\"career switch\").")
@click.option("--person", metavar="NAME", help="Only what this person said: a name, alias or unique first name.")
@click.option("--since", metavar="DATE", help="Only advice from chats on or after DATE.")
@click.option("--json", "as_json", is_flag=True, help="Print the digest as JSON.")
@click.option("--write", is_flag=True, help="Keep 'Advice Index.md' in VAULT current (journaled: `vaultlink undo` reverts it).")
def advice(vault: str, topic: str | None, person: str | None, since: str | None, as_json: bool, write: bool) -> None:
    """What everyone advised, by topic (most people first): each item with who, when and the note."""
    from vaultlink import api
    from vaultlink import report as _report

    if write:
        if topic or person or since:
            raise click.UsageError("--write keeps the whole Advice Index; drop --topic, --person and --since")
        done = _run(lambda: api.write_advice_index(vault))
        if as_json:
            _emit_json({"path": done.path, "action": done.action, "run": done.run_id,
                        "refused": [i.message for i in done.refused]})
        messages = {"unchanged": "is already current", "created": "created", "updated": "updated", "refused": "was not written"}
        click.echo(f"{done.path} {messages[done.action]}" + (f" (run {done.run_id}; `vaultlink undo` reverts it)" if done.run_id and done.action != "refused" else ""), err=True)
        for issue in done.refused:
            click.echo(f"refused: {issue.message}", err=True)
        if done.refused:
            sys.exit(4)
        return
    digest = _run(lambda: api.advice_digest(vault, topic=topic, person=person, since=since))
    _print_answer(digest, as_json, _report.advice_json, _report.render_advice)


@main.command()
@VAULT
@click.option("--company", metavar="NAME", help="Who you know there, now or before (name or alias), and who is one introduction away.")
@click.option("--stale", "stale_days", type=click.IntRange(min=0), metavar="DAYS", help="Only people not talked to in DAYS days, longest first.")
@_TODAY
@click.option("--json", "as_json", is_flag=True, help="Print the people as JSON.")
def people(vault: str, company: str | None, stale_days: int | None, today: str | None, as_json: bool) -> None:
    """Your contacts: companies now and before, number of chats, first and last chat, topics."""
    from vaultlink import api
    from vaultlink import report as _report

    result = _run(lambda: api.contacts(vault, company=company, stale_days=stale_days, today=today))
    _print_answer(result, as_json, _report.contacts_json, _report.render_contacts)


@main.command()
@VAULT
@click.option("--all", "include_done", is_flag=True, help="Also list the done ones (checked tasks, struck-through lines).")
@_TODAY
@click.option("--json", "as_json", is_flag=True, help="Print the follow-ups as JSON.")
def followups(vault: str, include_done: bool, today: str | None, as_json: bool) -> None:
    """What you promised and were promised in your notes, and open tasks: open first, oldest first."""
    from vaultlink import api
    from vaultlink import report as _report

    result = _run(lambda: api.followups(vault, include_done=include_done, today=today))
    _print_answer(result, as_json, _report.followups_json, _report.render_followups)


@main.command()
@VAULT
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
def lint(vault: str, as_json: bool) -> None:
    """Check VAULT: chats without date or person, unlinked names, duplicate people, shared aliases,
    broken links. Exit 1 when anything is found (for a pre-commit hook), 0 when clean."""
    from vaultlink import api
    from vaultlink import report as _report

    findings = _run(lambda: api.lint(vault))
    _print_answer(findings, as_json, _report.lint_json, _report.render_lint)
    if findings:
        sys.exit(1)
