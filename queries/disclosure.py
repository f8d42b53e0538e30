"""Being removed (issue 15): the disclosure rules now live in ``analytics.disclosure``.

Only ``pages/adoption.py`` still imports ``coarse_percentages`` from here; once it asks the
service layer instead, this file and its line in pyproject.toml's ignore_imports go.
"""

from analytics.disclosure import coarse_percentages

__all__ = ["coarse_percentages"]
