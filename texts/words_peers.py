"""The interface's words for one feature, in Dutch and English (merged into ``texts.words.TEXT``).

Kept in its own file so features grow apart; the same rules as ``texts/words.py`` hold.
"""

from __future__ import annotations

TEXT: dict[str, dict[str, str]] = {}
