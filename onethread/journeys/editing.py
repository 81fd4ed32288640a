"""Optimistic concurrency: an edit names the version it was made against."""

from django.db import models


class EditConflict(Exception):
    """The record changed since the editor loaded it; nothing was saved."""

    def __init__(
        self, record: models.Model, expected: int, current: int, message: str = ""
    ) -> None:
        self.record = record
        self.expected = expected
        self.current = current
        name = record._meta.verbose_name
        super().__init__(
            message
            or f"This {name} was changed by someone else (you edited version {expected}, "
            f"it is now at version {current}). Reload it and apply your change again."
        )


def lock_for_edit[M: models.Model](record: M, expected_version: int | None) -> M:
    """Reload the row under a write lock and check the editor saw its latest version.

    Call inside transaction.atomic(). On SQLite the IMMEDIATE transaction
    already serialises writers; on PostgreSQL the row lock does.
    """
    fresh = type(record)._default_manager.select_for_update().get(pk=record.pk)
    current: int = fresh.version  # type: ignore[attr-defined]
    if expected_version is not None and expected_version != current:
        raise EditConflict(fresh, expected_version, current)
    fresh.version = current + 1  # type: ignore[attr-defined]
    return fresh
