"""Diffs of a plan: the fast path for notes edited in place prints what difflib prints."""

from __future__ import annotations

import difflib
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from test_linker import DEFAULT_TABLE, notes

from vaultlink.diff import iter_diffs, line_diff, plan_diff, unified_diff
from vaultlink.linker import FileChange, LinkOptions, apply_edits, plan_note
from vaultlink.markdown import parse_note


def test_a_diff_is_git_like() -> None:
    diff = unified_diff("a.md", "x\r\nStefan Mai\r\nend", "x\r\n[[Stefan Mai]]\r\nend")
    assert diff == (
        "--- a/a.md\n+++ b/a.md\n@@ -1,3 +1,3 @@\n x\r\n-Stefan Mai\r\n+[[Stefan Mai]]\r\n end\n"
        "\\ No newline at end of file\n"
    )
    assert unified_diff("n.md", None, "new\n") == "--- /dev/null\n+++ b/n.md\n@@ -0,0 +1 @@\n+new\n"
    assert unified_diff("n.md", "same\n", "same\n") == ""


def test_lines_split_only_on_newlines() -> None:
    """A form feed or U+2028 inside a note is not a line break (splitlines would say it is)."""
    diff = unified_diff("a.md", "a\x0cb\u2028c\nAmazon\n", "a\x0cb\u2028c\n[[Amazon]]\n")
    assert "@@ -1,2 +1,2 @@\n a\x0cb\u2028c\n-Amazon\n+[[Amazon]]\n" in diff


@settings(max_examples=300, deadline=None)
@given(text=notes(), context=st.integers(0, 4))
def test_the_fast_diff_equals_difflib(text: str, context: int) -> None:
    edits = plan_note(text, parse_note("n.md", text), DEFAULT_TABLE, LinkOptions(all_mentions=True)).edits
    after = apply_edits(text, edits)
    expected = unified_diff("n.md", text, after, context)
    assert line_diff("n.md", text, after, [e.line for e in edits], context) == expected
    assert plan_diff([FileChange("n.md", text, after, None, edits=edits)], context) == expected


def _difflib(path: str, before: str | None, after: str, context: int) -> str:
    """What difflib itself prints, marked the way git marks a last line without a newline."""
    old = before.splitlines(keepends=True) if before else []
    new = after.splitlines(keepends=True)
    fromfile = "/dev/null" if before is None else f"a/{path}"
    out = []
    for line in difflib.unified_diff(old, new, fromfile=fromfile, tofile=f"b/{path}", n=context):
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


_LINES = st.lists(st.sampled_from(["", "a", "b", "## Mentioned in", "- [[x]]", "<!-- vaultlink:end -->"]), max_size=320)


@settings(max_examples=200, deadline=None)
@given(old=_LINES, added=_LINES, last=st.sampled_from(["", "tail"]), created=st.booleans(), context=st.integers(0, 4))
def test_a_file_grown_at_its_end_diffs_as_difflib_says(
    old: list[str], added: list[str], last: str, created: bool, context: int
) -> None:
    """A hub whose block is appended (or a new hub) has its diff written directly: the same text,
    also for files of hundreds of lines whose frequent lines difflib treats as junk."""
    before = None if created else "".join(line + "\n" for line in old)
    after = (before or "") + "".join(line + "\n" for line in added) + last
    assert unified_diff("h.md", before, after, context) == _difflib("h.md", before, after, context)


@settings(max_examples=200, deadline=None)
@given(
    lines=st.lists(st.sampled_from(["", "a", "at Amazon", "x\r", "Amazon\r", "\u2028"]), min_size=1, max_size=60),
    edited=st.sets(st.integers(1, 60), max_size=8),
    last=st.sampled_from(["", "end", "Amazon"]),
    context=st.integers(0, 4),
)
def test_lines_edited_in_place_diff_as_difflib_says(
    lines: list[str], edited: set[int], last: str, context: int
) -> None:
    """The in-place fast path, with names linked on any lines, also on a last line without a newline.
    Lines are numbered: difflib may pair two equal lines other than in place, the fast path never."""
    before = "".join(f"{number} {line}\n" for number, line in enumerate(lines)) + last
    parts = before.split("\n")
    new = [part.replace("Amazon", "[[Amazon]]") if i + 1 in edited else part for i, part in enumerate(parts)]
    after = "\n".join(new)
    assert line_diff("n.md", before, after, edited, context) == unified_diff("n.md", before, after, context)


def test_far_apart_edits_make_separate_hunks() -> None:
    before = "".join(f"line {i} Amazon\n" for i in range(1, 21))
    after = before.replace("line 2 Amazon", "line 2 [[Amazon]]").replace("line 19 Amazon", "line 19 [[Amazon]]")
    diff = line_diff("a.md", before, after, [2, 19])
    assert diff == unified_diff("a.md", before, after)
    assert diff.count("@@ -") == 2


def test_a_plan_diff_comes_one_file_at_a_time_in_order() -> None:
    changes = [
        FileChange("b.md", "Amazon\n", "[[Amazon]]\n", None),
        FileChange("n.md", None, "new\n", None),
        FileChange("same.md", "x\n", "x\n", None),
    ]
    pieces = list(iter_diffs(changes))
    assert pieces == [unified_diff(c.path, c.before, c.after) for c in changes]
    assert "".join(pieces) == plan_diff(changes)


def test_a_diff_made_with_the_plan_is_the_diff_of_its_change(vault: Path) -> None:
    from dataclasses import replace

    from vaultlink import api
    from vaultlink.diff import change_diff

    plan = api.plan_links(vault, create_hubs=True, diffs=True)
    made = [change for change in plan.changes if change.diff is not None]
    assert made, "the sample vault's notes get links: some diffs come with the plan"
    assert all(not change.created and all(e.kind.value == "link" for e in change.edits) for change in made)
    for change in made:
        assert change.diff == change_diff(replace(change, diff=None))
    assert plan_diff(plan.changes) == plan_diff([replace(change, diff=None) for change in plan.changes])
    assert iter_diffs(plan.changes, 1) and "".join(iter_diffs(plan.changes, 1)) == "".join(
        change_diff(change, 1) for change in plan.changes
    ), "another context than the plan's three lines is made afresh"
    assert all(change.diff is None for change in api.plan_links(vault).changes), "only when asked for"
    plain = api.plan_links(vault, create_hubs=True).changes
    assert [replace(change, diff=None) for change in plan.changes] == list(plain), "the same text after, made once"
