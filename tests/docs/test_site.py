"""The built docs site in a headless Chromium: pages render, are not blank, log no errors.

Runs when ``SHEQUN_SITE_DIR`` names a built site (``mkdocs build --site-dir DIR``, as
.ci/run does after executing the notebooks) and Chromium is installed (Debian's
``chromium``); skipped otherwise. The site is served on 127.0.0.1 by ``http.server`` (search
and notebooks need HTTP, not ``file://``). Chromium is driven over its DevTools pipe
(``--remote-debugging-pipe``: JSON messages on file descriptors 3 and 4, no extra package):
it opens the home page and one notebook page, saves a screenshot of each (kept in
``SHEQUN_SCREENSHOT_DIR`` when set), and collects console errors, uncaught exceptions and
failed loads, of which there must be none.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import http.server
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

SITE = os.environ.get("SHEQUN_SITE_DIR")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    not SITE or not CHROMIUM, reason="needs SHEQUN_SITE_DIR (a built site) and chromium"
)
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
    "--window-size=1280,1000",
    "--remote-debugging-pipe",
]


class Browser:
    """A headless Chromium driven over the DevTools pipe (a minimal client)."""

    def __init__(self) -> None:
        assert CHROMIUM is not None
        self._profile = tempfile.TemporaryDirectory(prefix="chromium-profile-")
        import fcntl

        def high(fd: int) -> int:  # away from 3 and 4, which the shell redirects
            moved = fcntl.fcntl(fd, fcntl.F_DUPFD, 10)
            os.close(fd)
            return moved

        to_chrome_r, self._to_chrome = (high(fd) for fd in os.pipe())
        self._from_chrome, from_chrome_w = (high(fd) for fd in os.pipe())
        cmd = " ".join([CHROMIUM, *FLAGS, f"--user-data-dir={self._profile.name}"])
        self.proc = subprocess.Popen(
            ["bash", "-c", f"exec {cmd} 3<&{to_chrome_r} 4>&{from_chrome_w}"],
            pass_fds=(to_chrome_r, from_chrome_w),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buf = b""
        self._id = 0
        self.events: list[dict[str, Any]] = []

    def _read(self, timeout: float) -> dict[str, Any]:
        import select

        deadline = time.monotonic() + timeout
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self._from_chrome], [], [], max(left, 0))
            if not ready:
                raise TimeoutError("no answer from chromium")
            chunk = os.read(self._from_chrome, 1 << 16)
            if not chunk:
                raise EOFError("chromium closed the pipe")
            self._buf += chunk
        msg, self._buf = self._buf.split(b"\0", 1)
        out: dict[str, Any] = json.loads(msg)
        return out

    def call(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        self._id += 1
        msg: dict[str, Any] = {"id": self._id, "method": method, "params": params}
        if session:
            msg["sessionId"] = session
        os.write(self._to_chrome, json.dumps(msg).encode() + b"\0")
        while True:
            got = self._read(60)
            if got.get("id") == self._id:
                if "error" in got:
                    raise RuntimeError(f"{method}: {got['error']}")
                result: dict[str, Any] = got.get("result", {})
                return result
            self.events.append(got)

    def wait_for(self, method: str, timeout: float = 60) -> None:
        if any(e.get("method") == method for e in self.events):
            return
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self._read(deadline - time.monotonic())
            self.events.append(got)
            if got.get("method") == method:
                return
        raise TimeoutError(method)

    def settle(self, seconds: float) -> None:
        """Collect events for ``seconds`` (scripts that run after the load event)."""
        deadline = time.monotonic() + seconds
        while True:
            try:
                self.events.append(self._read(max(deadline - time.monotonic(), 0.01)))
            except TimeoutError:
                return

    def visit(self, url: str, png: Path) -> tuple[list[str], str]:
        """Open ``url``, save a screenshot; the page's errors and its text."""
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            self.call(f"{domain}.enable", session)
        self.events.clear()
        self.call("Page.navigate", session, url=url)
        self.wait_for("Page.loadEventFired")
        self.settle(1.0)
        shot = self.call("Page.captureScreenshot", session, format="png")
        png.write_bytes(base64.b64decode(shot["data"]))
        text = self.call(
            "Runtime.evaluate", session, expression="document.body.innerText", returnByValue=True
        )["result"].get("value", "")
        self.call("Target.closeTarget", targetId=target)
        return errors_of(self.events), str(text)

    def close(self) -> None:
        with contextlib.suppress(EOFError, TimeoutError, OSError):
            self.call("Browser.close")
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        os.close(self._to_chrome)
        os.close(self._from_chrome)
        self._profile.cleanup()


def errors_of(events: list[dict[str, Any]]) -> list[str]:
    """Console errors, uncaught exceptions and failed loads among DevTools events."""
    out = []
    for e in events:
        method, p = e.get("method"), e.get("params", {})
        if method == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            out.append("console: " + " ".join(str(a.get("value", a)) for a in p.get("args", [])))
        elif method == "Runtime.exceptionThrown":
            out.append("exception: " + json.dumps(p.get("exceptionDetails", {}))[:300])
        elif method == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
            entry = p["entry"]
            out.append(f"log: {entry.get('text')} {entry.get('url', '')}")
    return out


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    assert SITE is not None

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

    handler = functools.partial(Quiet, directory=SITE)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    b = Browser()
    yield b
    b.close()


def _shots() -> Path:
    out = Path(os.environ.get("SHEQUN_SCREENSHOT_DIR") or tempfile.mkdtemp())
    out.mkdir(parents=True, exist_ok=True)
    return out


def _spread(png: Path) -> float:
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return float(plt.imread(png)[..., :3].std())


@pytest.mark.parametrize(
    ("path", "name", "text"),
    [
        ("/", "home", "shequn 社群 documentation"),
        ("/notebooks/getting-started/", "notebook", "Getting started"),
    ],
)
def test_page_renders_without_console_errors(
    server: str, browser: Browser, path: str, name: str, text: str
) -> None:
    png = _shots() / f"{name}.png"
    errors, body = browser.visit(server + path, png)
    assert not errors, "\n".join(errors)
    assert text in body
    assert _spread(png) > 0.05, f"{png} looks blank"


def test_the_notebook_page_shows_the_executed_figures(server: str, browser: Browser) -> None:
    """CI executes the notebooks before the build: the page carries their figures."""
    page = (Path(SITE or "") / "notebooks" / "getting-started" / "index.html").read_text(
        encoding="utf-8"
    )
    assert page.count("data:image/png") >= 1, "the notebook was rendered without its outputs"
    errors, body = browser.visit(server + "/notebooks/getting-started/", _shots() / "nb2.png")
    assert not errors
    assert "assert c.n" in body  # the cells' source is shown


def test_the_error_check_can_fail(browser: Browser, tmp_path: Path) -> None:
    """A page that logs an error, throws and loads a missing file is caught."""
    page = tmp_path / "bad.html"
    page.write_text(
        "<html><body><h1>x</h1><img src='missing.png'>"
        "<script>console.error('boom'); undefinedFunction();</script></body></html>"
    )
    errors, _ = browser.visit(page.as_uri(), tmp_path / "bad.png")
    kinds = {e.split(":")[0] for e in errors}
    assert {"console", "exception", "log"} <= kinds, errors
