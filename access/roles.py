"""Viewers, their roles and what each role may see.

A viewer is mapped from a login identity by the access configuration. The rules:

- ``care_team``: one centre, chosen pathways: the review, patients-like-me, trajectory,
  comparison and adoption pages.
- ``centre_lead``: one centre, all pathways: the same pages.
- ``data_manager``: loads data for one centre: the data and upload pages.
- ``programme_lead``: adoption figures of every centre; outcome comparisons only anonymised.
- ``admin``: the audit trail and the data pages of every centre.

Nobody else sees any data.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    CARE_TEAM = "care_team"
    CENTRE_LEAD = "centre_lead"
    DATA_MANAGER = "data_manager"
    PROGRAMME_LEAD = "programme_lead"
    ADMIN = "admin"


CENTRE_ROLES = frozenset({Role.CARE_TEAM, Role.CENTRE_LEAD, Role.DATA_MANAGER})
NATIONAL_ROLES = frozenset({Role.PROGRAMME_LEAD, Role.ADMIN})

PAGES: dict[Role, tuple[str, ...]] = {
    Role.CARE_TEAM: ("review", "decide", "trajectory", "comparison", "adoption"),
    Role.CENTRE_LEAD: ("review", "decide", "trajectory", "comparison", "adoption"),
    Role.DATA_MANAGER: ("data", "upload"),
    Role.PROGRAMME_LEAD: ("adoption", "comparison"),
    Role.ADMIN: ("audit", "data", "adoption"),
}


class AccessDenied(PermissionError):
    """The viewer may not see what was asked for."""


@dataclass(frozen=True)
class Viewer:
    user: str
    name: str
    role: Role
    centre_code: str | None = None
    pathways: tuple[str, ...] | None = None  # None: every pathway
    is_demo: bool = False

    def __post_init__(self) -> None:
        if self.role in CENTRE_ROLES and not self.centre_code:
            raise ValueError(f"role {self.role} needs a centre")

    @property
    def scope(self) -> tuple[str, str | None, tuple[str, ...] | None]:
        """What this viewer may see; cached results are keyed by it."""
        return (self.role.value, self.centre_code, self.pathways)

    @property
    def is_national(self) -> bool:
        return self.role in NATIONAL_ROLES

    def may_open(self, page: str) -> bool:
        return page in PAGES[self.role]

    def may_see_pathway(self, pathway: str) -> bool:
        return self.pathways is None or pathway in self.pathways

    def may_see_centre(self, centre_code: str | None) -> bool:
        return self.is_national or centre_code == self.centre_code
