"""The HTML report: self-contained, and rendered for real in headless Chromium.

CI installs Chromium (Debian package `chromium`) and sets INDIKATOR_REQUIRE_BROWSER=1, so the
browser test can never be skipped there; on a developer machine without Chromium it is
skipped with a message.
"""

import os
import re
import shutil
import subprocess

import pytest
from conftest import write_dataset
from world import FULL_WORLD

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
]


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    from click.testing import CliRunner

    from indikator.cli import main

    tmp = tmp_path_factory.mktemp("html")
    out = tmp / "rapport.html"
    r = CliRunner().invoke(
        main, ["monthly", "--period", "2017-05", "--format", "html", "--out", str(out)]
    )
    assert r.exit_code == 0, r.stderr
    return out


def test_self_contained(report):
    text = report.read_text(encoding="utf-8")
    assert "<script" not in text and "@font-face" not in text
    assert not re.search(r'(src|href)="(?!#)[^"]+"', text)  # nothing loaded from anywhere
    assert text.count('<svg class="diagram"') == 6  # one per target indicator of the MIA config
    assert "<h2>TOTALT – MIA – Mobilisering inför arbete · period 2017-05</h2>" in text


def test_world_tables_in_html(cli, tmp_path):
    folder = write_dataset(tmp_path / "w", FULL_WORLD)
    out = tmp_path / "w.html"
    r = cli(
        "monthly",
        "--period",
        "2017-05",
        "--data",
        str(folder),
        "--format",
        "html",
        "--out",
        str(out),
        "--min-cell",
        "0",
    )
    assert r.exit_code == 0
    text = out.read_text(encoding="utf-8")
    # OS, Avslutade till arbete eller studier: K 1 av 2, M none ended
    assert (
        '<th scope="row">Avslutade till arbete eller studier</th><td class="num">50 % (1 av 2)</td><td class="num">.</td>'
        in text
    )


def chromium() -> str:
    found = (
        shutil.which("chromium")
        or shutil.which("chromium-browser")
        or shutil.which("google-chrome")
    )
    if not found:
        if os.environ.get("INDIKATOR_REQUIRE_BROWSER"):
            pytest.fail("Chromium saknas men krävs (INDIKATOR_REQUIRE_BROWSER är satt)")
        pytest.skip("Chromium finns inte på den här maskinen (CI installerar det)")
    return found


def test_renders_in_chromium_with_charts(report, tmp_path):
    import matplotlib.image as mpimg
    import numpy as np

    browser = chromium()
    common = [
        browser,
        *FLAGS,
        f"--user-data-dir={tmp_path / 'profil'}",
        "--enable-logging=stderr",
        "--v=0",
    ]
    dom = subprocess.run(
        [*common, "--dump-dom", report.as_uri()], capture_output=True, text=True, timeout=120
    )
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert dom.stdout.count('class="diagram"') == 6
    png = tmp_path / "rapport.png"
    shot = subprocess.run(
        [*common, "--window-size=1400,1600", f"--screenshot={png}", report.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert shot.returncode == 0 and png.exists(), shot.stderr[-2000:]
    page_errors = [
        line
        for line in (dom.stderr + shot.stderr).splitlines()
        if "Uncaught" in line or "Failed to load resource" in line or "ERR_FILE_NOT_FOUND" in line
    ]
    assert page_errors == []
    image = mpimg.imread(png)[..., :3]
    assert image.shape[0] == 1600 and image.shape[1] == 1400
    # the chart lines are drawn: pixels in the kvinnor red and the män blue are on the page
    red = np.all(np.abs(image - np.array([0xB2, 0x18, 0x2B]) / 255) < 0.08, axis=-1)
    blue = np.all(np.abs(image - np.array([0x21, 0x66, 0xAC]) / 255) < 0.08, axis=-1)
    assert red.sum() > 200 and blue.sum() > 200
