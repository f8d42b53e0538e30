"""Viewers for the tests, one per role."""

from __future__ import annotations

from access.roles import Role, Viewer


def lead(centre: str) -> Viewer:
    return Viewer(f"lead.{centre.lower()}", f"Centrumleider {centre}", Role.CENTRE_LEAD, centre)


def team(centre: str, *pathways: str) -> Viewer:
    return Viewer(f"team.{centre.lower()}", f"Zorgteam {centre}", Role.CARE_TEAM, centre, tuple(pathways) or None)


def data_manager(centre: str) -> Viewer:
    return Viewer(f"dm.{centre.lower()}", f"Datamanager {centre}", Role.DATA_MANAGER, centre)


PROGRAMME = Viewer("programme", "Programmaleider", Role.PROGRAMME_LEAD)
ADMIN = Viewer("admin", "Beheerder", Role.ADMIN)
