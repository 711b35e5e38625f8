"""Starting a project of one's own (``indikator init MAPP``): a commented configuration
(``indikator.toml``, with SUS's categories), a ``data/`` folder with a registration template
per export, and a short LÄSMIG.txt. Standing in the folder, every command uses them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from string import Template

from .atomic import write_atomic
from .errors import UsageError
from .locations import PROJECT_CONFIG, PROJECT_DATA, bundled
from .secret import create_secret
from .vocabulary import EXPORT_ORDER

README = """$namn – projektmapp för indikator

indikator.toml   konfigurationen: delprojekt, kodlistor, grupper, frågor, mål (ändra fritt)
indikator.nyckel hemlig nyckel för röjandekontrollen: spara den, dela den inte, byt den inte
data/            exporterna: fyll i mallarna (en per export) eller lägg era egna filer här

Kom igång:
  1. Ändra projektets namn, datum och delprojekt i indikator.toml.
  2. Fyll i data/deltagare.xlsx (och de andra mallarna ni använder); ta bort dem ni inte
     behöver eller låt dem vara tomma.
  3. Stå i den här mappen och kör:
       indikator validate
       indikator monthly --period $exempel
"""


def init(folder: Path, name: str | None = None, today: dt.date | None = None) -> list[Path]:
    """Create the project folder; returns the files written. An existing, non-empty folder
    is refused: nothing of a user's is ever overwritten."""
    from .config import load_config
    from .templates import workbook

    if folder.exists() and any(folder.iterdir()):
        raise UsageError(f"{folder} finns redan och är inte tom; välj en ny mapp för projektet")
    today = today or dt.date.today()
    start = today.replace(day=1)
    end = dt.date(start.year + 3, start.month, 1) - dt.timedelta(days=1)
    values = {
        "namn": name or folder.name,
        "start": start.isoformat(),
        "slut": end.isoformat(),
        "exempel": f"{start:%Y-%m}",
    }
    config_text = Template((bundled() / "template.toml").read_text(encoding="utf-8"))
    written = [folder / PROJECT_CONFIG, folder / "LÄSMIG.txt"]
    write_atomic(written[0], config_text.substitute(values))
    write_atomic(written[1], Template(README).substitute(values))
    config = load_config(written[0])
    create_secret(config.secret_file)  # the cell-key method's secret (secret.py)
    written.append(config.secret_file)
    for export in EXPORT_ORDER:
        path = folder / PROJECT_DATA / f"{export}.xlsx"
        write_atomic(path, workbook(export, config))
        written.append(path)
    return written
