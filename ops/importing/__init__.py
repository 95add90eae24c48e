"""Importing the institutes' files (XLSX, CSV) through the same commands the API takes.

- `reading`: a file into a grid of cells (encodings, delimiters, sheets);
- `table`: the header row under any title rows, the kind of file, the data rows;
- `columns`: each kind's columns (Russian headers and their usual variants), shared with templates;
- `cells`: what a cell holds, made clean (dates, numbers as text, spaces, «ё»);
- `directory`: names, INNs and ids resolved against the registry;
- `rows`: a row into the commands it asks for;
- `run`: validation, the dry run and the all-or-nothing import;
- `error_copy`: the file sent back with a comment on each bad cell.
"""

from ops.importing.reading import FileProblem
from ops.importing.run import IMPORT_ACTOR, ImportReport, Issue, import_file

__all__ = ["IMPORT_ACTOR", "FileProblem", "ImportReport", "Issue", "import_file"]
