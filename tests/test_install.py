"""Installable anywhere: the wheel carries the bundled configurations and samples, so an
installed `indikator` runs `monthly` from any folder, with the same figures as here."""

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

from conftest import ROOT


def test_the_wheel_runs_monthly_from_another_folder(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = wheels.glob("indikator-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [python, "-m", "pip", "install", "-q", "--no-deps", str(wheel)],
        check=True,
        capture_output=True,
    )
    # the libraries come from this environment; indikator itself only from the wheel
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    (Path(site) / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    elsewhere = tmp_path / "somewhere else"
    elsewhere.mkdir()
    env = {**os.environ, "INDIKATOR_NO_CACHE": "1"}
    where = subprocess.run(
        [python, "-c", "import indikator; print(indikator.__file__)"],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        env=env,
    )
    assert where.stdout.startswith(str(venv)), where.stdout + where.stderr
    args = ["monthly", "--period", "2017-05", "--format", "csv", "--min-cell", "0"]
    installed = subprocess.run(
        [venv / "bin" / "indikator", *args], cwd=elsewhere, capture_output=True, text=True, env=env
    )
    assert installed.returncode == 0, installed.stderr
    assert "deltagare.csv: 2748 rader lästa" in installed.stderr
    here = subprocess.run(
        [sys.executable, "-m", "indikator", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
    )
    assert installed.stdout == here.stdout
    # a bundled project by name, from anywhere
    other = subprocess.run(
        [venv / "bin" / "indikator", "validate", "--config", "vagknuten"],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        env=env,
    )
    assert other.returncode == 0, other.stdout + other.stderr
    # and a project of one's own, with its templates
    init = subprocess.run(
        [venv / "bin" / "indikator", "init", "mitt projekt"],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        env=env,
    )
    assert init.returncode == 0, init.stderr
    checked = subprocess.run(
        [venv / "bin" / "indikator", "validate"],
        cwd=elsewhere / "mitt projekt",
        capture_output=True,
        text=True,
        env=env,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "deltagare.xlsx: 0 rader lästa" in checked.stdout
