"""The graph page in a real headless Chromium: it draws, stays offline, filters, explains, runs nothing hostile.

Uses Debian's chromium (or any Chromium found, else Playwright's own) through Playwright's
Python API; every test is skipped cleanly when no browser can be launched.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from graph_fixtures import HOSTILE_COMPANY, HOSTILE_QUOTE, HOSTILE_TITLE, large_index, small_index

from vaultlink import api, render
from vaultlink.model import VaultIndex

playwright_api = pytest.importorskip("playwright.sync_api")

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
READY = "window.vaultlink && window.vaultlink.ready"


def find_chromium() -> str | None:
    """A Chromium binary: $VAULTLINK_CHROMIUM, Debian's (the binary, not its wrapper), or one on PATH."""
    candidates = [os.environ.get("VAULTLINK_CHROMIUM"), "/usr/lib/chromium/chromium"]
    candidates += [shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome")]
    for candidate in candidates:
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the whole session; skips when none can be launched."""
    with playwright_api.sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_ARGS)
        except Exception as error:  # noqa: BLE001 - any launch failure means: no browser here
            pytest.skip(f"no Chromium to run the page in: {str(error).splitlines()[0]}")
        yield launched
        launched.close()


@dataclass
class Opened:
    """A page opened from a file, with everything it tried that it should not have."""

    page: Any
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def visible(self) -> list[str]:
        return list(self.page.evaluate("vaultlink.visibleNodeIds()"))

    def panel_text(self) -> str:
        return str(self.page.inner_text("#panel"))


@pytest.fixture
def open_page(browser: Any, tmp_path: Path) -> Iterator[Callable[[str], Opened]]:
    """Open HTML text as a file: every non-file request is aborted and recorded, as are errors and dialogs."""
    contexts: list[Any] = []

    def open_html(html: str, name: str = "graph.html") -> Opened:
        path = tmp_path / name
        path.write_text(html, encoding="utf-8")
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        contexts.append(context)
        page = context.new_page()
        opened = Opened(page)

        def route(request_route: Any) -> None:
            url = request_route.request.url
            if url.startswith(("file:", "data:", "blob:")):
                request_route.continue_()
            else:
                opened.requests.append(url)
                request_route.abort()

        context.route("**/*", route)
        page.on("console", lambda message: opened.errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: opened.errors.append(str(error)))

        def on_dialog(dialog: Any) -> None:
            opened.dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", on_dialog)
        page.add_init_script(
            "window.__csp = []; document.addEventListener('securitypolicyviolation',"
            " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
        )
        page.goto(path.as_uri())
        wait_for(page, READY)
        return opened

    yield open_html
    for context in contexts:
        context.close()


def wait_for(page: Any, expression: str, timeout_ms: int = 60_000) -> None:
    """Poll ``expression`` until it is truthy. Playwright's ``wait_for_function`` polls with
    ``eval``, which the page's CSP (rightly) forbids; ``evaluate`` goes through the debugger."""
    waited = 0
    while not page.evaluate(expression):
        if waited >= timeout_ms:
            raise AssertionError(f"still false after {timeout_ms} ms: {expression}")
        page.wait_for_timeout(25)
        waited += 25


def _sample_index(vault: Path) -> VaultIndex:
    index = api.scan_vault(vault, use_cache=False)
    if not index.entities:
        pytest.skip("extraction finds no entities yet")
    return index


def _sample_page(vault: Path) -> str:
    return api.export_graph(_sample_index(vault), "html").text


def _click_node(opened: Opened, node_id: str) -> None:
    """A real mouse click on the node, after bringing it to the middle of the view."""
    page = opened.page
    page.evaluate(f"network.focus({node_id!r}, {{scale: 1.6, animation: false}})")
    page.wait_for_timeout(100)
    point = page.evaluate(f"network.canvasToDOM(network.getPosition({node_id!r}))")
    box = page.locator("#mynetwork").bounding_box()
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])


def test_sample_vault_page_draws_its_people_companies_and_topics(vault: Path, open_page: Callable[..., Opened]) -> None:
    opened = open_page(_sample_page(vault))
    page = opened.page
    ids = set(page.evaluate("network.body.data.nodes.getIds()"))
    assert {"me", "person:stefan-mai", "company:amazon", "company:meta"} <= ids
    assert "note:Chats/Coffee chat with Stefan Mai.md" in ids
    total = page.evaluate("vaultlink.data.nodes.length")
    assert page.evaluate("Object.keys(network.getPositions()).length") == total == len(ids)
    assert page.evaluate("network.body.data.edges.length") == page.evaluate("vaultlink.data.edges.length") > 0
    assert not any("Private note" in node for node in ids)
    assert opened.errors == [] and opened.requests == [] and page.evaluate("window.__csp") == []


