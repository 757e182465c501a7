"""Playwright with Debian's Chromium against Django's live server.

Every journey runs twice, with JavaScript on and off. A failed test leaves a
screenshot and the HTML of each page it opened under test-artifacts/.
"""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

# Playwright's sync API runs an event loop in this thread; the tests still
# use the ORM synchronously between browser steps, which is safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# The machine has no network: keep Chromium from trying to reach Google.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 800}


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"Chromium is missing at {CHROMIUM}; .ci/run installs it.")
        pytest.skip(f"No Chromium at {CHROMIUM}: apt-get install -y chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(params=["js", "nojs"])
def js(request):
    """Run the test with JavaScript on, then with it off."""
    return request.param == "js"


@pytest.fixture(autouse=True)
def no_rate_limits(settings):
    # Journeys post faster than any fan; the limits have their own tests.
    settings.RATELIMIT_ENABLE = False


def artifact_dir(node):
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", node.nodeid.split("::", 1)[-1])
    path = ARTIFACTS / name
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def open_page(browser, live_server, request, js):
    """Return a function that opens a fresh browser page on the live server."""
    pages = []

    def open_page(
        language="en", viewport=DESKTOP, javascript=None, color_scheme="light", bypass_csp=False
    ):
        context = browser.new_context(
            base_url=live_server.url,
            java_script_enabled=js if javascript is None else javascript,
            locale={"en": "en-US", "ko": "ko-KR"}[language],
            extra_http_headers={"Accept-Language": language},
            viewport=viewport,
            color_scheme=color_scheme,
            # Only the accessibility checks inject a script (axe) into pages.
            bypass_csp=bypass_csp,
        )
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        page.on(
            "console",
            lambda message: (
                page.errors.append(message.text)
                if message.type == "error" and "status of 4" not in message.text
                else None
            ),
        )
        pages.append(page)
        return page

    yield open_page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        folder = artifact_dir(request.node)
        for number, page in enumerate(pages):
            try:
                page.screenshot(path=str(folder / f"page{number}.png"), full_page=True)
                (folder / f"page{number}.html").write_text(page.content())
            except Exception as error:  # a closed page must not hide the real failure
                (folder / f"page{number}.txt").write_text(f"No capture: {error}")
    for page in pages:
        page.context.close()


@pytest.fixture
def save_screenshot(request):
    """Keep a screenshot as an artifact of the run, passed or not."""

    def save(page, name):
        page.screenshot(path=str(artifact_dir(request.node) / f"{name}.png"), full_page=True)

    return save
