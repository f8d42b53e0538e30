"""User text shown as text: never as Markdown, HTML or a link.

Text that people type or deliver (improvement actions, centre names, file names,
pseudonyms) reaches elements that Streamlit renders as Markdown: ``st.markdown``,
``st.caption``, ``st.info``/``success``/``warning``/``error``, ``st.write`` of a string and
the labels of buttons, expanders, tabs and metrics. There an image link would make every
colleague's browser fetch an outside address, and a link could phish. ``plain`` makes such
text inert:

- every character Markdown (with Streamlit's extensions: ``:material/…:`` icons,
  ``:blue[…]`` colours, ``$…$`` formulas) or HTML gives a meaning gets a backslash, which
  CommonMark removes again when it renders (any ASCII punctuation may be escaped);
- a ``.`` is escaped when something other than a space follows it (``evil.example``,
  ``www.``), or when only digits precede it (``1.`` would start a list), so ordinary
  sentences ("Dr. De Vries") keep their dots;
- line breaks and runs of white space become one space: the text stays on its line and
  cannot start a heading, list, quote or code block.

Plotly renders a subset of HTML in hover texts, legends and annotations (``<a href>``
among it): ``plotly_text`` escapes ``&``, ``<`` and ``>`` for those.
"""

from __future__ import annotations

import html

MARKDOWN_SPECIAL = frozenset("\\`*_{}[]()#+-!|<>~:$&@^=")


def plain(text: object) -> str:
    """``text`` for a place that renders Markdown, so that it shows exactly as typed and nothing more."""
    if text is None:
        return ""
    words = " ".join(str(text).split())
    out = []
    for i, ch in enumerate(words):
        if ch in MARKDOWN_SPECIAL or (ch == "." and _dot_needs_escape(words, i)):
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


def _dot_needs_escape(text: str, i: int) -> bool:
    after = text[i + 1 : i + 2]
    return (after != "" and not after.isspace()) or (i > 0 and text[:i].isdigit())


def plotly_text(text: object) -> str:
    """``text`` for a plotly hover text, legend entry, tick label or annotation: shown, never parsed as HTML."""
    return "" if text is None else html.escape(str(text), quote=False)
