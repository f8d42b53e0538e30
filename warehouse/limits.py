"""How large a delivered file may be, in one place.

Every limit is checked as early as the format allows: the file size before reading it, an
Excel workbook's zip members (true unpacked size, compression ratio, count, the cells its
sheets span) before it is opened, a Parquet file's metadata (rows, columns, unpacked size,
nested columns) before its data is read, a CSV's longest line and header before it is
parsed. A file beyond a limit is refused whole with one line saying which limit, and
nothing of it loads. Cells longer than an identifier or a text go to quarantine
row by row; a cell beyond ``cell_bytes`` is absurd and refuses the file. A table with more
than ``quarantine_rows`` unusable rows is refused whole as well: it is counted with one cheap
vectorised test (required field empty, cell unreadable as its type, too long, too many fields)
before any failure case is built, so a small file of many short broken rows cannot keep the
loader (and its writer lock) busy writing quarantine rows.

Each default can be changed with an environment variable ``SAMEN_LIMIT_<FIELD>`` (for
example ``SAMEN_LIMIT_FILE_MB=500``); the README lists them. Streamlit's
``server.maxUploadSize`` (in MB) should equal ``file_mb``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields

import polars as pl

ENV_PREFIX = "SAMEN_LIMIT_"
MB = 1024 * 1024  # Streamlit's maxUploadSize counts megabytes of 1024 × 1024 bytes

# Columns of the data standard that hold free text; every other delivered cell is a code, an
# identifier, a number, a date or a yes/no and is bounded by ``identifier_chars``.
FREE_TEXT_COLUMNS = frozenset({"name"})


@dataclass(frozen=True)
class Limits:
    """The bounds of one delivered file; defaults fit a centre's deliveries with room to spare."""

    file_mb: int = 100  # any delivered file (CSV, Parquet, Excel), in MB; the upload limit too
    rows: int = 5_000_000  # data rows of one table (one file or one sheet)
    columns: int = 200  # columns of one table (the standard has at most 17)
    identifier_chars: int = 64  # patient_id, episode_id, codes, numbers, dates: characters per cell
    text_chars: int = 2_000  # free text (a centre's name): characters per cell
    cell_bytes: int = 1_000_000  # a CSV line or any cell beyond this refuses the whole file
    unpacked_mb: int = 1_000  # what a Parquet file or an Excel workbook unpacks to, in MB
    compression_ratio: int = 100  # unpacked ÷ packed size of one Excel zip member above 1 MB
    zip_members: int = 1_000  # members of an Excel workbook (a real one has a few dozen)
    sheet_cells: int = 5_000_000  # cells the sheets of a workbook span (rows × columns, all sheets)
    shown_chars: int = 100  # characters of a rejected value kept in the quarantine
    quarantine_rows: int = 10_000  # rows of one table that may go to quarantine; more refuses the file

    @property
    def file_bytes(self) -> int:
        return self.file_mb * MB

    @property
    def unpacked_bytes(self) -> int:
        return self.unpacked_mb * MB

    def max_chars(self, column: str) -> int:
        return self.text_chars if column in FREE_TEXT_COLUMNS else self.identifier_chars

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Limits:
        """The defaults, with every ``SAMEN_LIMIT_<FIELD>`` that is set taking precedence."""
        environ = os.environ if environ is None else environ
        values = {}
        for f in fields(cls):
            name = ENV_PREFIX + f.name.upper()
            if environ.get(name, "").strip():
                try:
                    values[f.name] = int(environ[name])
                except ValueError:
                    raise ValueError(f"{name} moet een geheel getal zijn, niet {environ[name][:40]!r}") from None
                if values[f.name] <= 0:
                    raise ValueError(f"{name} moet groter dan 0 zijn")
        return cls(**values)


def current() -> Limits:
    """The limits in force now (the defaults with the environment's overrides)."""
    return Limits.from_env()


def shorten(text: str, chars: int) -> str:
    """A value cut to ``chars`` characters, saying how long it was."""
    if len(text) <= chars:
        return text
    return f"{text[:chars]}… ({len(text)} tekens)"


def shortened(column: str, chars: int) -> pl.Expr:
    """``shorten`` for a whole column at once."""
    length = pl.col(column).str.len_chars()
    cut = pl.format("{}… ({} tekens)", pl.col(column).str.slice(0, chars), length)
    return pl.when(length > chars).then(cut).otherwise(pl.col(column)).alias(column)


def one_line(text: str, chars: int = 500) -> str:
    """A message as one line of bounded length (for the load log, the CLI and the upload page)."""
    line = " ".join(text.split())
    return shorten(line, chars)
