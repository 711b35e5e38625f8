"""The benchmark's data with rows to reject (``benchmarks/run.py``, ``with_rejected``): the
same files but for every n-th activity date and follow-up slutdatum, moved."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import run  # noqa: E402
from run import with_rejected  # noqa: E402

from indikator.config import load_config  # noqa: E402
from indikator.dataset import load_dataset  # noqa: E402
from indikator.sample import write_sample  # noqa: E402

CONFIG = load_config(None)


def test_every_nth_date_is_moved_and_rows_are_rejected(tmp_path, monkeypatch):
    # a small sample: every 50th activity and every 7th follow-up instead of 2000 and 600
    monkeypatch.setattr(
        run, "REJECTED_EVERY", {"aktiviteter": ("datum", 50), "uppfoljningar": ("slutdatum", 7)}
    )
    data = tmp_path / "tenth"
    write_sample(data, CONFIG, size=400, seed=5, activity_interval=6.3)
    (data / ".benchmark").write_text("size=400")
    out = with_rejected(data)
    for export, (column, every) in run.REJECTED_EVERY.items():
        before = (data / f"{export}.csv").read_bytes().splitlines()
        after = (out / f"{export}.csv").read_bytes().splitlines()
        assert len(after) == len(before)
        changed = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
        # line i of the file is data row i (the header is 0); a row with the cell empty stays
        assert changed and all(i % every == 0 for i in changed)
        j = before[0].decode("utf-8-sig").split(";").index(column)
        for i in changed:  # only that cell
            a, b = before[i].split(b";"), after[i].split(b";")
            assert [x for k, x in enumerate(a) if k != j] == [x for k, x in enumerate(b) if k != j]
    # the others are the same files
    assert (out / "deltagare.csv").read_bytes() == (data / "deltagare.csv").read_bytes()
    source = {c.export: c for c in load_dataset(data, CONFIG).counts}
    counts = {c.export: c for c in load_dataset(out, CONFIG).counts}
    assert {e: c.read for e, c in counts.items()} == {e: c.read for e, c in source.items()}
    assert counts["aktiviteter"].rejected > source["aktiviteter"].rejected
    assert with_rejected(data) == out  # made once: the marker says it is there
