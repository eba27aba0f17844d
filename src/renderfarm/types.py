"""The statuses the database stores as text, as Python enums.

`[tool.sqlforge.overrides]` in pyproject.toml maps the `status` columns to these classes, so the
generated models carry them instead of plain `str`. They are `StrEnum`s: SQLite stores and
compares the plain text, and a value read back that is not a member raises an error naming
the column.
"""

from __future__ import annotations

import enum


class JobStatus(enum.StrEnum):
    """A job's state; the `jobs.status` CHECK constraint allows exactly these."""

    QUEUED = "queued"
    ACTIVE = "active"
    PAUSED = "paused"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELED = "canceled"

    @property
    def finished(self) -> bool:
        return self in _FINISHED_JOB


class TaskStatus(enum.StrEnum):
    """A task's state: queued until a worker claims it, then active until it ends."""

    QUEUED = "queued"
    ACTIVE = "active"
    PAUSED = "paused"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELED = "canceled"

    @property
    def finished(self) -> bool:
        return self in _FINISHED_TASK


class WorkerStatus(enum.StrEnum):
    """What a worker last reported about itself."""

    OFFLINE = "offline"
    STARTING = "starting"
    AWAKE = "awake"
    ASLEEP = "asleep"
    ERROR = "error"


_FINISHED_JOB = frozenset({JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELED})
_FINISHED_TASK = frozenset({TaskStatus.COMPLETED, TaskStatus.FAILED, TaskStatus.CANCELED})
