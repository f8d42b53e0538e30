"""Disclosure control for every figure shown about peers (the rules of ``docs/privacy.md``).

These rules see per-centre aggregates only (counts, sums, expected counts), never patient
rows, so the peer layer can later run on aggregates that centres compute themselves.

- **Threshold** (the output-checking rule of ACRO/SACRO and of Dutch registries): a figure
  that rests on fewer than ``MIN_PATIENTS`` patients is not shown (``< 10``), and without
  ``MIN_PEERS`` other centres above it nothing is shown at all.
- **No differencing**: peer figures exist only for fixed, closed, non-overlapping half-years
  (``analytics.periods``); targets are computed from the shown centres only; a pooled
  figure is shown beside the own one only when the other centres together pass the
  threshold.
- **Rounding**: peers' patient counts are rounded to ``ROUND_BASE`` and their values to the
  precision the page shows (whole percents, tenths of a score point): an exact rate k/n beside
  a rounded count would give the exact count back. A peer's position in the funnel is judged
  where it is drawn, at the rounded count and the rounded value, so figure and words agree.
- **Codes drawn afresh**: a peer's code is a keyed hash (``PEER_CODE_SECRET``) of the
  centre, the pathway, the period and the viewer's own centre, so a code seen in one view
  links to nothing in another view, period, pathway or another centre's screen.
"""

from __future__ import annotations

import hashlib
import hmac

import polars as pl

from access.settings import peer_code_secret

MIN_PATIENTS = 10
MIN_PEERS = 3
ROUND_BASE = 5
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
NATIONAL = "national"  # the viewer key of national viewers, who have no centre of their own


def view_key(pathway: str, period_code: str, viewer_centre: str | None) -> str:
    """What a set of peer codes is drawn for: one pathway, one period, one viewing centre."""
    return f"{pathway}|{period_code}|{viewer_centre or NATIONAL}"


def peer_code(centre_code: str, view: str, taken: frozenset[str] = frozenset(), secret: bytes | None = None) -> str:
    """An anonymous label for a centre in one view: keyed, unrelated to its name, its order or other views."""
    key = secret if secret is not None else peer_code_secret()
    counter = 0
    while True:
        digest = hmac.new(key, f"{view}|{centre_code}|{counter}".encode(), hashlib.sha256).digest()
        code = "".join(CODE_ALPHABET[b % len(CODE_ALPHABET)] for b in digest[:3])
        if code not in taken:
            return f"Peer {code}"
        counter += 1


def peer_labels(codes: list[str], own: str | None, own_name: str, view: str) -> dict[str, str]:
    """Labels for the centres of one view: the viewer's own centre by name, the others by code."""
    labels: dict[str, str] = {}
    taken: frozenset[str] = frozenset()
    for code in sorted(codes):
        labels[code] = own_name if code == own else peer_code(code, view, taken)
        taken = taken | {labels[code].removeprefix("Peer ")}
    return labels


def _to_base(n: int) -> int:
    """``n`` to the nearest multiple of ``ROUND_BASE``, halves up."""
    return ROUND_BASE * int(n / ROUND_BASE + 0.5)


def rounded(n: int) -> int:
    """A peer's count rounded to the nearest ``ROUND_BASE`` (halves up), never below the threshold."""
    return max(MIN_PATIENTS, _to_base(n))


def pooled_count(pooled_n: int, own_n: int) -> int | None:
    """A pooled count that may stand beside the own count: hidden when the others together are too few.

    Shown exactly, pooled minus own would be the other centres' combined count; it is shown
    rounded, and only when that combined count reaches the threshold.
    """
    if pooled_n < MIN_PATIENTS or pooled_n - own_n < MIN_PATIENTS:
        return None
    return _to_base(pooled_n)


PERCENT_STEP = 5.0  # national viewers see named centres' percentages in steps of five


def coarse_percentages(frame: pl.DataFrame) -> pl.DataFrame:
    """Every percentage column (``*_pct``) rounded to ``PERCENT_STEP``, for named centres seen nationally.

    A named centre's monthly percentage over a handful of patients gives away its denominator
    (17 of 19 is 89.47%): summed over a half-year, those denominators rebuild the named volume
    that would link the centre to its anonymous dot in the funnel. In steps of five, a
    percentage fits too many denominators to say anything about the volume.
    """
    columns = [c for c in frame.columns if c.endswith("_pct")]
    return frame.with_columns((pl.col(c) / PERCENT_STEP).round(0) * PERCENT_STEP for c in columns)
