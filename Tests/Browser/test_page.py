"""The drawing page in a real headless Chromium against a real `digits serve`.

Draws digits with mouse and touch strokes, checks the guess and its bars, confirms one,
corrects one, watches the count to retraining fall and a new model version arrive after ten,
tries a blank pad and a server that has gone away, and saves screenshots at desktop and phone
sizes. Needs chromium, chromium-driver and selenium; run by scripts/test, or alone:

    DIGITS_BIN=.build/release/digits MNIST_DIR=../shared/data/mnist python3 -m unittest Tests/Browser/test_page.py
"""
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.request

from selenium import webdriver
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.actions import interaction
from selenium.webdriver.common.actions.action_builder import ActionBuilder
from selenium.webdriver.common.actions.pointer_input import PointerInput
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support.ui import WebDriverWait

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DIGITS = os.environ.get("DIGITS_BIN", os.path.join(ROOT, ".build", "release", "digits"))
MNIST = os.environ.get("MNIST_DIR", os.path.join(os.path.dirname(ROOT), "shared", "data", "mnist"))
SCREENSHOTS = os.environ.get("SCREENSHOT_DIR", os.path.join(ROOT, ".build", "screenshots"))
TOKEN = "browser-test-token"

# A "1" and a "7" as strokes in the pad's 0..1 square.
ONE = [[(0.5, 0.15), (0.5, 0.85)]]
SEVEN = [[(0.22, 0.2), (0.78, 0.2), (0.42, 0.85)]]
# Scribbles that leave the first model unsure (found by drawing random ones), tried in turn
# until one does: each is a single stroke.
UNSURE_CANDIDATES = [
    [[(0.64, 0.62), (0.24, 0.68), (0.55, 0.36), (0.22, 0.76), (0.48, 0.65)]],
    [[(0.53, 0.80), (0.37, 0.32), (0.22, 0.16), (0.26, 0.52)]],
    [[(0.31, 0.28), (0.65, 0.74), (0.36, 0.70), (0.26, 0.72)]],
    [[(0.53, 0.77), (0.72, 0.75), (0.78, 0.23), (0.35, 0.17)]],
    [[(0.39, 0.31), (0.68, 0.32), (0.31, 0.45)]],
    [[(0.49, 0.55), (0.44, 0.68)]],
]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def chrome(width, height, phone=False):
    options = webdriver.ChromeOptions()
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", f"--window-size={width},{height}"):
        options.add_argument(argument)
    if shutil.which("chromium"):
        options.binary_location = shutil.which("chromium")
    if phone:
        options.add_experimental_option(
            "mobileEmulation", {"deviceMetrics": {"width": width, "height": height, "pixelRatio": 3, "touch": True}})
    service = Service(shutil.which("chromedriver") or "/usr/bin/chromedriver")
    return webdriver.Chrome(options=options, service=service)


# For each visible element with text of its own: its text colour (SVG text: its fill) against
# the first opaque background among it and its ancestors, alpha-blended, as WCAG's contrast
# ratio (L1 + 0.05) / (L2 + 0.05) of relative luminances. Returns the failures.
CONTRAST_AUDIT = """
const parse = (c) => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return null;
  const p = m[1].split(',').map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
const over = (top, bottom) => [0, 1, 2].map(i => top[i] * top[3] + bottom[i] * (1 - top[3])).concat([1]);
const luminance = (c) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
const background = (element) => { const layers = [];
  for (let e = element; e; e = e.parentElement) { const c = parse(getComputedStyle(e).backgroundColor);
    if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; } }
  return layers.reverse().reduce((under, layer) => over(layer, under), [255, 255, 255, 1]); };
const failures = []; let checked = 0;
for (const element of document.querySelectorAll('body *')) {
  const ownText = [...element.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
  if (!ownText || element.closest('[hidden]') || element.getClientRects().length === 0) continue;
  const style = getComputedStyle(element);
  if (style.visibility === 'hidden' || style.display === 'none' || element.disabled) continue;
  const isSVG = element instanceof SVGElement;
  const colour = parse(isSVG ? style.fill : style.color); if (!colour) continue;
  const back = background(isSVG ? element.closest('svg') : element);
  const a = luminance(over(colour, back)), b = luminance(back);
  const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  const size = parseFloat(style.fontSize), bold = parseInt(style.fontWeight) >= 700;
  const needed = size >= 24 || (size >= 18.66 && bold) ? 3 : 4.5;
  checked += 1;
  if (ratio < needed) failures.push(`${element.tagName.toLowerCase()}${element.id ? '#' + element.id : ''}.${element.className.baseVal ?? element.className} "${element.textContent.trim().slice(0, 30)}": ${ratio.toFixed(2)}:1 < ${needed}:1`);
}
window.__contrastChecked = checked;
return failures;
"""


