"""The committed gallery page shows every image when opened in a real (headless) browser.

Needs a Chromium binary (Debian: ``apt-get install -y chromium``); the tests skip without one.
There is no CDP client here, so a wrapper page in a temporary folder frames the unmodified
``gallery/index.html`` and, once everything has loaded, writes the state of each of its ``<img>``
into its own DOM, which Chromium's ``--dump-dom`` prints. Framing (rather than injecting a script
into a copy of the page) writes nothing into ``gallery/`` and still works if the page forbids
scripts with a Content-Security-Policy; reading the frame's DOM across ``file://`` URLs needs
``--allow-file-access-from-files``.
"""

import html
import json
import os
import shutil
import signal
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
INDEX = ROOT / "gallery" / "index.html"
TIMEOUT = 60  # seconds for one Chromium run
WIDTH, HEIGHT = 1280, 2000

# After 'load' (which waits for the frame), lazy images are made eager in case any were deferred,
# and once every image has settled (loaded or failed) the result is written onto <body>.
WRAPPER = """<!DOCTYPE html>
<html><head><meta charset="utf-8"></head><body>
<iframe id="page" src="{src}" style="width:{width}px;height:{height}px"></iframe>
<script>
window.addEventListener("load", function () {{
  var doc;
  try {{ doc = document.getElementById("page").contentDocument; }} catch (e) {{ doc = null; }}
  if (!doc) {{ document.body.setAttribute("data-error", "cannot read the framed page"); return; }}
  var imgs = Array.prototype.slice.call(doc.images);
  Promise.all(imgs.map(function (img) {{
    if (img.loading === "lazy") {{ img.loading = "eager"; }}
    return img.complete ? null : new Promise(function (done) {{
      img.addEventListener("load", done); img.addEventListener("error", done);
    }});
  }})).then(function () {{
    document.body.setAttribute("data-images", JSON.stringify(imgs.map(function (img) {{
      return [img.getAttribute("src"), img.currentSrc || img.src, img.complete, img.naturalWidth];
    }})));
  }});
}});
</script>
</body></html>
"""


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    pytest.skip("no Chromium binary found (tried chromium, chromium-browser, google-chrome)")


def run_chromium(binary: str, profile: Path, *args: str) -> subprocess.CompletedProcess:
    """Run headless Chromium with a fresh profile and no network; kill its whole process group on timeout."""
    profile.mkdir()
    command = [
        binary,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        *args,
    ]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        stdout, stderr = process.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        stdout = None
    if stdout is None:
        pytest.fail(f"Chromium did not finish within {TIMEOUT} s: {' '.join(command)}")
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


class BodyAttribute(HTMLParser):
    def __init__(self, name: str):
        super().__init__()
        self.name, self.value = name, None

    def handle_starttag(self, tag, attrs):
        if tag == "body" and self.value is None:
            self.value = dict(attrs).get(self.name)


@pytest.fixture(scope="module")
def browser():
    binary = chromium()
    if not INDEX.is_file():
        pytest.skip(f"{INDEX.relative_to(ROOT)} does not exist yet")
    return binary


def test_every_gallery_image_loads_in_chromium(browser, tmp_path):
    wrapper = tmp_path / "wrapper.html"
    page = WRAPPER.format(src=html.escape(INDEX.as_uri()), width=WIDTH, height=HEIGHT)
    wrapper.write_text(page, encoding="utf-8")
    result = run_chromium(
        browser,
        tmp_path / "profile",
        "--allow-file-access-from-files",
        "--dump-dom",
        "--virtual-time-budget=10000",
        wrapper.as_uri(),
    )
    images, error = BodyAttribute("data-images"), BodyAttribute("data-error")
    images.feed(result.stdout)
    error.feed(result.stdout)
    assert images.value is not None, (
        f"the check reported nothing ({error.value or 'no error reported'}; exit code {result.returncode});\n"
        f"stdout: {result.stdout[:2000]}\nstderr: {result.stderr[-2000:]}"
    )
    images = json.loads(images.value)
    assert images, f"{INDEX.relative_to(ROOT)} has no <img>"
    broken = [
        f"{src!r} -> {url} (complete={complete}, naturalWidth={width})"
        for src, url, complete, width in images
        if not (complete and width > 0)
    ]
    assert not broken, f"{len(broken)} of {len(images)} images did not load:\n" + "\n".join(broken)


def test_gallery_screenshot(browser, tmp_path):
    shot = tmp_path / "gallery.png"
    result = run_chromium(
        browser,
        tmp_path / "profile",
        f"--screenshot={shot}",
        f"--window-size={WIDTH},{HEIGHT}",
        "--hide-scrollbars",
        "--virtual-time-budget=10000",
        INDEX.as_uri(),
    )
    assert shot.is_file(), f"no screenshot (exit code {result.returncode}); stderr: {result.stderr[-2000:]}"
    assert shot.stat().st_size > 10_000, f"screenshot is only {shot.stat().st_size} bytes"
    with Image.open(shot) as image:
        assert image.format == "PNG" and image.size == (WIDTH, HEIGHT)
        pixels = np.asarray(image.convert("RGB"))
    # A blank 1280x2000 page is already ~12 KB of PNG, so also ask for some drawn content:
    # at least 1% of the pixels differ from the top-left (background) colour.
    drawn = (pixels != pixels[0, 0]).any(axis=-1).mean()
    assert drawn > 0.01, f"the screenshot is almost blank ({drawn:.2%} of pixels differ from the background)"
