"""Open the HTML report in a real headless Chromium: the plots lay out and paint.

Skips when no Chromium binary is installed (Debian: ``apt-get install chromium``).
"""

from __future__ import annotations

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
from tests.run_factory import METRICS, make_run

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
const dots = [...document.querySelectorAll('svg.plot circle')].filter(c => {
  const r = c.getBoundingClientRect(); return r.width > 0 && r.height > 0; }).length;
const pre = document.createElement('pre'); pre.id = 'probe';
pre.textContent = JSON.stringify({plots, dots}); document.body.appendChild(pre);
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


def test_plots_lay_out_in_the_browser(report, tmp_path):
    probe = tmp_path / "probe.html"
    probe.write_text(report.read_text().replace("</body>", PROBE + "</body>"))
    dom = _browser(tmp_path, "--dump-dom", probe.as_uri()).stdout
    found = re.search(r'<pre id="probe">(.*?)</pre>', dom, re.S)
    assert found, dom[-2000:]
    layout = json.loads(found.group(1))
    assert len(layout["plots"]) == len(METRICS) + 1
    assert all(w > 300 and h > 80 for w, h in layout["plots"])
    # 2 models x 4 metrics interval dots + 24 scatter points + legend dots
    assert layout["dots"] >= 2 * len(METRICS) + 2 * 12


def test_screenshot_shows_the_model_colors(report, tmp_path):
    shot = tmp_path / "shot.png"
    # 1200 x 1100 holds the first rows of metric plots below the two tables.
    _browser(tmp_path, f"--screenshot={shot}", "--window-size=1200,1100", report.as_uri())
    pixels = _png_pixels(shot)
    assert pixels.shape[:2] == (1100, 1200)
    non_white = int((pixels != 255).any(axis=2).sum())
    assert non_white > 0.02 * pixels.shape[0] * pixels.shape[1]
    for model_color in PALETTE[:2]:  # lead3, textrank
        assert _count_color(pixels, model_color) > 20, model_color
