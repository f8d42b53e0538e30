"""What every command shares: the usage-error exit code and where a command's audit rows go."""

from __future__ import annotations

import os
from pathlib import Path

USAGE_ERROR = 2


def audit_file(db: Path) -> Path:
    """``$AUDIT_PATH``, or ``audit.jsonl`` beside the warehouse the command works on."""
    return Path(os.environ.get("AUDIT_PATH", str(db.with_name("audit.jsonl"))))
