"""The ask page and the viewer in headless Chromium (Debian's, driven by Playwright; no download).

Ask on the page, follow a citation, find the passage highlighted; the same by keyboard alone;
without JavaScript; and the error and hostile-text paths, with no CSP violation anywhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from retrieval.access import PARTNERS
from tests.web.conftest import ANSWERABLE, UNANSWERABLE

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WAIT_MS = 60_000  # a shared machine: answers can take seconds under load
HIGHLIGHT = "rgb(255, 242, 168)"  # --mark in site.css

pytestmark = [
    pytest.mark.browser,
    pytest.mark.integration,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="needs Debian's chromium at /usr/bin/chromium (scripts/system-deps installs it)",
    ),
]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, timeout=WAIT_MS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh context per test, signed in as a partner by opening a session link as a person does
    (the Home tab's button); console errors (CSP violations among them) are collected."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1100, "height": 800})
    context.set_default_timeout(WAIT_MS)
    tab = context.new_page()
    tab.console_errors = []
    tab.on("console", lambda m: m.type == "error" and tab.console_errors.append(m.text))
    tab.on("pageerror", lambda e: tab.console_errors.append(str(e)))
    tab.goto(live_server.services.links.session(PARTNERS))
    assert tab.url == f"{live_server.url}/"  # the token is out of the address bar
    yield tab
    context.close()


def _focused(page) -> str:
    return page.evaluate(
        """() => { const e = document.activeElement;
                   return e.id ? '#' + e.id : (e.textContent || e.tagName).trim().slice(0, 60); }"""
    )


def _cited_passage_in_view(page) -> dict:
    return page.evaluate(
        """() => { const t = document.querySelector(':target');
                   if (!t) return {};
                   const r = t.getBoundingClientRect();
                   return {id: t.id, top: r.top, bottom: r.bottom, height: innerHeight,
                           background: getComputedStyle(t).backgroundColor}; }"""
    )


def _wait_for_target(page) -> dict:
    page.wait_for_function(
        """() => { const t = document.querySelector(':target');
                   if (!t) return false;
                   const r = t.getBoundingClientRect(); return r.top >= 0 && r.top < innerHeight; }""",
        timeout=WAIT_MS,
    )
    return _cited_passage_in_view(page)


def test_ask_then_follow_a_citation_to_the_highlighted_passage(page, live_server):
    page.goto("/")
    page.evaluate("window.__samePage = true")
    page.fill("#question", ANSWERABLE)
    page.click("button[type=submit]")
    page.wait_for_selector("#answer-heading", timeout=WAIT_MS)
    assert page.evaluate("window.__samePage") is True  # answered by fetch, no reload
    assert page.text_content("#answer-heading") == "Answer"
    assert "leading place" in page.text_content(".answer-text")
    assert page.text_content("#status") == "Answer ready."

    cite = page.locator("a.cite").first
    href = cite.get_attribute("href")
    signed = re.fullmatch(rf"{re.escape(live_server.url)}/sources/([^?#]+)\?t=[\w.-]+#chunk-(\d+)", href)
    doc_id, chunk = signed.groups()
    cite.click()
    page.wait_for_url(re.compile(rf".*/sources/{doc_id}\?t=[\w.-]+#chunk-{chunk}$"))
    target = _wait_for_target(page)
    assert target["id"] == f"chunk-{chunk}"
    assert target["background"] == HIGHLIGHT
    assert 0 <= target["top"] < target["height"]
    document, chunks = live_server.services.index.document(doc_id)
    passage = " ".join(page.text_content(f"#chunk-{chunk}").split())
    assert passage == " ".join(chunks[int(chunk)].text.split())
    others = page.eval_on_selector_all(
        ".chunk",
        "(els, colour) => els.filter(e => getComputedStyle(e).backgroundColor === colour).length",
        HIGHLIGHT,
    )
    assert others == 1  # only the cited passage is highlighted
    assert page.title().startswith(document.title)
    assert page.console_errors == []


def test_the_query_parameter_also_lands_on_the_highlighted_passage(page):
    page.goto("/sources/lep-board-healthtech-strategy-2022?chunk=5")
    assert page.url.endswith("/sources/lep-board-healthtech-strategy-2022#chunk-5")
    target = _wait_for_target(page)
    assert target["id"] == "chunk-5"
    assert target["background"] == HIGHLIGHT


def test_keyboard_only_use(page):
    page.goto("/")
    order = []
    for _ in range(8):
        page.keyboard.press("Tab")
        order.append(_focused(page))
        if order[-1] == "#question":
            break
    assert order == [
        "Skip to main content",
        "West Yorkshire healthtech partner assistant",
        "Ask a question",
        "Documents",
        "API",
        "#question",
    ]
    page.keyboard.type("What are the three headline goals of the healthtech strategy?")
    page.keyboard.press("Enter")
    page.wait_for_selector("#answer-heading", timeout=WAIT_MS)
    page.wait_for_function("document.activeElement.id === 'answer-heading'", timeout=WAIT_MS)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "cite"  # next stop: the first citation
    focused = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return [s.backgroundColor, s.boxShadow]; })()"
    )
    assert focused[0] == "rgb(255, 221, 0)"  # the focus style is visible
    page.keyboard.press("Enter")
    target = _wait_for_target(page)
    assert target["background"] == HIGHLIGHT


def test_the_skip_link_moves_focus_to_the_main_content(page):
    page.goto("/")
    page.keyboard.press("Tab")
    assert page.evaluate("getComputedStyle(document.activeElement).top") != "-48px"  # shown when focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_errors_are_announced_and_focus_returns_to_the_box(page):
    page.goto("/")
    page.click("button[type=submit]")
    page.wait_for_selector("#error-summary:not([hidden])", timeout=WAIT_MS)
    assert page.get_attribute("#error-summary", "role") == "alert"
    assert "The question is empty" in page.text_content("#error-summary")
    assert page.get_attribute("#question", "aria-invalid") == "true"
    assert "question-error" in page.get_attribute("#question", "aria-describedby")
    assert page.evaluate("document.activeElement.id") == "question"
    assert page.title().startswith("Error: ")
    page.fill("#question", ANSWERABLE)
    page.keyboard.press("Enter")
    page.wait_for_selector("#answer-heading", timeout=WAIT_MS)
    assert page.is_hidden("#error-summary")
    assert page.get_attribute("#question", "aria-invalid") is None
    assert not page.title().startswith("Error: ")


def test_hostile_text_is_shown_as_text_and_never_runs(page):
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto("/")
    hostile = "<img src=x onerror=alert(1)><script>alert(2)</script> front door?"
    page.fill("#question", hostile)
    page.keyboard.press("Enter")
    page.wait_for_selector("#answer-heading", timeout=WAIT_MS)
    assert page.text_content(".question-echo q") == " ".join(hostile.split())
    assert page.locator("#answer img, #answer script").count() == 0
    assert dialogs == []


def test_unanswered_question_shows_the_not_found_message(page):
    page.goto("/")
    page.fill("#question", UNANSWERABLE)
    page.keyboard.press("Enter")
    page.wait_for_selector("#answer-heading", timeout=WAIT_MS)
    assert page.text_content("#answer-heading") == "No answer in the documents"
    assert "I couldn't find that in the cluster's documents." in page.text_content(".answer-text")
    assert page.text_content(".front-door") == (
        "For help from a person, ask the cluster's front door channel, #healthtech-front-door."
    )


def test_without_javascript_the_form_posts_and_the_citation_still_works(browser, live_server):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    try:
        page.goto(live_server.services.links.session(PARTNERS))
        with page.expect_navigation():
            page.click("button[type=submit]")  # empty: the server re-renders with the error
        assert page.evaluate("document.activeElement.id") == "error-summary"  # read out first
        assert "The question is empty" in page.text_content("#error-summary")
        page.fill("#question", ANSWERABLE)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.text_content("#answer-heading") == "Answer"
        href = page.get_attribute("a.cite", "href")
        page.click("a.cite")
        page.wait_for_url(href)
        target = _cited_passage_in_view(page)
        assert target["id"] == href.rsplit("#", 1)[1]
        assert target["background"] == HIGHLIGHT
    finally:
        context.close()


def test_without_a_session_the_site_says_it_is_private_and_how_to_get_in(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    try:
        response = page.goto("/")
        assert response.status == 401
        assert page.text_content("h1") == "This partnerbot is private"
        assert "partnerbot link" in page.text_content("main")
        assert _axe_violations(page) == []
    finally:
        context.close()


def test_a_session_that_ends_while_the_page_is_open_says_so(page):
    page.goto("/")
    page.context.clear_cookies()
    page.fill("#question", ANSWERABLE)
    page.keyboard.press("Enter")
    page.wait_for_selector("#error-summary:not([hidden])", timeout=WAIT_MS)
    assert "Your session has ended" in page.text_content("#error-summary")
    assert page.evaluate("document.activeElement.id") == "question"


def test_swagger_ui_renders_offline_within_the_csp(page):
    page.goto("/docs")
    page.wait_for_selector('.opblock-summary-path[data-path="/api/ask"]', timeout=WAIT_MS)
    assert page.locator(".opblock").count() >= 4
    assert page.console_errors == []


def test_the_page_looks_right(page, tmp_path):
    """Not a pixel comparison: the screenshot is kept for a person to look at when this fails."""
    page.goto("/")
    page.fill("#question", ANSWERABLE)
    page.keyboard.press("Enter")
    page.wait_for_selector("ol.sources li", timeout=WAIT_MS)
    page.screenshot(path=str(tmp_path / "ask.png"), full_page=True)
    box = page.locator("#question").bounding_box()
    button = page.locator("button[type=submit]").bounding_box()
    assert box["width"] > 300 and button["height"] >= 24 and button["width"] >= 24  # WCAG 2.5.8 target size
    assert abs(box["y"] - button["y"]) < 10  # box and button on one row
    assert page.console_errors == []


def _axe_violations(page) -> list[str]:
    """axe-core (shipped inside the axe-playwright-python wheel) with the WCAG 2.x A and AA rules."""
    from axe_playwright_python.base import AXE_SCRIPT

    page.evaluate(AXE_SCRIPT)  # through the DevTools protocol, so the page's CSP does not apply
    results = page.evaluate(
        "axe.run(document, {runOnly: {type: 'tag', values: %s}})"
        % ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results["violations"]
    ]


def test_pages_pass_axe_wcag_checks(page):
    visited = {}
    page.goto("/")
    visited["ask page"] = _axe_violations(page)
    page.fill("#question", ANSWERABLE)
    page.keyboard.press("Enter")
    page.wait_for_selector("ol.sources li", timeout=WAIT_MS)
    visited["answer"] = _axe_violations(page)
    page.fill("#question", "")
    page.keyboard.press("Enter")
    page.wait_for_selector("#error-summary:not([hidden])", timeout=WAIT_MS)
    visited["error"] = _axe_violations(page)
    page.goto("/sources/lep-board-healthtech-strategy-2022#chunk-3")
    visited["viewer"] = _axe_violations(page)
    page.goto("/sources")
    visited["documents"] = _axe_violations(page)
    page.goto("/sources/no-such-document")
    visited["404"] = _axe_violations(page)
    assert {name: found for name, found in visited.items() if found} == {}
