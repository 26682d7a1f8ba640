"""A commit callback registered once per transaction (socialleaders.transactions)."""

import pytest
from django.db import transaction

from socialleaders.transactions import on_commit_once

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_callback_runs_once_per_transaction_however_often_it_is_registered():
    ran = []

    def note():
        ran.append(1)

    with transaction.atomic():
        assert on_commit_once(note) is True
        for _ in range(1000):
            assert on_commit_once(note) is False
        transaction.on_commit(lambda: None)  # others' callbacks in between change nothing
        assert on_commit_once(note) is False
    assert ran == [1]
    with transaction.atomic():  # the next transaction gets its own
        assert on_commit_once(note) is True
    assert ran == [1, 1]


def test_a_callback_dropped_with_a_rolled_back_savepoint_is_registered_again():
    ran = []

    def note():
        ran.append(1)

    with transaction.atomic():
        try:
            with transaction.atomic():
                assert on_commit_once(note) is True
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
        assert on_commit_once(note) is True  # Django dropped it with the savepoint
        with transaction.atomic():
            assert on_commit_once(note) is False  # still there: savepoint kept
    assert ran == [1]


def test_outside_a_transaction_it_runs_at_once():
    ran = []
    assert on_commit_once(lambda: ran.append(1)) is True
    assert ran == [1]
