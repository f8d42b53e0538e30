"""``python -m cli <command>``: the data manager's command line (see ``cli/__init__.py``)."""

from cli import main

raise SystemExit(main())
