"""Values that look like a BSN (Dutch citizen service number): refused, and never stored in clear.

A centre delivers pseudonyms, never a BSN. The rule, applied to ``patient_id`` and
``episode_id`` of every table (and, when a row is quarantined for any reason, to every
stored cell of it):

1. Normalise: drop surrounding white space, an optional ``BSN``/``bsn`` prefix (any case,
   optionally followed by ``:``), and every separator a person or a spreadsheet puts in a
   number: ``.``, space, ``-``, ``_`` and ``/``. So ``111.222.333``, ``111 222 333``,
   ``BSN111222333``, ``bsn: 111-222-333`` and ``11122233-3`` all become ``111222333``.
2. Nine digits are refused, **whether or not they pass the elfproef**. This is the strict
   choice: a mistyped BSN still names a person, and a pseudonym of nine bare digits has no
   use that a letter prefix would not serve as well.
3. Eight digits are refused when they pass the elfproef after padding with a leading ``0``
   (a BSN of which a spreadsheet dropped the leading zero). Other eight-digit pseudonyms
   stay allowed.
4. Anything else (fewer or more digits, or a letter left after normalisation, as in
   ``P-111222333``) is not a BSN by this rule.

The elfproef: with digits d1..d9 of the padded number, 9·d1 + 8·d2 + … + 2·d8 − 1·d9
is a multiple of 11.

A refused value never reaches the warehouse: the quarantine keeps a keyed fingerprint
(HMAC-SHA256 of the normalised nine digits, see ``fingerprint``) and the reason. The
key comes from ``QUARANTINE_FINGERPRINT_SECRET`` (at least 32 characters). In the explicit
demo mode (``SAMEN_LEREN_DEMO=1``) a fixed, public demo key is used when none is set.
Without a key outside demo mode the value is dropped altogether (the cell stays empty
and the reason says why): a plain hash of a nine-digit number could be reversed by
trying all of them, so there is no unkeyed fallback.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re

import polars as pl

FINGERPRINT_ENV = "QUARANTINE_FINGERPRINT_SECRET"
DEMO_ENV = "SAMEN_LEREN_DEMO"
DEMO_FINGERPRINT_SECRET = "samen-leren-demo-fingerprint-only"  # nosec B105 - the public demo's key, demo mode only
MIN_SECRET_LENGTH = 32
FINGERPRINT_PREFIX = "hmac:"
FINGERPRINT_HEX = 32  # 128 bits of the HMAC: plenty to tell values apart, short enough to show

BSN_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)
PREFIX = r"^(?i:bsn)\s*:?"
SEPARATORS = r"[\s._/\-]"

REASON_NOT_STORED = "de waarde lijkt op een BSN en is niet bewaard"
REASON_FINGERPRINT = REASON_NOT_STORED + "; getoond wordt een vingerafdruk (HMAC)"
REASON_NO_KEY = REASON_NOT_STORED + f" (geen vingerafdruk: {FINGERPRINT_ENV} is niet ingesteld)"

_PREFIX_RE = re.compile(PREFIX)
_SEPARATORS_RE = re.compile(SEPARATORS)


def normalise(text: object) -> str | None:
    """The nine digits of a BSN-like value (8 digits padded with a leading 0), or None when it is not one."""
    if text is None:
        return None
    value = _SEPARATORS_RE.sub("", _PREFIX_RE.sub("", str(text).strip()))
    if not value.isascii() or not value.isdigit():
        return None
    if len(value) == 9:
        return value  # strict: nine digits are refused even when the elfproef fails
    if len(value) == 8 and passes_elfproef("0" + value):
        return "0" + value
    return None


def passes_elfproef(nine_digits: str) -> bool:
    """The 11-check of a nine-digit BSN."""
    if len(nine_digits) != 9 or not nine_digits.isdigit():
        return False
    return sum(int(d) * w for d, w in zip(nine_digits, BSN_WEIGHTS, strict=True)) % 11 == 0


def is_bsn_like(text: object) -> bool:
    return normalise(text) is not None


def looks_like_bsn(column: str) -> pl.Expr:
    """Vectorised ``is_bsn_like`` of a text column, for the pandera models (null counts as no)."""
    value = pl.col(column).str.strip_chars().str.replace(PREFIX, "").str.replace_all(SEPARATORS, "")
    padded = pl.when(value.str.len_chars() == 8).then(pl.lit("0") + value).otherwise(value)
    weighted = pl.sum_horizontal(padded.str.slice(i, 1).cast(pl.Int64, strict=False) * w for i, w in enumerate(BSN_WEIGHTS))
    nine = value.str.contains(r"^[0-9]{9}$")
    eight = value.str.contains(r"^[0-9]{8}$") & (weighted % 11 == 0)
    return (nine | eight).fill_null(False)


def _demo() -> bool:
    return os.environ.get(DEMO_ENV, "").strip().lower() in {"1", "true", "yes"}


def fingerprint_secret() -> bytes | None:
    """The fingerprint key: the configured one, the demo key in demo mode, else None."""
    secret = os.environ.get(FINGERPRINT_ENV, "")
    if len(secret) >= MIN_SECRET_LENGTH:
        return secret.encode()
    if _demo():
        return (secret or DEMO_FINGERPRINT_SECRET).encode()
    return None


def fingerprint(text: object, secret: bytes | None = None) -> str | None:
    """``hmac:<32 hex>`` of the normalised BSN (the same for every notation of it); None without a key.

    A value that is not BSN-like is fingerprinted as given (stripped), so the function
    can mask any sensitive cell.
    """
    key = secret if secret is not None else fingerprint_secret()
    if key is None or text is None:
        return None
    value = normalise(text) or str(text).strip()
    digest = hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()
    return FINGERPRINT_PREFIX + digest[:FINGERPRINT_HEX]


IDENTIFIER_COLUMNS = ("patient_id", "episode_id")
DATE_SHAPE = re.compile(r"^\s*(\d{4}-\d{2}-\d{2}|\d{2}-\d{2}-\d{4})\s*$")


def masked(text: object, column: str | None = None) -> tuple[str | None, str | None]:
    """(what may be stored instead of ``text``, the reason to add): unchanged when it is no BSN.

    In an identifier column every BSN-like value is masked. In other columns a value written
    as a date (``2026-02-30``, ``30-02-2026``) is left as it is: a bad date that happens to
    pass the eight-digit elfproef is a date, and the data manager needs to see it.
    """
    if column not in IDENTIFIER_COLUMNS and text is not None and DATE_SHAPE.match(str(text)):
        return str(text), None
    if not is_bsn_like(text):
        return (None if text is None else str(text)), None
    mark = fingerprint(text)
    return mark, REASON_FINGERPRINT if mark else REASON_NO_KEY
