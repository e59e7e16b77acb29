"""The built docs site in a headless Chromium: pages render, are not blank, log no errors.

Runs when ``SHEQUN_SITE_DIR`` names a built site (``mkdocs build --site-dir DIR``, as
.ci/run does after executing the notebooks) and Chromium is installed (Debian's
``chromium``); skipped otherwise. The site is served on 127.0.0.1 by ``http.server`` (search
and notebooks need HTTP, not ``file://``); Chromium opens the home page and one notebook page,
saves a screenshot of each (kept in ``SHEQUN_SCREENSHOT_DIR`` when set) and logs the page's
console to stderr, where no error may appear.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

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
    "--enable-logging=stderr",
    "--v=0",
    "--virtual-time-budget=5000",
    "--window-size=1280,1000",
]


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    assert SITE is not None
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=SITE)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _shoot(url: str, name: str) -> tuple[Path, str]:
    out_dir = Path(os.environ.get("SHEQUN_SCREENSHOT_DIR") or tempfile.mkdtemp())
    out_dir.mkdir(parents=True, exist_ok=True)
    png = out_dir / f"{name}.png"
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        done = subprocess.run(
            [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", f"--screenshot={png}", url],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert done.returncode == 0, done.stderr[-2000:]
    assert png.exists(), done.stderr[-2000:]
    return png, done.stderr


def _console_errors(log: str) -> list[str]:
    """Console messages at error level, and failed loads, from Chromium's log."""
    console = re.compile(
        r"CONSOLE.*(:ERROR|console\.error|Uncaught)|Failed to load resource|net::ERR_"
    )
    return [line for line in log.splitlines() if console.search(line)]


def _not_blank(png: Path) -> float:
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    img = plt.imread(png)
    return float(img[..., :3].std())


@pytest.mark.parametrize(
    ("path", "name", "text"),
    [
        ("/", "home", "shequn"),
        ("/notebooks/getting-started/", "notebook", "Getting started"),
    ],
)
def test_page_renders_without_console_errors(server: str, path: str, name: str, text: str) -> None:
    png, log = _shoot(server + path, name)
    assert _not_blank(png) > 0.05, f"{png} looks blank"
    assert not _console_errors(log), "\n".join(_console_errors(log))
    dom = subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={tempfile.mkdtemp()}", "--dump-dom", server + path],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    ).stdout
    assert text in dom


def test_the_console_check_can_fail(tmp_path: Path) -> None:
    """A page that logs an error is caught (so a clean page means something)."""
    page = tmp_path / "bad.html"
    page.write_text("<html><body><h1>x</h1><script>console.error('boom')</script></body></html>")
    _, log = _shoot(page.as_uri(), "bad")
    assert _console_errors(log)
