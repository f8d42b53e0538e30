"""``python -m warehouse <command>``: the name existing scripts and the documentation use
(``python -m warehouse load``, ``import-fhir``, ``demo``, ``pack``, ...).

The command line itself lives at the top of the layers, in the package ``cli``
(``python -m cli <command>`` runs the same commands). This file only hands over to it: an entry
point, not a layer import. ``warehouse`` never imports ``cli``, ``sample_data`` or ``reports``;
the import contract in pyproject.toml names this one import as its declared exception.
"""

from cli import main

raise SystemExit(main(prog="python -m warehouse"))
