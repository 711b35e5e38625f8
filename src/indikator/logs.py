"""The log for scheduled runs: structured lines (ISO time, level, message), every message
masked, so that a log can be kept and mailed without personnummer in it."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from .errors import OutputError, describe_os_error
from .masking import mask

log = logging.getLogger("indikator")


class _Masked(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        when = dt.datetime.fromtimestamp(record.created).astimezone().isoformat(timespec="seconds")
        return f"{when} {record.levelname} {mask(record.getMessage())}"


def start(path: Path | None) -> None:
    """Log to ``path`` from now on (nothing when None); a log that cannot be created is an
    operational error."""
    for h in list(log.handlers):
        log.removeHandler(h)
        h.close()
    if path is None:
        log.addHandler(logging.NullHandler())
        return
    try:
        handler = logging.FileHandler(path, encoding="utf-8")
    except OSError as e:
        raise OutputError(f"loggen: {describe_os_error(e)}") from None
    handler.setFormatter(_Masked())
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False
