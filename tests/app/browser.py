"""A small headless-Chromium driver over the DevTools protocol: open a page, wait for Streamlit, screenshot."""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from websockets.sync.client import connect

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
)
# Tall enough for most pages: resizing after load makes Streamlit re-lay out (and slide the sidebar).
VIEWPORT = (1440, 2000)
# What the page shows once a run finished: an exception box, error alerts, the text (for stability).
PAGE_STATE_JS = """
(() => {
  const main = document.querySelector('[data-testid="stMainBlockContainer"]');
  return JSON.stringify({
    ready: !!main && !!main.querySelector('h1') && !document.querySelector('[data-testid="stSkeleton"]'),
    running: !!document.querySelector('[data-testid="stStatusWidgetRunningIcon"], [data-testid="stStatusWidgetRunningManIcon"]'),
    exceptions: [...document.querySelectorAll('[data-testid="stException"]')].map(e => e.innerText.slice(0, 300)),
    errors: [...document.querySelectorAll('[data-testid="stAlertContentError"]')].map(e => e.innerText.slice(0, 300)),
    title: main && main.querySelector('h1') ? main.querySelector('h1').innerText : '',
    text_length: main ? main.innerText.length : 0,
    charts: document.querySelectorAll('[data-testid="stPlotlyChart"] .main-svg').length,
    url: location.href,
  });
})()
"""


def chromium_path() -> str | None:
    """The Chromium binary, or None when it is not installed."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_http(url: str, timeout: float = 60) -> None:
    """Poll `url` until it answers 200, or raise TimeoutError."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2) as response:
            if response.status == 200:
                return
        time.sleep(0.3)
    raise TimeoutError(f"nothing answered at {url}")


class Browser:
    """One headless Chromium tab driven over the DevTools protocol."""

    def __init__(self, websocket) -> None:
        self._ws = websocket
        self._ids = itertools.count(1)

    def call(self, method: str, **params) -> dict:
        """Send a DevTools command and return its result (events in between are skipped)."""
        message_id = next(self._ids)
        self._ws.send(json.dumps({"id": message_id, "method": method, "params": params}))
        while True:
            message = json.loads(self._ws.recv(timeout=60))
            if message.get("id") == message_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def evaluate(self, expression: str) -> object:
        """The value of a JavaScript expression in the page."""
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result.get("result", {}).get("value")

    def open(self, url: str, timeout: float = 45) -> dict:
        """Navigate to `url` and wait for the page (see `wait_for_page`)."""
        self.call("Page.navigate", url=url)
        return self.wait_for_page(timeout)

    def wait_for_page(self, timeout: float = 45) -> dict:
        """Wait until Streamlit finished the run and the page stopped changing; returns its state."""
        deadline = time.monotonic() + timeout
        last, stable_since = None, time.monotonic()
        state: dict = {}
        while time.monotonic() < deadline:
            time.sleep(0.25)
            state = json.loads(self.evaluate(PAGE_STATE_JS) or "{}")
            signature = (state.get("text_length"), state.get("charts"), state.get("running"))
            if signature != last:
                last, stable_since = signature, time.monotonic()
            elif state.get("ready") and not state.get("running") and time.monotonic() - stable_since > 1.0:
                return state
        state["timed_out"] = True
        return state

    def screenshot(self, path: Path) -> None:
        """Save the page as a PNG, cut to its content (at most the viewport: Streamlit scrolls inside it)."""
        inner = self.evaluate(
            "(() => { const m = document.querySelector('[data-testid=stMain]'); return m ? m.scrollHeight : 0; })()"
        )
        height = min(max(int(inner or 0), 600), VIEWPORT[1])
        clip = {"x": 0, "y": 0, "width": VIEWPORT[0], "height": height, "scale": 1}
        shot = self.call("Page.captureScreenshot", format="png", clip=clip)
        path.write_bytes(base64.b64decode(shot["data"]))

    def resize(self, width: int, height: int) -> None:
        """Set the viewport size."""
        self.call(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=False,
        )

    def type_into(self, selector: str, text: str) -> None:
        """Focus the element matching the CSS `selector` and type `text` as keystrokes would."""
        found = self.evaluate(
            f"(() => {{ const e = document.querySelector({json.dumps(selector)}); if (e) e.focus(); return !!e; }})()"
        )
        if not found:
            raise LookupError(selector)
        self.call("Input.insertText", text=text)

    def login(self, username: str, password: str, timeout: float = 45) -> dict:
        """Sign in through the login form the dashboard shows, then wait for the page it opens."""
        self.type_into('input[type="text"]', username)
        self.type_into('input[type="password"]', password)
        # The form's submit button (the first button in the form is the password field's show/hide toggle).
        self.evaluate(
            'document.querySelector(\'[data-testid="stForm"] [data-testid$="FormSubmit"]\').click()'
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            time.sleep(0.25)
            if not self.evaluate("!!document.querySelector('input[type=\"password\"]')"):
                break
        return self.wait_for_page(timeout)

    def click_tab(self, index: int) -> None:
        """Click the index-th tab of the page (to show a tab's content before a screenshot)."""
        self.evaluate(f"document.querySelectorAll('[role=tab]')[{index}].click()")
        time.sleep(1.5)


@contextlib.contextmanager
def chromium(binary: str) -> Iterator[Browser]:
    """Start headless Chromium with a throwaway profile and yield a driver for its first tab."""
    port = free_port()
    # Chromium may still write to its profile while it exits: ignore what is left behind.
    with tempfile.TemporaryDirectory(prefix="chromium-", ignore_cleanup_errors=True) as profile:
        process = subprocess.Popen(
            [binary, *CHROMIUM_FLAGS, f"--remote-debugging-port={port}", f"--user-data-dir={profile}",
             f"--window-size={VIEWPORT[0]},{VIEWPORT[1]}", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            wait_for_http(f"http://127.0.0.1:{port}/json/version", timeout=30)
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=5) as response:
                targets = json.load(response)
            page = next(t for t in targets if t.get("type") == "page")
            with connect(page["webSocketDebuggerUrl"], max_size=None, open_timeout=20) as websocket:
                browser = Browser(websocket)
                browser.call("Page.enable")
                browser.resize(*VIEWPORT)
                yield browser
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
