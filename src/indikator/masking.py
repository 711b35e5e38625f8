"""The one masking rule for personnummer in text. Free of heavy imports: every log line and
message goes through it, including on a repeated run answered without loading pandas."""

from __future__ import annotations

import re

# Anything that looks like a personnummer inside free text (messages, values, logs).
_IN_TEXT = re.compile(r"(?<!\d)(\d{8}|\d{6})[ ]?[-+]?[ ]?\d{4}(?!\d)")


def mask(text: object) -> str:
    """Replace every personnummer-shaped run in ``text`` by its date part and ``-****``."""
    return _IN_TEXT.sub(lambda m: f"{m.group(1)}-****", str(text))
