"""Reading exports the way they arrive: CSV or text (any of ; , tab; UTF-8 ± BOM or
Windows-1252) or a spreadsheet (first sheet), into a table of trimmed strings with the line
number of every row.

Parsing the values is the schema's job; this package finds the files (``folder``), the header
(``headers``), the rows and the cells (``text``, ``sheet``, ``grid``), and says what it could
not use (``table``). Nothing is lost without a word.
"""

from .folder import Folder, missing_export, scan_folder
from .headers import HeaderMatcher, slug
from .table import RawTable, read_table

__all__ = [
    "Folder",
    "HeaderMatcher",
    "RawTable",
    "missing_export",
    "read_table",
    "scan_folder",
    "slug",
]
