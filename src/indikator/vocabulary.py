"""The domain's own words, on the bottom floor: every layer may use them, none defines them
again. Free of imports, so that the light paths (``--help``, a cached answer) can use them.
"""

TOTALT = "TOTALT"  # the group of the whole project
KON = ("K", "M", "T")  # the kön columns of every figure; T counts everyone
KON_X = ("K", "M", "X", "T")  # ESF+ asks for non-binary persons in a column of their own
KON_ALL = KON_X  # every kön column a figure may have, in the order they are shown
KON_CODES = ("K", "M", "X")  # what the kon column of an export may hold; X: icke-binär

SCOPES = ("period", "ackumulerat")

# status of a figure in the tidy output
OK = "ok"
EMPTY_DENOMINATOR = "tom_namnare"
NO_DATA = "saknar_data"
SUPPRESSED = "undertryckt"

TIDY_COLUMNS = [
    "period",
    "omfang",
    "delprojekt",
    "indikator",
    "dimension",
    "kon",
    "varde",
    "taljare",
    "namnare",
    "status",
]

FIGURE_KEY = TIDY_COLUMNS[:6]  # what names one figure: period … kon

EXPORT_ORDER = (
    "deltagare",
    "aktiviteter",
    "matningar",
    "uppfoljningar",
    "remisser",
    "organisationsaktiviteter",
)
