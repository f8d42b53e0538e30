"""The page keeps what it read from the action store until a write renews the store's stamp: re-runs read nothing
again, a team's new action shows at once, and a write that stopped before its stamp leaves nothing kept."""

from __future__ import annotations

import datetime as dt

import pytest

import queries
from tests.apptest import app, main_text
from tests.test_improvement_actions import CODES, action
from tests.viewers import lead
from warehouse.actions import actions_path, record_action, store_stamp

SEPT = dt.date(2026, 9, 1)


@pytest.fixture
def store_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    reads: list[str] = []
    real = queries.run

    def counted(name, viewer, db=None, **params):
        if queries.rule(name).store == "actions":
            reads.append(name)
        return real(name, viewer, db=db, **params)

    monkeypatch.setattr(queries, "run", counted)
    return reads


def test_re_runs_keep_the_store_s_rows_and_a_write_shows_at_once(own_review_warehouse, monkeypatch, store_reads) -> None:
    record_action(own_review_warehouse, lead("UMCU"), action(), CODES)  # the store has a stamp
    stamp = store_stamp(own_review_warehouse)
    assert stamp is not None
    at = app(own_review_warehouse, monkeypatch, viewer_centre="UMCU", month_UMCU_knee_oa=SEPT).run()
    assert not at.exception, [e.value for e in at.exception]
    first = len(store_reads)
    assert first > 0
    at.run()
    assert len(store_reads) == first  # the re-run read the store's rows from what it kept

    record_action(own_review_warehouse, lead("UMCU"), action(what="Tweede verbeterplan: wondzorg bespreken"), CODES)
    assert store_stamp(own_review_warehouse) not in (None, stamp)
    at.run()
    assert len(store_reads) > first and "Tweede verbeterplan: wondzorg bespreken" in main_text(at)


def test_without_a_stamp_nothing_is_kept(own_review_warehouse, monkeypatch, store_reads) -> None:
    record_action(own_review_warehouse, lead("UMCU"), action(), CODES)
    stamp_file = actions_path(own_review_warehouse).with_name(actions_path(own_review_warehouse).name + ".stamp")
    stamp_file.unlink()  # as a write that stopped between its commit and its stamp leaves it
    at = app(own_review_warehouse, monkeypatch, viewer_centre="UMCU", month_UMCU_knee_oa=SEPT).run()
    first = len(store_reads)
    at.run()
    assert len(store_reads) == 2 * first


def test_the_practices_waiting_for_their_effect_are_read_again_only_after_a_write(own_review_warehouse, monkeypatch) -> None:
    import warehouse.actions as store

    record_action(own_review_warehouse, lead("UMCU"), action(), CODES)  # the store has a stamp
    opened: list[int] = []
    real = store.actions_reader

    def counted(root):
        opened.append(1)
        return real(root)

    monkeypatch.setattr(store, "actions_reader", counted)
    first = store.pending_practices(own_review_warehouse)
    assert store.pending_practices(own_review_warehouse) == first and len(opened) == 1  # kept under the stamp

    record_action(own_review_warehouse, lead("UMCU"), action(), CODES)  # a write renews the stamp
    store.pending_practices(own_review_warehouse)
    assert len(opened) == 2

    actions_path(own_review_warehouse).with_name(actions_path(own_review_warehouse).name + ".stamp").unlink()
    store.pending_practices(own_review_warehouse)
    store.pending_practices(own_review_warehouse)
    assert len(opened) == 4  # without a stamp nothing is kept
