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
