"""Shared fixtures: what the class discusses, a real browser, the cache and settings.

The people, by role, and their logged-in clients are in tests/roles.py.
"""

import os
import shutil

import pytest

from tests.factories import BriefFactory

pytest_plugins = ["tests.roles", "tests.smtp"]

# Playwright's sync API runs an event loop in the test thread; Django's
# live_server and ORM calls from the test must still be allowed.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("AGORA_CHROMIUM", "/usr/bin/chromium")
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


@pytest.fixture
def brief(db):
    return BriefFactory()


# ---- browser --------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("AGORA_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_context(browser):
    """Make fresh browser contexts (separate cookies: one per person)."""
    contexts = []

    def make():
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    return new_context().new_page()


@pytest.fixture
def login(live_server, password):
    """Log a page in through the real login form."""

    def do_login(page, username: str):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{live_server.url}/")
        return page

    return do_login


@pytest.fixture(autouse=True)
def empty_cache():
    """Test databases reuse ids, epochs and versions: start each test with no cached thread state."""
    from django.core.cache import caches

    from classroom import caching
    from tests.helpers import clear_cache

    caching.forget_everything()
    clear_cache(caches["default"])  # sessions and rate-limit counters too
    yield


@pytest.fixture
def thread(group, brief):
    """An open assignment of `brief` to `group`, no special rules."""
    from tests.factories import AssignmentFactory

    return AssignmentFactory(group=group, brief=brief)


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """Hashing passwords properly is slow by design; tests do not need that strength."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def no_posting_limit_unless_asked(settings):
    """Tests post far faster than any class; the throttling tests set the limit they test."""
    settings.AGORA_POSTS_PER_MINUTE = 10_000