class PageTests(unittest.TestCase):
    """One person's session, in order: the tests share the server and the browser."""

    @classmethod
    def setUpClass(cls):
        cls.folder = tempfile.mkdtemp(prefix="digits-browser-")
        cls.port = free_port()
        cls.url = f"http://127.0.0.1:{cls.port}"
        cls.log = open(os.path.join(cls.folder, "server.log"), "w")
        environment = dict(os.environ, DIGITS_ADMIN_TOKEN=TOKEN, DIGITS_STORES_PER_MINUTE="0")
        cls.server = subprocess.Popen(
            [DIGITS, "serve", "--database", os.path.join(cls.folder, "digits.sqlite"), "--port", str(cls.port), "--data", MNIST],
            stdout=cls.log, stderr=subprocess.STDOUT, env=environment)
        deadline = time.time() + 300
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(cls.url + "/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                if cls.server.poll() is not None:
                    raise RuntimeError("digits serve stopped: " + open(cls.log.name).read()[-2000:])
            time.sleep(0.5)
        else:
            raise RuntimeError("digits serve did not become healthy")
        os.makedirs(SCREENSHOTS, exist_ok=True)
        cls.driver = chrome(1280, 900)

    @classmethod
    def tearDownClass(cls):
        cls.driver.quit()
        if cls.server.poll() is None:
            cls.server.kill()
            cls.server.wait()
        cls.log.close()
        shutil.rmtree(cls.folder, ignore_errors=True)

    # Helpers

    def api(self, path):
        with urllib.request.urlopen(self.url + path, timeout=5) as response:
            return json.load(response)

    def element(self, element_id):
        return self.driver.find_element(By.ID, element_id)

    def wait(self, condition, seconds=15, message=""):
        return WebDriverWait(self.driver, seconds, poll_frequency=0.1).until(lambda _: condition(), message)

    def text(self, element_id):
        return self.element(element_id).text

    def open_page(self):
        self.driver.get(self.url + "/")
        # A reload keeps the scroll position; each test starts at the top.
        self.driver.execute_script("window.scrollTo(0, 0)")
        self.wait(lambda: self.text("model-version").startswith("version"), message="the model panel did not load")

    def scheme(self, name):
        """Emulates the system's colour scheme ('light' or 'dark') and reloads the page in it."""
        self.driver.execute_cdp_cmd(
            "Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": name}]})
        self.open_page()

    def pad_box(self):
        return self.driver.execute_script(
            "const c = document.getElementById('pad'); const b = c.getBoundingClientRect();"
            "return {w: c.clientWidth, h: c.clientHeight};")

    def offsets(self, point):
        """Selenium's offsets are from the element's centre, in CSS pixels."""
        box = self.pad_box()
        return round((point[0] - 0.5) * box["w"]), round((point[1] - 0.5) * box["h"])

    def draw_with_mouse(self, strokes):
        pad = self.element("pad")
        for stroke in strokes:
            actions = ActionChains(self.driver, duration=10)
            actions.move_to_element_with_offset(pad, *self.offsets(stroke[0])).click_and_hold()
            for start, end in zip(stroke, stroke[1:]):
                for step in range(1, 11):
                    t = step / 10
                    point = (start[0] + (end[0] - start[0]) * t, start[1] + (end[1] - start[1]) * t)
                    actions.move_to_element_with_offset(pad, *self.offsets(point))
            actions.release().perform()

    def draw_with_touch(self, strokes):
        pad = self.element("pad")
        for stroke in strokes:
            finger = ActionBuilder(self.driver, mouse=PointerInput(interaction.POINTER_TOUCH, "finger"), duration=10)
            finger.pointer_action.move_to(pad, *self.offsets(stroke[0])).pointer_down()
            for start, end in zip(stroke, stroke[1:]):
                for step in range(1, 11):
                    t = step / 10
                    point = (start[0] + (end[0] - start[0]) * t, start[1] + (end[1] - start[1]) * t)
                    finger.pointer_action.move_to(pad, *self.offsets(point))
            finger.pointer_action.pointer_up()
            finger.perform()

    def ink_at(self, point):
        """Whether the pad's pixel under `point` (0..1) is dark."""
        return self.driver.execute_script(
            "const c = document.getElementById('pad'); const d = c.getContext('2d')"
            ".getImageData(Math.floor(arguments[0] * c.width), Math.floor(arguments[1] * c.height), 1, 1).data;"
            "return d[0] < 128;", point[0], point[1])

    def wait_for_guess(self):
        self.wait(lambda: self.element("guess-panel").is_displayed() and self.text("digit") != "?", message="no guess shown")
        return int(self.element("digit").get_attribute("data-digit"))

    def confirm_guess(self):
        """Correct, or where the page is not sure, the first digit it offers (the guess)."""
        if self.element("correct").is_displayed():
            self.element("correct").click()
        else:
            self.driver.find_element(By.CSS_SELECTOR, "#candidates button").click()

    def on_screen(self, selector):
        """Whether the element is wholly inside the viewport, unscrolled."""
        return self.driver.execute_script(
            "const e = document.querySelector(arguments[0]); if (!e) return false; const b = e.getBoundingClientRect();"
            "return b.width > 0 && b.top >= 0 && b.left >= 0 && b.bottom <= innerHeight && b.right <= innerWidth;", selector)

    def digits_until_retraining(self):
        return self.api("/api/model")["digitsUntilRetraining"]

    # The session

    def test_1_a_blank_pad_gets_a_prompt_not_a_guess(self):
        self.open_page()
        self.element("guess").click()
        self.wait(lambda: "Draw a digit first" in self.text("message"))
        self.assertFalse(self.element("guess-panel").is_displayed())

    def test_2_mouse_strokes_land_under_the_pointer_and_get_a_live_guess(self):
        self.open_page()
        # Scroll the pad part-way up: strokes must still land under the pointer.
        self.driver.execute_script("window.scrollTo(0, 60)")
        self.draw_with_mouse(ONE)
        self.assertTrue(self.ink_at((0.5, 0.5)), "no ink under the stroke")
        self.assertFalse(self.ink_at((0.2, 0.5)), "ink away from the stroke")
        # No Guess click: the live guess comes by itself.
        self.assertEqual(self.wait_for_guess(), 1)
        bars = self.driver.find_elements(By.CSS_SELECTOR, "#bars li")
        self.assertEqual(len(bars), 10)
        top = self.driver.find_elements(By.CSS_SELECTOR, "#bars li.top")
        self.assertEqual(len(top), 1)
        self.assertTrue(top[0].text.startswith("1"))
        self.assertRegex(top[0].find_element(By.CLASS_NAME, "value").text, r"^\d+\.\d%$")
        self.assertIn("not probabilities", self.driver.find_element(By.CLASS_NAME, "note").text)
        self.assertTrue(self.element("seen").get_attribute("src").startswith("data:image/png;base64,"))
        self.assertTrue(self.element("keyboard-hint").is_displayed(), "a desktop with a mouse lost its keyboard hint")
        self.assertEqual(self.text("verdict-lead"), "It reads")
        # Screen readers hear the guess from a polite live region.
        said = self.element("guess-said")
        self.assertEqual(said.get_attribute("aria-live"), "polite")
        self.assertEqual(said.get_attribute("textContent"), "Read as 1, sure")
        self.driver.save_screenshot(os.path.join(SCREENSHOTS, "desktop-guess.png"))

    def test_3_correct_stores_the_guess_once_and_the_count_falls(self):
        before = self.digits_until_retraining()
        total = self.api("/api/digits")["total"]
        # A double click must not store the digit twice.
        ActionChains(self.driver).double_click(self.element("correct")).perform()
        self.wait(lambda: "Stored as a 1" in self.text("message"), message=self.text("message"))
        self.assertIn(f"{before - 1} more digits until the model retrains", self.text("message"))
        self.assertEqual(self.api("/api/digits")["total"], total + 1)
        self.assertTrue(self.element("guess-empty").is_displayed(), "the pad was not cleared")
        self.wait(lambda: self.text("model-next") == f"after {before - 1} more digits")
        self.wait(lambda: len(self.driver.find_elements(By.CSS_SELECTOR, "#gallery img")) == total + 1)
        # After an answer, a digit to draw next, chosen from the live model's mistakes; it goes
        # once the next guess shows.
        self.wait(lambda: self.element("prompt").is_displayed(), message="no suggestion after the answer")
        self.assertRegex(self.text("prompt"), r"^Next, if you like: Draw a \d: ")
        self.draw_with_mouse(ONE)
        self.wait_for_guess()
        self.wait(lambda: not self.element("prompt").is_displayed(), message="the suggestion stayed beside the guess")
        self.element("clear").click()

    def test_4_wrong_lets_the_person_pick_the_right_digit(self):
        self.draw_with_mouse(SEVEN)
        self.wait_for_guess()
        self.element("wrong").click()
        self.assertTrue(self.element("picker").is_displayed())
        self.driver.find_element(By.CSS_SELECTOR, "#picker-digits button[aria-label='It is a 4']").click()
        self.wait(lambda: "Stored as a 4" in self.text("message"), message=self.text("message"))
        newest = self.api("/api/digits?per=1")["items"][0]
        self.assertEqual(newest["label"], 4)
        self.wait(lambda: self.driver.find_element(By.CSS_SELECTOR, "#gallery li div").text == "labelled 4")

    def test_4a_the_keyboard_alone_draws_a_digit(self):
        """Arrow keys move the pen, Space puts it down and lifts it: a vertical stroke reads as a 1,
        and the cursor ring is not part of what the server is sent."""
        self.driver.execute_script("document.getElementById('pad').focus()")
        keys = ActionChains(self.driver)
        keys.send_keys(Keys.ARROW_UP * 15 + Keys.SPACE + Keys.ARROW_DOWN * 30 + Keys.SPACE).perform()
        self.assertTrue(self.ink_at((0.5, 0.5)))
        self.assertTrue(self.ink_at((0.5, 0.25)) and self.ink_at((0.5, 0.75)))
        self.assertEqual(self.wait_for_guess(), 1)
        # Sent without the ring: the 28x28 the network saw has no ink left or right of the stroke.
        seen = self.driver.execute_script(
            "const i = document.getElementById('seen'); const c = document.createElement('canvas');"
            "c.width = 28; c.height = 28; const x = c.getContext('2d'); x.imageSmoothingEnabled = false;"
            "x.drawImage(i, 0, 0, 28, 28); const d = x.getImageData(0, 0, 28, 28).data;"
            "let columns = new Set(); for (let p = 0; p < 784; p++) if (d[4 * p] > 64) columns.add(p % 28);"
            "return Math.max(...columns) - Math.min(...columns) + 1;")
        self.assertLessEqual(seen, 8, "the stroke the network saw is too wide: the cursor went with it?")
        self.driver.save_screenshot(os.path.join(SCREENSHOTS, "desktop-keyboard.png"))
        keys = ActionChains(self.driver)
        keys.send_keys(Keys.ESCAPE).perform()
        self.wait(lambda: not self.element("guess-panel").is_displayed())

    def test_5_ten_digits_bring_a_new_model_version(self):
        for _ in range(self.digits_until_retraining() - 1):
            self.draw_with_mouse(ONE)
            self.wait_for_guess()
            before = self.text("message")
            self.confirm_guess()
            # The count in the message changes with every store; the previous store's message
            # must not pass for this one's, or the next click can land while this one is sent.
            self.wait(lambda: "Stored as" in self.text("message") and self.text("message") != before)
        self.draw_with_mouse(ONE)
        self.wait_for_guess()
        self.confirm_guess()
        self.wait(lambda: "retraining has started (version 2)" in self.text("message"), message=self.text("message"))
        self.wait(lambda: self.text("model-version") == "version 2", seconds=120, message="version 2 never went live")
        self.wait(lambda: len(self.driver.find_elements(By.CSS_SELECTOR, "#chart circle.test")) == 2)
        # The news came pushed: the page holds the status stream open (an open stream is no
        # finished resource, so it is not listed) and reads /api/model only after each store.
        reads = "return performance.getEntriesByType('resource').map((e) => e.name)"
        requests = self.driver.execute_script(reads)
        polls = sum(name.endswith("/api/model") for name in requests)
        self.assertEqual(polls, sum(name.endswith("/api/digits") for name in requests), requests)
        time.sleep(6)  # polling idle would read /api/model every 5 s
        later = sum(name.endswith("/api/model") for name in self.driver.execute_script(reads))
        self.assertEqual(later, polls, "the page polled /api/model while its status stream was open")
        self.driver.save_screenshot(os.path.join(SCREENSHOTS, "desktop-retrained.png"))
        self.driver.execute_script("document.querySelector('.model').scrollIntoView()")
        self.driver.save_screenshot(os.path.join(SCREENSHOTS, "desktop-model-and-gallery.png"))

    # Records the JSON of the page's last explained guess, as the page received it.
    RECORD_EXPLAINED = """
    if (!window.__recording) {
      window.__recording = true;
      const original = window.fetch;
      window.fetch = async (...args) => {
        const response = await original(...args);
        if (String(args[0]).includes('explain=1')) response.clone().json().then((json) => { window.__explained = json; });
        return response;
      };
    }
    window.__explained = null;
    """

    def test_5f_a_drawn_digit_lights_the_neurons_the_api_says(self):
        """Each hidden neuron's bar is its activation in the guess's explanation, the neurons that
        pushed the guess most are marked, and pointing at one opens its detail."""
        self.open_page()
        self.wait(lambda: len(self.driver.find_elements(By.CSS_SELECTOR, "#neurons .neuron")) == 30, message="no hidden neurons drawn")
        self.assertIn("784-30-10", self.text("inside-shape"))
        self.driver.execute_script(self.RECORD_EXPLAINED)
        self.draw_with_mouse(SEVEN)
        digit = self.wait_for_guess()
        self.wait(lambda: self.driver.execute_script("return window.__explained") is not None, message="no explained guess")
        explained = self.driver.execute_script("return window.__explained")
        self.assertEqual(explained["digit"], digit)
        self.wait(lambda: self.text("inside-summary").startswith(f"Read as {digit}"), message=self.text("inside-summary"))
        widths = self.driver.execute_script(
            "return [...document.querySelectorAll('#neurons .level span')].map((s) => parseFloat(s.style.width))")
        self.assertEqual(len(widths), 30)
        for shown, activation in zip(widths, explained["hidden"][0]):
            self.assertAlmostEqual(shown, activation * 100, places=3)
        pushes = sorted(range(30), key=lambda n: -explained["contributions"][n])[:3]
        pushes = {n for n in pushes if explained["contributions"][n] > 0}
        marked = self.driver.execute_script(
            "return [...document.querySelectorAll('#neurons .neuron')].flatMap((b, i) => b.classList.contains('pushes') ? [i] : [])")
        self.assertEqual(set(marked), pushes)
        for neuron in pushes:
            self.assertIn(f"{neuron + 1} (+", self.text("inside-summary"))
        # Pointing at a neuron shows its picture large, its activation and its ten outgoing weights.
        strongest = max(pushes, key=lambda n: explained["contributions"][n])
        button = self.driver.find_elements(By.CSS_SELECTOR, "#neurons .neuron")[strongest]
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
        ActionChains(self.driver).move_to_element(button).perform()
        self.wait(lambda: self.element("neuron-detail").is_displayed())
        self.assertEqual(self.text("detail-title"), f"Neuron {strongest + 1} of 30")
        self.assertIn(f"Activation {explained['hidden'][0][strongest]:.2f}", self.text("detail-facts"))
        self.assertEqual(len(self.driver.find_elements(By.CSS_SELECTOR, "#detail-outgoing li")), 10)
        self.assertEqual(self.driver.find_element(By.CSS_SELECTOR, "#detail-outgoing li.guessed .name").text, str(digit))
        label = button.get_attribute("aria-label")
        self.assertRegex(label, rf"^Neuron {strongest + 1}: activation \d+ %, pushes the {digit} by \+")
        # The weights came once, cacheable: a version never changes.
        live = self.api("/api/model")["live"]["version"]
        with urllib.request.urlopen(f"{self.url}/api/models/{live}/network", timeout=5) as response:
            self.assertIn("max-age", response.headers["Cache-Control"])
        fetched = self.driver.execute_script(
            "return performance.getEntriesByType('resource').filter((e) => e.name.endsWith('/network')).length")
        self.assertEqual(fetched, 1)
        self.driver.execute_script("document.querySelector('.inside').scrollIntoView()")
        self.driver.save_screenshot(os.path.join(SCREENSHOTS, "desktop-inside.png"))
        self.scheme("dark")
        try:
            self.draw_with_mouse(SEVEN)
            self.wait_for_guess()
            self.wait(lambda: self.text("inside-summary").startswith("Read as"), message=self.text("inside-summary"))
            self.driver.execute_script("document.querySelector('.inside').scrollIntoView()")
            self.driver.save_screenshot(os.path.join(SCREENSHOTS, "desktop-dark-inside.png"))
        finally:
            self.scheme("light")

    def test_5g_each_version_says_what_it_changed_and_whose_digits_it_learned(self):
        """Version 2 learned this browser's digits: the page says so, and its change lists each
        digit before and after, what it learned from and why it went live."""
        self.open_page()
        versions = {v["version"]: v for v in self.api("/api/models")["versions"]}
        self.assertIn("changes", versions[2])
        self.wait(lambda: self.element("yours").is_displayed(), message="the page did not say which versions hold the visitor's digits")
        self.assertIn("version 2", self.text("yours"))
        select = self.element("change-choice")
        self.driver.execute_script("arguments[0].value = '2'; arguments[0].dispatchEvent(new Event('change'))", select)
        self.wait(lambda: self.text("change-outcome").startswith("Version 2"), message=self.text("change-outcome"))
        self.assertIn(versions[2]["reason"], self.text("change-outcome"), "why it went live is not said")
        changes = versions[2]["changes"]
        self.assertIn(f"Learned from {changes['learnedDigits']} of people's digits", self.text("change-learned"))
        # Per digit before → after, when other people's held-out digits judged it; else why not.
        judged = any(d["heldOut"] > 0 for d in changes["perDigit"])
        self.assertEqual(len(self.driver.find_elements(By.CSS_SELECTOR, "#change-digits tr")), 11 if judged else 0)
        self.assertEqual(self.element("change-judged").is_displayed(), not judged)
        self.assertTrue(self.element("change-yours").is_displayed())
        self.driver.execute_script("document.querySelector('.changes').scrollIntoView()")
        self.driver.save_screenshot(os.path.join(SCREENSHOTS, "desktop-version-changes.png"))

    def test_5h_the_chart_reads_at_twenty_versions_and_at_five_hundred(self):
        """The chart drawn from a history of 20 and of 500 versions (the page's own drawing, fed
        that history): its lines are not filled, its version labels do not overlap, dots only
        while they do not crowd, and a click chooses a version."""
        for count in (20, 500):
            history = [{
                "version": v, "isLive": v == count, "isTraining": False, "outcome": "promoted" if v % 7 else "rejected",
                "reason": "a test history", "testAccuracy": 0.95 + 0.02 * ((v * 37) % 11) / 11,
                "peopleAccuracy": None if v < 3 else 0.85 + 0.1 * ((v * 13) % 17) / 17, "trainedOn": 1000, "peopleDigits": 10 * v,
            } for v in range(count, 0, -1)]
            self.open_page_with_history(history)
            labels = self.driver.execute_script(
                "return [...document.querySelectorAll('#chart text.label')].filter((t) => t.textContent.startsWith('v'))"
                ".map((t) => { const b = t.getBoundingClientRect(); return [b.left, b.right]; })")
            self.assertGreater(len(labels), 2)
            self.assertLessEqual(len(labels), 9)
            labels.sort()
            for (_, right), (left, _) in zip(labels, labels[1:]):
                self.assertLessEqual(right, left, f"version labels overlap at {count} versions")
            fills = self.driver.execute_script(
                "return [...document.querySelectorAll('#chart polyline')].map((p) => getComputedStyle(p).fill)")
            self.assertEqual(set(fills), {"none"}, "a line is drawn filled")
            dots = len(self.driver.find_elements(By.CSS_SELECTOR, "#chart circle"))
            self.assertEqual(dots > 0, count <= 40)
            chart = self.element("chart")
            self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", chart)
            ActionChains(self.driver).move_to_element_with_offset(chart, 0, 0).click().perform()
            middle = int(self.driver.execute_script("return document.getElementById('change-choice').value"))
            self.assertTrue(count // 3 <= middle <= 2 * count // 3 + 1, middle)
            self.driver.save_screenshot(os.path.join(SCREENSHOTS, f"desktop-chart-{count}.png"))

    def open_page_with_history(self, history):
        """Loads the page with `history` standing in for /api/models (installed before its scripts run)."""
        script = self.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": f"""
            const history = {json.dumps(history)}; const original = window.fetch;
            window.fetch = (path, ...rest) => String(path).endsWith('/api/models')
              ? Promise.resolve(new Response(JSON.stringify({{versions: history}}), {{headers: {{'Content-Type': 'application/json'}}}}))
              : original(path, ...rest);
        """})
        try:
            self.open_page()
            self.wait(lambda: len(self.driver.find_elements(By.CSS_SELECTOR, "#chart polyline")) > 0, message="no chart")
        finally:
            self.driver.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument", {"identifier": script["identifier"]})

    def test_5a_all_visible_text_meets_wcag_aa_contrast(self):
        """With every panel filled (a guess, the model chart, the gallery), each piece of visible
        text against the background it sits on: at least 4.5:1, or 3:1 for large text (WCAG 2.x AA,
        1.4.3). Disabled buttons are exempt, as WCAG exempts inactive controls."""
        self.open_page()
        self.draw_with_mouse(ONE)
        self.wait_for_guess()
        self.wait(lambda: len(self.driver.find_elements(By.CSS_SELECTOR, ".gallery-grid img")) > 0, message="the gallery is empty")
        failures = self.driver.execute_script(CONTRAST_AUDIT)
        checked = self.driver.execute_script("return window.__contrastChecked")
        self.assertGreater(checked, 30, "too few texts were checked for the audit to mean anything")
        self.assertEqual(failures, [], "text below WCAG AA contrast")
        # The same in the system's dark mode, which the page follows.
        try:
            self.scheme("dark")
            self.draw_with_mouse(ONE)
            self.wait_for_guess()
            self.wait(lambda: len(self.driver.find_elements(By.CSS_SELECTOR, ".gallery-grid img")) > 0, message="the gallery is empty")
            page = self.driver.execute_script("return getComputedStyle(document.documentElement).backgroundColor")
            self.assertEqual(page, "rgb(18, 20, 23)", "the page did not follow the dark scheme")
            self.driver.save_screenshot(os.path.join(SCREENSHOTS, "desktop-dark-guess.png"))
            failures = self.driver.execute_script(CONTRAST_AUDIT)
            self.assertEqual(failures, [], "text below WCAG AA contrast in dark mode")
        finally:
            self.scheme("light")

    def test_5b_the_mistakes_matrix_opens_the_misread_drawings(self):
        """A 7 labelled 4 until one is held out: the live version's matrix has it in row 4, and its
        cell opens the drawing."""
        self.open_page()
        for _ in range(5):
            self.driver.execute_script("window.scrollTo(0, 0)")  # the picker's focus scrolled
            self.draw_with_mouse(SEVEN)
            read = self.wait_for_guess()
            before = self.text("message")
            self.element("wrong").click()
            self.driver.find_element(By.CSS_SELECTOR, "#picker-digits button[aria-label='It is a 4']").click()
            self.wait(lambda: "Stored as a 4" in self.text("message") and self.text("message") != before, message=self.text("message"))
            if "kept aside" in self.text("message"):
                break
        else:
            self.fail("five stores and none held out")
        live = self.api("/api/model")["live"]["version"]
        matrix = self.api(f"/api/models/{live}/confusion")
        self.assertGreaterEqual(matrix["matrix"][4][read], 1, matrix)
        self.open_page()
        cell = f"#confusion button[aria-label$='of 4 read as {read}']"
        self.wait(lambda: self.driver.find_elements(By.CSS_SELECTOR, cell), message="no cell for the misread 4")
        self.assertEqual(len(self.driver.find_elements(By.CSS_SELECTOR, "#confusion tr")), 11)
        self.assertIn(f"(live)", self.driver.find_element(By.CSS_SELECTOR, "#model-choice option:checked").text)
        self.driver.find_element(By.CSS_SELECTOR, cell).click()
        self.wait(lambda: self.element("misread").is_displayed() and self.driver.find_elements(By.CSS_SELECTOR, "#misread-list img"))
        self.assertIn(f"Drawings of 4 that version {live} read as {read}", self.text("misread-title"))
        self.driver.execute_script("document.getElementById('misread').scrollIntoView({block: 'center'})")
        self.driver.save_screenshot(os.path.join(SCREENSHOTS, "desktop-mistakes.png"))

    def test_5c_the_page_says_when_it_is_not_sure_and_offers_the_candidates(self):
        """The API's judgement (sure, candidates) as the page shows it: for a guess that is not
        sure, "Not sure: 3 or 9?" and a button per candidate that stores it."""
        self.open_page()
        for strokes in UNSURE_CANDIDATES:
            self.element("clear").click()
            self.draw_with_mouse(strokes)
            self.wait_for_guess()
            if not self.element("correct").is_displayed():
                break
        else:
            self.fail("none of the scribbles left the model unsure")
        self.assertEqual(self.text("verdict-lead"), "Not sure:")
        self.assertRegex(self.text("digit"), r"^\d(, \d)* or \d\?$")
        buttons = self.driver.find_elements(By.CSS_SELECTOR, "#candidates button")
        self.assertIn(len(buttons), (2, 3))
        self.assertEqual(self.text("wrong"), "Neither…")
        shown = self.text("digit").rstrip("?")
        self.assertEqual(self.element("guess-said").get_attribute("textContent"), f"Not sure: {shown}")
        self.driver.save_screenshot(os.path.join(SCREENSHOTS, "desktop-not-sure.png"))
        label = int(buttons[-1].text.split()[-1])
        buttons[-1].click()
        self.wait(lambda: f"Stored as a {label}" in self.text("message"), message=self.text("message"))

    def test_5d_the_model_panel_says_when_a_version_was_not_used_and_why(self):
        """An admin starts a retraining and cancels it: the panel's "Not used" row names the
        version, its outcome and the reason, pushed without a reload."""
        self.open_page()
        self.wait(lambda: "training" not in self.api("/api/model"), seconds=120, message="a retraining never ended")
        self.open_page()
        self.assertFalse(self.element("model-passed").is_displayed())
        started = self.admin("POST", "/api/model/retrain")
        self.admin("DELETE", "/api/model/training")
        expected = f"version {started['version']} cancelled"
        self.wait(lambda: self.element("model-passed").is_displayed() and self.text("model-passed").startswith(expected),
                  seconds=30, message=self.text("model-passed"))
        self.assertRegex(self.text("model-passed"), r"cancelled: cancelled (after|while|before) ")
        self.assertEqual(self.text("model-passed-row"), "Not used")

    def admin(self, method, path):
        request = urllib.request.Request(self.url + path, method=method, headers={"Authorization": f"Bearer {TOKEN}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)

    def test_5e_a_visitor_sees_and_deletes_the_digits_they_gave(self):
        self.open_page()
        mine = lambda: self.driver.find_elements(By.CSS_SELECTOR, "#mine li[data-id]")
        # A digit this browser gives is listed as its own (beside those earlier tests gave).
        for _ in range(3):
            self.draw_with_mouse(ONE)
            self.wait_for_guess()
            self.element("correct").click()
            self.wait(lambda: "Stored as a" in self.text("message"), message=self.text("message"))
        self.wait(lambda: len(mine()) > 2, message="the visitor's digits were not listed")
        total = self.api("/api/digits")["total"]
        first = mine()[0].get_attribute("data-id")
        mine()[0].find_element(By.TAG_NAME, "button").click()
        self.wait(lambda: "the next retraining learns without it" in self.text("message"), message=self.text("message"))
        self.assertNotIn(first, [item.get_attribute("data-id") for item in mine()])
        self.assertEqual(self.api("/api/digits")["total"], total - 1)
        ids = [item["id"] for item in self.api("/api/digits?per=100")["items"]]
        self.assertNotIn(first, ids, "the deleted digit is still among people's digits")
        self.driver.save_screenshot(os.path.join(SCREENSHOTS, "desktop-your-digits.png"))
        # An admin deletes anyone's digit from the gallery, with the token entered.
        self.element("admin-token").send_keys(TOKEN)
        self.driver.find_element(By.CSS_SELECTOR, "#admin-form button").click()
        gallery = lambda: self.driver.find_elements(By.CSS_SELECTOR, "#gallery li button")
        self.wait(lambda: len(gallery()) > 0, message="the gallery has no Delete buttons with the token")
        gallery()[0].click()
        self.wait(lambda: self.text("message").startswith("Deleted the"), message=self.text("message"))
        self.assertEqual(self.api("/api/digits")["total"], total - 2)
        self.element("admin-token").clear()
        self.driver.find_element(By.CSS_SELECTOR, "#admin-form button").click()
        total = self.api("/api/digits")["total"]
        # Delete all, after the browser's own confirmation.
        self.element("mine-delete-all").click()
        self.driver.switch_to.alert.accept()
        self.wait(lambda: not mine() and "Deleted your" in self.text("message"), message=self.text("message"))
        deleted = int(re.search(r"Deleted your (\d+) digit", self.text("message")).group(1))
        self.assertGreater(deleted, 0)
        self.assertEqual(self.api("/api/digits")["total"], total - deleted)

    def test_6_on_a_phone_the_pad_guess_and_answers_share_one_screen(self):
        """At 390x844 and 360x640, touch, devicePixelRatio 3: after a digit is drawn the pad, the
        guessed digit, its top bar and the answer buttons are all on screen without scrolling,
        touch strokes never scroll the page, and there is no keyboard hint."""
        for width, height in ((390, 844), (360, 640)):
            phone = chrome(width, height, phone=True)
            try:
                previous, type(self).driver = self.driver, phone
                self.open_page()
                self.assertEqual(self.driver.execute_script("return window.devicePixelRatio"), 3)
                self.assertEqual(self.driver.execute_script("return innerWidth"), width)
                self.draw_with_touch(ONE)
                self.assertEqual(self.driver.execute_script("return window.scrollY"), 0, "drawing scrolled the page")
                self.assertTrue(self.ink_at((0.5, 0.5)))
                self.assertEqual(self.wait_for_guess(), 1)
                answers = "#correct" if self.element("correct").is_displayed() else "#candidates button"
                for selector in ("#pad", "#digit", "#bars li.top", answers, "#wrong"):
                    self.assertTrue(self.on_screen(selector), f"{selector} is off screen at {width}x{height}")
                self.assertFalse(self.element("keyboard-hint").is_displayed(), "a keyboard hint on a phone")
                self.driver.save_screenshot(os.path.join(SCREENSHOTS, f"phone-{width}x{height}-guess.png"))
                # The hidden layer sits below the answers, its neurons within the screen's width.
                below = self.driver.execute_script(
                    "return document.querySelector('.inside').getBoundingClientRect().top >= "
                    "document.getElementById('wrong').getBoundingClientRect().bottom")
                self.assertTrue(below, "the inside view pushed the answers off the phone's screen")
                self.wait(lambda: self.text("inside-summary").startswith("Read as"), message=self.text("inside-summary"))
                self.driver.execute_script("document.querySelector('.inside').scrollIntoView()")
                widest = self.driver.execute_script(
                    "return Math.max(...[...document.querySelectorAll('#neurons .neuron')].map((b) => b.getBoundingClientRect().right))")
                self.assertLessEqual(widest, width)
                self.driver.save_screenshot(os.path.join(SCREENSHOTS, f"phone-{width}x{height}-inside.png"))
                self.driver.execute_script("window.scrollTo(0, 0)")
                failures = self.driver.execute_script(CONTRAST_AUDIT)
                self.assertEqual(failures, [], f"text below WCAG AA contrast at {width}x{height}")
                self.scheme("dark")
                self.draw_with_touch(ONE)
                self.wait_for_guess()
                self.driver.save_screenshot(os.path.join(SCREENSHOTS, f"phone-{width}x{height}-dark-guess.png"))
                self.driver.execute_script("document.querySelector('.inside').scrollIntoView()")
                self.driver.save_screenshot(os.path.join(SCREENSHOTS, f"phone-{width}x{height}-dark-inside.png"))
                failures = self.driver.execute_script(CONTRAST_AUDIT)
                self.assertEqual(failures, [], f"text below WCAG AA contrast at {width}x{height} in dark mode")
            finally:
                type(self).driver = previous
                phone.quit()

    def test_7_a_server_that_has_gone_is_said_in_words(self):
        self.open_page()
        self.draw_with_mouse(ONE)
        self.wait_for_guess()
        self.server.kill()
        self.server.wait()
        self.element("guess").click()
        self.wait(lambda: "cannot be reached" in self.text("message"), message=self.text("message"))
        self.driver.save_screenshot(os.path.join(SCREENSHOTS, "desktop-server-gone.png"))


if __name__ == "__main__":
    unittest.main()
