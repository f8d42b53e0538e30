"""Command line of the warehouse: ``python -m warehouse load|status|quarantine|demo``."""

from warehouse.cli import main

raise SystemExit(main())
