"""Values that look like a BSN (Dutch citizen service number): refused, and never stored in clear.

A centre delivers pseudonyms, never a BSN. The rule, applied to ``patient_id`` and
``episode_id`` of every table (and, when a row is quarantined for any reason, to every
stored cell of it):

1. Normalise: Unicode NFKC first (full-width digits ``１１１`` become ``111``), then drop every
   format character (Unicode category Cf: zero-width spaces, joiners, byte-order marks) and every
   quote or apostrophe (Excel's leading ``'``, ``"``, typographic quotes), then surrounding white
   space, then one prefix that names a BSN, in any case and with any punctuation after it:
   ``BSN``, ``BSN-nr``, ``BSN nr.``, ``BSNnr``, ``burgerservicenummer`` or ``NL`` (``BSN#``,
   ``bsn: ``, ``NL-``).
2. A value with any letter left after that is **not tested**: a pseudonym such as ``P-111222333``
   or ``E-2026-02-01`` stays allowed. The only letters a tested value may carry are the prefix's.
3. Every separator is dropped (any character that is not a letter or digit: ``.``, ``,``, space,
   ``-``, ``_``, ``/``, ``#`` …), and the digits are tested; so is each run of digits the value
   holds between spaces, commas or other list separators (``111222333, 444555666``), with the
   separators inside a number (``.``, ``-``, ``_``) dropped.
4. Nine digits are refused, **whether or not they pass the elfproef**. This is the strict
   choice: a mistyped BSN still names a person, and a pseudonym of nine bare digits has no
   use that a letter prefix would not serve as well.
5. Ten digits starting with ``0`` are a BSN with a leading zero: refused as its last nine.
6. Eight digits are refused when they pass the elfproef after padding with a leading ``0``
   (a BSN of which a spreadsheet dropped the leading zero). Other eight-digit pseudonyms
   stay allowed, as do ten digits without a leading zero and every other length.

So ``111.222.333``, ``111,222,333``, ``'111222333``, ``１１１２２２３３３``, ``BSN-nr 111222333``,
``BSN nr. 111222333``, ``BSN#111222333``, ``NL111222333`` and ``0111222333`` all come to
``111222333`` and are refused.

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
import unicodedata

import polars as pl

FINGERPRINT_ENV = "QUARANTINE_FINGERPRINT_SECRET"
DEMO_ENV = "SAMEN_LEREN_DEMO"
DEMO_FINGERPRINT_SECRET = "samen-leren-demo-fingerprint-only"  # nosec B105  # the public demo's key, demo mode only
MIN_SECRET_LENGTH = 32
FINGERPRINT_PREFIX = "hmac:"
FINGERPRINT_HEX = 32  # 128 bits of the HMAC: plenty to tell values apart, short enough to show

BSN_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)
FORMAT_AND_QUOTES = r"[\p{Cf}'\"`´‘’‚‛“”„]"  # invisible format characters, quotes and apostrophes
PREFIX = r"^(?i:burgerservicenummer|bsn[\W_]*nr|bsn|nl)[\W_]*"
SEPARATORS = r"[\W_]"  # everything that is neither a letter nor a digit
LETTER = r"\p{L}"
RUN = r"[0-9]+(?:[._\-][0-9]+)*"  # a number within a list: digits with the separators a number carries

REASON_NOT_STORED = "de waarde lijkt op een BSN en is niet bewaard"
REASON_FINGERPRINT = REASON_NOT_STORED + "; getoond wordt een vingerafdruk (HMAC)"
REASON_NO_KEY = REASON_NOT_STORED + f" (geen vingerafdruk: {FINGERPRINT_ENV} is niet ingesteld)"

_QUOTES_RE = re.compile(r"['\"`´‘’‚‛“”„]")
_PREFIX_RE = re.compile(r"^(?:burgerservicenummer|bsn[\W_]*nr|bsn|nl)[\W_]*", re.IGNORECASE)
_SEPARATORS_RE = re.compile(r"[\W_]")
_RUN_RE = re.compile(RUN)


def _stripped(text: str) -> str:
    """Step 1 of the rule: NFKC, no format characters or quotes, no white space around, no BSN prefix."""
    value = unicodedata.normalize("NFKC", text)
    value = "".join(ch for ch in _QUOTES_RE.sub("", value) if unicodedata.category(ch) != "Cf")
    return _PREFIX_RE.sub("", value.strip())


def _as_bsn(digits: str) -> str | None:
    """Steps 4-6: the nine digits of a BSN, or None."""
    if not digits.isascii() or not digits.isdigit():
        return None
    if len(digits) == 9:
        return digits  # strict: nine digits are refused even when the elfproef fails
    if len(digits) == 10 and digits.startswith("0"):
        return digits[1:]
    if len(digits) == 8 and passes_elfproef("0" + digits):
        return "0" + digits
    return None


def normalise(text: object) -> str | None:
    """The nine digits of a BSN-like value (see the module's rule), or None when it is not one."""
    if text is None:
        return None
    value = _stripped(str(text))
    if any(ch.isalpha() for ch in value):
        return None  # letters other than a BSN prefix: a pseudonym, not tested
    whole = _as_bsn(_SEPARATORS_RE.sub("", value))
    if whole is not None:
        return whole
    for run in _RUN_RE.findall(value):
        found = _as_bsn(_SEPARATORS_RE.sub("", run))
        if found is not None:
            return found
    return None


def passes_elfproef(nine_digits: str) -> bool:
    """The 11-check of a nine-digit BSN."""
    if len(nine_digits) != 9 or not nine_digits.isdigit():
        return False
    return sum(int(d) * w for d, w in zip(nine_digits, BSN_WEIGHTS, strict=True)) % 11 == 0


def is_bsn_like(text: object) -> bool:
    return normalise(text) is not None


def _bsn_digits(digits: pl.Expr) -> pl.Expr:
    """Vectorised steps 4-6 on a column of digit strings."""
    padded = pl.when(digits.str.len_chars() == 8).then(pl.lit("0") + digits).otherwise(digits)
    weighted = pl.sum_horizontal(padded.str.slice(i, 1).cast(pl.Int64, strict=False) * w for i, w in enumerate(BSN_WEIGHTS))
    nine = digits.str.contains(r"^[0-9]{9}$")
    ten = digits.str.contains(r"^0[0-9]{9}$")
    eight = digits.str.contains(r"^[0-9]{8}$") & (weighted % 11 == 0)
    return (nine | ten | eight).fill_null(False)


def looks_like_bsn(column: str) -> pl.Expr:
    """Vectorised ``is_bsn_like`` of a text column, for the pandera models (null counts as no).

    Only a value without letters and with at least eight digits can be one, so the whole test runs on those
    values alone: a column of pseudonyms (``UMCU-E0000100``) costs one cheap pass, not the test (1.4 s per
    200,000 values)."""
    return pl.col(column).map_batches(_bsn_mask, return_dtype=pl.Boolean, is_elementwise=True)


def _bsn_mask(values: pl.Series) -> pl.Series:
    value = pl.col("value").str.normalize("NFKC").str.replace_all(FORMAT_AND_QUOTES, "").str.strip_chars()
    value = value.str.replace(PREFIX, "")
    frame = pl.DataFrame({"value": values.cast(pl.String)})
    candidate = (~value.str.contains(LETTER) & (value.str.count_matches("[0-9]") >= 8)).fill_null(False)
    rows = frame.select(candidate).to_series().arg_true()
    out = pl.repeat(False, len(values), dtype=pl.Boolean, eager=True).alias(values.name)
    if rows.is_empty():
        return out
    runs = value.str.extract_all(RUN).list.eval(_bsn_digits(pl.element().str.replace_all(SEPARATORS, "")).any())
    found = _bsn_digits(value.str.replace_all(SEPARATORS, "")) | runs.list.first().fill_null(False)
    return out.scatter(rows, frame[rows].select(found.fill_null(False)).to_series())


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
