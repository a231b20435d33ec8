"""The web pages in a real browser: Debian's chromium, driven through chromium-driver by selenium,
loads `python -m bot web`'s pages over loopback as a reader would, from the front page to a topic
to a story, in the language the browser asks for. Skips, saying why, where chromium or its driver
is not installed; `.ci/run` installs both so it runs in CI.

With BRIEFBOT_SCREENSHOT=<path>, the story page's screenshot (the README's) is also saved there."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.pages_site import DemoSite, bot_web, build_demo_store

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install -e '.[dev]')")
from selenium.common.exceptions import NoAlertPresentException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402

CHROMIUM = shutil.which("chromium")
DRIVER = shutil.which("chromedriver")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage")

pytestmark = pytest.mark.skipif(
    not (CHROMIUM and DRIVER),
    reason="no real browser: install Debian's chromium and chromium-driver (apt-get; .ci/run does)",
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> DemoSite:
    return build_demo_store(tmp_path_factory.mktemp("browser"))


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[webdriver.Chrome]:
    """Headless chromium with a fresh profile, asking for French first, phone-width."""
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM or ""
    for flag in (*FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--window-size=480,1600"):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"intl.accept_languages": "fr-FR,fr,en"})
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=DRIVER))
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def _no_alert(driver: webdriver.Chrome) -> bool:
    try:
        driver.switch_to.alert  # noqa: B018 - raises when no alert is open
    except NoAlertPresentException:
        return True
    return False


def test_front_topic_and_story_pages_in_a_real_browser(site: DemoSite, browser: webdriver.Chrome,
                                                        tmp_path: Path) -> None:
    with bot_web(site, tmp_path) as base:
        browser.get(f"{base}/")
        page = browser.find_element(By.TAG_NAME, "html")
        assert page.get_attribute("lang") == "fr", "the browser's Accept-Language chose French"
        assert browser.find_element(By.TAG_NAME, "h1").text == "Points d'actualité"

        browser.find_element(By.CSS_SELECTOR, "a[href^='/topic/ukraine-aid']").click()
        assert browser.find_element(By.TAG_NAME, "h1").text == "Aide à l'Ukraine"
        browser.find_element(By.CSS_SELECTOR, f"article h2 a[href^='/story/{site.pledge_story}']").click()
        assert browser.current_url == f"{base}/story/{site.pledge_story}?lang=fr"
        _assert_pledge_once(browser, "35 milliards de dollars")

        browser.find_element(By.CSS_SELECTOR, "a[hreflang='en']").click()
        assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
        _assert_pledge_once(browser, "$35 billion")
        quotes = browser.find_element(By.CSS_SELECTOR, "ul.quotes")
        assert quotes.value_of_css_property("list-style-type") == "none", "the stylesheet loads under the CSP"
        shot = browser.get_screenshot_as_png()
        assert shot.startswith(b"\x89PNG")
        if os.environ.get("BRIEFBOT_SCREENSHOT"):
            Path(os.environ["BRIEFBOT_SCREENSHOT"]).write_bytes(shot)


def _assert_pledge_once(browser: webdriver.Chrome, figure: str) -> None:
    """The pledge is one item of the pledges, its sentences quoted from French and English articles."""
    items = [li for li in browser.find_elements(By.CSS_SELECTOR, "section.pledges ul.facts > li")
             if figure in li.find_element(By.CSS_SELECTOR, "p.fact").text]
    assert len(items) == 1, f"{figure} is listed once"
    quotes = items[0].find_elements(By.TAG_NAME, "blockquote")
    assert {q.get_attribute("lang") for q in quotes} == {"fr", "en"}
    assert all(q.is_displayed() for q in quotes)
    outlets = {c.text.split(" — ")[0] for c in items[0].find_elements(By.TAG_NAME, "cite")}
    assert {"le-veilleur", "alliance-wire"} <= outlets


def test_a_feed_title_carrying_script_renders_as_text(site: DemoSite, browser: webdriver.Chrome,
                                                      tmp_path: Path) -> None:
    with bot_web(site, tmp_path) as base:
        browser.get(f"{base}/story/{site.hostile_story}?lang=en")
        assert "<script>x</script>" in browser.find_element(By.TAG_NAME, "h1").text
        assert browser.find_elements(By.TAG_NAME, "script") == []
        assert browser.find_elements(By.CSS_SELECTOR, "main b") == []
        assert _no_alert(browser)
