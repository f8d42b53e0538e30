"""Calculations on query results: comparisons, control charts, funnel limits, case-mix."""