def test_legend_lists_each_type_with_its_count(vault: Path, open_page: Callable[..., Opened]) -> None:
    opened = open_page(_sample_page(vault))
    legend = opened.page.inner_text("#node-types")
    for label in ("Me", "Person", "Company", "Topic", "Note"):
        assert label in legend
    assert "works at" in opened.page.inner_text("#edge-types")


def test_no_request_leaves_the_page_even_when_asked(vault: Path, open_page: Callable[..., Opened]) -> None:
    opened = open_page(_sample_page(vault))
    outcome = opened.page.evaluate(
        "fetch('https://example.com/x').then(() => 'fetched', () => 'blocked')"
    )
    opened.page.evaluate("var i = new Image(); i.src = 'https://example.com/pixel.png'; document.body.appendChild(i)")
    opened.page.wait_for_timeout(200)
    assert outcome == "blocked"
    assert opened.requests == []  # the CSP stopped both before the network layer saw them
    assert len(opened.page.evaluate("window.__csp")) == 2


def test_search_narrows_the_nodes(vault: Path, open_page: Callable[..., Opened]) -> None:
    opened = open_page(_sample_page(vault))
    before = opened.visible()
    opened.page.fill("#search", "stefan")
    wait_for(opened.page, "vaultlink.visibleNodeIds().length < %d" % len(before))
    after = opened.visible()
    assert "person:stefan-mai" in after
    assert 0 < len(after) < len(before)
    assert all("stefan" in (n.lower() + str(opened.page.evaluate(f"vaultlink.data.nodes.find(r => r[0] === {n!r})"))).lower() for n in after)
    opened.page.fill("#search", "")
    wait_for(opened.page, "vaultlink.visibleNodeIds().length === %d" % len(before))
    assert opened.errors == []


def test_a_type_toggle_hides_that_type(vault: Path, open_page: Callable[..., Opened]) -> None:
    opened = open_page(_sample_page(vault))
    assert any(n.startswith("company:") for n in opened.visible())
    opened.page.locator("#node-types input[data-kind=company]").uncheck()
    assert not any(n.startswith("company:") for n in opened.visible())
    assert not any(n.startswith("company:") for n in opened.page.evaluate("network.body.data.nodes.getIds()"))
    assert any(n.startswith("person:") for n in opened.visible())
    opened.page.locator("#node-types input[data-kind=company]").check()
    assert any(n.startswith("company:") for n in opened.visible())


def test_an_edge_toggle_removes_those_edges(vault: Path, open_page: Callable[..., Opened]) -> None:
    opened = open_page(_sample_page(vault))
    count = "network.body.data.edges.get().filter(e => vaultlink.data.edges[+e.id.slice(1)][2] === 'mentions').length"
    assert opened.page.evaluate(count) > 0
    opened.page.locator("#edge-types input[data-kind=mentions]").uncheck()
    assert opened.page.evaluate(count) == 0


def test_clicking_a_person_shows_their_companies_and_advice(vault: Path, open_page: Callable[..., Opened]) -> None:
    index = _sample_index(vault)
    quotes = [item.text for item in index.advice if item.person == "person:stefan-mai"]
    assert quotes, "the seed chat gives Stefan Mai advice"
    opened = open_page(api.export_graph(index, "html").text)
    _click_node(opened, "person:stefan-mai")
    wait_for(opened.page, "vaultlink.state.selected >= 0")
    text = opened.panel_text()
    assert "Stefan Mai" in text
    assert "Worked at" in text and "Amazon" in text and "Meta" in text
    assert "Advice" in text
    assert quotes[0][:60] in text.replace("\n", " ")
    hrefs = opened.page.eval_on_selector_all("#panel a.open", "links => links.map(a => a.href)")
    assert "obsidian://open?vault=sample_vault&file=Chats%2FCoffee%20chat%20with%20Stefan%20Mai.md" in hrefs
    assert opened.errors == []


def test_focus_mode_keeps_the_neighbourhood(vault: Path, open_page: Callable[..., Opened]) -> None:
    opened = open_page(_sample_page(vault))
    page = opened.page
    page.evaluate("vaultlink.select('company:amazon')")
    page.select_option("#focus", "1")
    shown = set(opened.visible())
    neighbours = set(page.evaluate(
        "network.body.data.edges.get().filter(e => e.from === 'company:amazon' || e.to === 'company:amazon')"
        ".map(e => e.from === 'company:amazon' ? e.to : e.from)"
    ))
    assert shown == neighbours | {"company:amazon"}
    page.select_option("#focus", "2")
    assert len(opened.visible()) > len(shown)
    page.select_option("#focus", "0")
    assert len(opened.visible()) == page.evaluate("vaultlink.data.nodes.length")


