"""Open the HTML report in a real headless Chromium: plots lay out and paint, the explorer works.

Skips when no Chromium binary is installed (Debian: ``apt-get install chromium``).
"""

from __future__ import annotations

import html
import json
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import numpy as np
import pytest

from harness.commands.report import main
from harness.results.svg import PALETTE
from tests.run_factory import make_run

BROWSER = next(
    (
        shutil.which(name)
        for name in ("chromium", "chromium-browser", "google-chrome")
        if shutil.which(name)
    ),
    None,
)
pytestmark = pytest.mark.skipif(BROWSER is None, reason="no chromium binary on PATH")

# Offline and quiet: no network services, no first-run UI, no GPU.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]

# Reads the layout the browser computed, after load, into the DOM for --dump-dom.
PROBE = """<script>
const plots = [...document.querySelectorAll('svg.plot')].map(s => {
  const r = s.getBoundingClientRect(); return [r.width, r.height]; });
const bars = [...document.querySelectorAll('svg.plot g.hist rect')].filter(c => {
  const r = c.getBoundingClientRect(); return r.width > 0 && r.height > 0; }).length;
const pre = document.createElement('pre'); pre.id = 'probe';
pre.textContent = JSON.stringify({plots, bars}); document.body.appendChild(pre);
</script>"""

# Picks the third article in the explorer as a user would, then reads what it shows.
PICK = """<script>
const pick = document.getElementById('article-pick');
const before = [...document.querySelectorAll('#article-view .col p.summary')]
  .map(e => e.textContent.trim());
pick.value = '2';
pick.dispatchEvent(new Event('change'));
const cols = [...document.querySelectorAll('#article-view .col')].map(c => ({
  model: c.dataset.model,
  summary: c.querySelector('p.summary').textContent.trim(),
  tones: [...c.querySelectorAll('.sent')].map(s => s.className),
  hover: [...c.querySelectorAll('.sent')].map(s => s.title),
  visible: c.getBoundingClientRect().width > 0}));
const headline = document.querySelector('#article-view .headline').textContent;
const options = pick.options.length;
const out = document.createElement('pre'); out.id = 'picked';
out.textContent = JSON.stringify({before, cols, headline, options,
  overflow: document.documentElement.scrollWidth - window.innerWidth});
document.body.appendChild(out);
</script>"""


def _browser(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / "profile"
    cmd = [BROWSER, *FLAGS, f"--user-data-dir={profile}", *args]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def _png_pixels(path: Path) -> np.ndarray:
    """Decode an 8-bit RGB/RGBA non-interlaced PNG (what Chromium writes) to (h, w, 3)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, ctype, _, _, interlace = header
    assert depth == 8 and ctype in (2, 6) and interlace == 0
    bpp = 3 if ctype == 2 else 4
    raw = np.frombuffer(zlib.decompress(idat), np.uint8).reshape(height, width * bpp + 1)
    out = np.zeros((height, width * bpp), np.uint8)
    prev = np.zeros(width * bpp, np.int64)
    for y in range(height):
        line = _unfilter(int(raw[y, 0]), raw[y, 1:].astype(np.int64), prev, bpp)
        out[y] = line
        prev = line
    return out.reshape(height, width, bpp)[:, :, :3]


def _unfilter(kind: int, line: np.ndarray, prev: np.ndarray, bpp: int) -> np.ndarray:
    """Undo one scanline's PNG filter (PNG spec, section 9.2)."""
    if kind == 0:
        return line
    if kind == 1:  # Sub: a running sum per channel
        return line.reshape(-1, bpp).cumsum(axis=0).reshape(-1) & 255
    if kind == 2:  # Up
        return (line + prev) & 255
    out = line.copy()
    for i in range(len(out)):  # Average and Paeth depend on the decoded left byte
        left = int(out[i - bpp]) if i >= bpp else 0
        up, corner = int(prev[i]), int(prev[i - bpp]) if i >= bpp else 0
        if kind == 3:
            pred = (left + up) // 2
        else:
            p = left + up - corner
            pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
            pred = left if pa <= pb and pa <= pc else (up if pb <= pc else corner)
        out[i] = (out[i] + pred) & 255
    return out


def _count_color(pixels: np.ndarray, hex_color: str, tol: int = 12) -> int:
    target = np.frombuffer(bytes.fromhex(hex_color[1:]), np.uint8).astype(int)
    return int((np.abs(pixels.astype(int) - target) <= tol).all(axis=2).sum())


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("browser")
    run = make_run(tmp / "run", shift={("lead3", "faithfulness"): -0.3})
    out = tmp / "report.html"
    assert main([str(run), "-o", str(out)]) == 0
    return out


def _probe(report: Path, tmp_path: Path, script: str, element: str, *flags: str) -> dict:
    page = tmp_path / "probe.html"
    page.write_text(report.read_text().replace("</body>", script + "</body>"))
    dom = _browser(tmp_path, *flags, "--dump-dom", page.as_uri()).stdout
    found = re.search(rf'<pre id="{element}">(.*?)</pre>', dom, re.S)
    assert found, dom[-2000:]
    return json.loads(html.unescape(found.group(1)))


def test_plots_lay_out_in_the_browser(report, tmp_path):
    layout = _probe(report, tmp_path, PROBE, "probe")
    # a histogram and a forest plot for each of faithfulness and coverage
    assert len(layout["plots"]) == 4
    assert all(w > 300 and h > 80 for w, h in layout["plots"])
    assert layout["bars"] >= 2 * 2 * 3  # several bins per model per metric


@pytest.mark.parametrize("width", [1400, 700])
def test_explorer_shows_the_summaries_of_the_picked_article(report, tmp_path, width):
    got = _probe(report, tmp_path, PICK, "picked", f"--window-size={width},1200")
    assert got["options"] == 12
    assert [c["model"] for c in got["cols"]] == ["lead3", "textrank"]
    assert [c["summary"] for c in got["cols"]] == ["lead3 summary of a02.",
                                                  "textrank summary of a02."]
    assert got["before"] == ["lead3 summary of a00.", "textrank summary of a00."]
    assert got["headline"] == "Headline a02 <b>&"
    assert all(c["visible"] for c in got["cols"])
    for col in got["cols"]:
        assert col["tones"] and col["tones"][0].split()[1] in {"good", "doubt", "bad"}
        assert "faithfulness 0." in col["hover"][0] or "faithfulness 1.00" in col["hover"][0]
        assert "best support in the article: “Lede of a02.”" in col["hover"][0]
    assert got["overflow"] <= 0, "nothing wider than the window"


@pytest.mark.parametrize("width", [1400, 700])
def test_screenshot_shows_the_model_colors(report, tmp_path, width):
    shot = tmp_path / "shot.png"
    _browser(tmp_path, f"--screenshot={shot}", f"--window-size={width},1600", report.as_uri())
    pixels = _png_pixels(shot)
    assert pixels.shape[:2] == (1600, width)
    non_white = int((pixels != 255).any(axis=2).sum())
    assert non_white > 0.02 * pixels.shape[0] * pixels.shape[1]
    for model_color in PALETTE[:2]:  # lead3, textrank
        assert _count_color(pixels, model_color) > 20, model_color
