"""Formula-safe CSV: defined in ``texts.csv_safe`` (Streamlit-free, below ``ui`` and ``reports``), named here too."""

from __future__ import annotations

from texts.csv_safe import FORMULA_START, csv_bytes, formula_safe, neutralise

__all__ = ["FORMULA_START", "csv_bytes", "formula_safe", "neutralise"]
