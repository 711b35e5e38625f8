"""The figures' fingerprint: md5 of what indikator prints and writes for one data folder.

    python benchmarks/fingerprint.py --data benchmarks/data/tenth > after.json
    python benchmarks/fingerprint.py --data benchmarks/data/tenth --indikator OLD/bin/indikator > before.json
    diff before.json after.json

A change to the load path or the engine must leave every line equal: exact figures
(``--min-cell 0``) and protected ones for a month, a tertial and a year, the ESF and Finsam
reports, the validation report and batch's tidy table and validation list (the manifest is
left out: it holds the time of the run).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
PERIODS = ("2017-05", "2018-03", "2018-T2", "2019")


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--indikator", default=str(Path(sys.executable).parent / "indikator"))
    parser.add_argument("--no-batch", action="store_true")
    args = parser.parse_args()

    def run(*cmd: str) -> bytes:
        proc = subprocess.run(
            [args.indikator, *cmd, "--data", str(args.data)], capture_output=True, check=False
        )
        if proc.returncode not in (0, 3):
            raise SystemExit(f"{' '.join(cmd)}: {proc.stderr.decode()[-2000:]}")
        return proc.stdout

    prints: dict[str, str] = {}
    for p in PERIODS:
        csv = ["--format", "csv", "--no-cache"]
        prints[f"monthly {p} exakt"] = md5(run("monthly", "--period", p, *csv, "--min-cell", "0"))
        prints[f"monthly {p}"] = md5(run("monthly", "--period", p, *csv))
    prints["targets 2018"] = md5(run("targets", "--period", "2018", "--format", "csv"))
    prints["esf 2018 exakt"] = md5(
        run("esf", "--period", "2018", "--format", "csv", "--min-cell", "0")
    )
    prints["finsam 2018"] = md5(run("finsam", "--year", "2018", "--format", "csv"))
    prints["validate"] = md5(run("validate"))
    if not args.no_batch:
        with tempfile.TemporaryDirectory() as out:
            run("batch", "--out", out, "--no-cache")
            latest = Path(out) / "senaste"
            for name in ("indikatorer.csv", "validering.csv"):
                prints[f"batch {name}"] = md5((latest / name).read_bytes())
    json.dump(prints, sys.stdout, indent=1, ensure_ascii=False)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
