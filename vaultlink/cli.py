"""The command line: each command checks its options, calls one library function, formats the result.

Exit codes: 0 ok; 1 something found (``link --check``, ``lint``); 2 usage error; 3 vault
unreadable; 4 a write or an undo was refused.
"""

from __future__ import annotations

import json
import sys
from typing import Any, Callable

import click

from vaultlink import api
from vaultlink.document import summarize, to_document
from vaultlink.errors import VaultlinkError

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


def _emit_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=1))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(api.__version__, prog_name="vaultlink")
def main() -> None:
    """Find the people, companies and advice in your conversation notes, and link your vault."""


@main.command()
@VAULT
@click.option("--json", "as_json", is_flag=True, help="Print the JSON document (schema 1) instead of a summary.")
@click.option("--no-cache", is_flag=True, help="Read and parse every note again.")
@click.option("--ignore", multiple=True, metavar="GLOB", help="Skip notes and folders matching GLOB (repeatable).")
def scan(vault: str, as_json: bool, no_cache: bool, ignore: tuple[str, ...]) -> None:
    """Read VAULT and report its notes, links, people, companies, topics and warnings."""
    index = _run(
        lambda: api.scan_vault(vault, use_cache=not no_cache, ignore=ignore, progress=_progress_bar("Reading notes"))
    )
    if as_json:
        _emit_json(to_document(index))
    else:
        click.echo(summarize(index))


# --- answers: advice, people, followups, lint ---------------------------------------------------

from vaultlink import report as _report  # noqa: E402

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
    if as_json:
        _emit_json(_report.advice_json(digest))
    else:
        click.echo(_report.render_advice(digest), nl=False)


@main.command()
@VAULT
@click.option("--company", metavar="NAME", help="Who you know there, now or before (name or alias), and who is one introduction away.")
@click.option("--stale", "stale_days", type=click.IntRange(min=0), metavar="DAYS", help="Only people not talked to in DAYS days, longest first.")
@_TODAY
@click.option("--json", "as_json", is_flag=True, help="Print the people as JSON.")
def people(vault: str, company: str | None, stale_days: int | None, today: str | None, as_json: bool) -> None:
    """Your contacts: companies now and before, number of chats, first and last chat, topics."""
    result = _run(lambda: api.contacts(vault, company=company, stale_days=stale_days, today=today))
    if as_json:
        _emit_json(_report.contacts_json(result))
    else:
        click.echo(_report.render_contacts(result), nl=False)


@main.command()
@VAULT
@click.option("--all", "include_done", is_flag=True, help="Also list the done ones (checked tasks, struck-through lines).")
@_TODAY
@click.option("--json", "as_json", is_flag=True, help="Print the follow-ups as JSON.")
def followups(vault: str, include_done: bool, today: str | None, as_json: bool) -> None:
    """What you promised and were promised in your notes, and open tasks: open first, oldest first."""
    result = _run(lambda: api.followups(vault, include_done=include_done, today=today))
    if as_json:
        _emit_json(_report.followups_json(result))
    else:
        click.echo(_report.render_followups(result), nl=False)


@main.command()
@VAULT
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
def lint(vault: str, as_json: bool) -> None:
    """Check VAULT: chats without date or person, unlinked names, duplicate people, shared aliases,
    broken links. Exit 1 when anything is found (for a pre-commit hook), 0 when clean."""
    findings = _run(lambda: api.lint(vault))
    if as_json:
        _emit_json(_report.lint_json(findings))
    else:
        click.echo(_report.render_lint(findings), nl=False)
    if findings:
        sys.exit(1)