def test_hostile_names_and_quotes_show_as_text_and_run_nothing(open_page: Callable[..., Opened]) -> None:
    opened = open_page(render.render_html(small_index()).html)
    page = opened.page
    hostile_note = "note:Edge cases/<img src=x onerror=alert(1)>.md"
    for node in (hostile_note, "company:acme", "person:omar-haddad", "topic:interviewing"):
        page.evaluate(f"vaultlink.select({node!r})")
        page.wait_for_timeout(50)
        assert page.evaluate("document.querySelectorAll('#panel img, #panel script, #panel b').length") == 0
    page.evaluate(f"vaultlink.select({hostile_note!r})")
    assert HOSTILE_TITLE in opened.panel_text()
    page.evaluate("vaultlink.select('person:omar-haddad')")
    assert HOSTILE_QUOTE.split("\u2028")[0] in opened.panel_text()
    page.fill("#search", "<img")
    wait_for(page, "vaultlink.visibleNodeIds().length === 2", timeout_ms=5000)
    assert set(opened.visible()) == {hostile_note, "company:acme"}
    assert page.evaluate("network.body.data.nodes.get('company:acme').label") == HOSTILE_COMPANY
    page.wait_for_timeout(200)
    assert opened.dialogs == [] and opened.errors == [] and opened.requests == []
    assert page.evaluate("document.querySelectorAll('img').length") == 0


def test_hostile_note_on_disk_runs_nothing(vault: Path, open_page: Callable[..., Opened]) -> None:
    (vault / "Chats" / "<img src=x onerror=alert(1)>.md").write_text(
        "---\ndate: 2024-06-01\n---\nCoffee chat with Stefan Mai about Amazon.\n\n"
        "</script><script>alert(2)</script> <img src=x onerror=alert(3)>\n\n"
        "What did he say?\n\nKeep the resume to one page </script><b>bold</b>.\n",
        encoding="utf-8",
    )
    opened = open_page(_sample_page(vault))
    page = opened.page
    node = "note:Chats/<img src=x onerror=alert(1)>.md"
    assert node in page.evaluate("network.body.data.nodes.getIds()")
    page.evaluate(f"vaultlink.select({node!r})")
    assert "<img src=x onerror=alert(1)>" in opened.panel_text()
    page.evaluate("vaultlink.select('person:stefan-mai')")
    page.wait_for_timeout(200)
    assert opened.dialogs == [] and opened.errors == [] and opened.requests == []
    assert page.evaluate("document.querySelectorAll('#panel img, #panel b, #panel script').length") == 0


def test_private_note_is_not_in_the_page(vault: Path, open_page: Callable[..., Opened]) -> None:
    opened = open_page(_sample_page(vault))
    notes = opened.page.evaluate("vaultlink.data.notes.map(n => n[0])")
    assert "Edge cases/Private note.md" not in notes
    assert "market data" not in opened.page.content()


def test_large_graph_starts_without_notes_and_shows_them_on_demand(open_page: Callable[..., Opened]) -> None:
    opened = open_page(render.render_html(large_index(notes=render.LARGE_GRAPH + 50)).html)
    page = opened.page
    assert page.evaluate("vaultlink.data.physics") is False
    assert not any(n.startswith("note:") for n in page.evaluate("network.body.data.nodes.getIds()"))
    assert "Notes are hidden" in page.inner_text("#hint")
    page.locator("#node-types input[data-kind=note]").check()
    wait_for(page, "!vaultlink.busy")
    total = page.evaluate("vaultlink.data.nodes.length")
    assert page.evaluate("network.body.data.nodes.length") == total
    assert len(opened.visible()) == total
    assert opened.errors == []


def test_large_graph_focus_brings_in_the_notes_around_a_person(open_page: Callable[..., Opened]) -> None:
    index = large_index(notes=render.LARGE_GRAPH + 50)
    chats = {f"note:{note.path}" for note in index.notes if "person:p7" in note.participants}
    opened = open_page(render.render_html(index).html)
    page = opened.page
    page.evaluate("vaultlink.select('person:p7')")
    page.select_option("#focus", "1")
    wait_for(page, "!vaultlink.busy")
    shown = set(opened.visible())
    assert chats <= shown and "person:p7" in shown
    assert not any(n.startswith("note:") for n in shown - chats)
    page.select_option("#focus", "0")
    wait_for(page, "!vaultlink.busy")
    assert not any(n.startswith("note:") for n in page.evaluate("network.body.data.nodes.getIds()"))
    assert opened.errors == []


def test_a_screenshot_is_written(vault: Path, open_page: Callable[..., Opened], tmp_path: Path) -> None:
    opened = open_page(_sample_page(vault))
    opened.page.evaluate("network.fit({animation: false})")
    target = tmp_path / "graph.png"
    opened.page.screenshot(path=str(target))
    data = target.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000


def test_an_empty_vault_gives_an_empty_page_without_errors(open_page: Callable[..., Opened]) -> None:
    empty = VaultIndex(root="/vaults/Empty", notes=(), attachments=(), entities=(), relations=(), advice=(), warnings=())
    opened = open_page(render.render_html(empty).html)
    assert opened.page.evaluate("vaultlink.data.nodes.length") == 0
    assert opened.errors == [] and opened.requests == []
