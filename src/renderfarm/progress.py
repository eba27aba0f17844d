"""How far a job has come, computed from its tasks (the generated models, read elsewhere).

Hand-written on top of `renderfarm.db.models`: the dashboard shows a bar per job, and the
manager uses `job_status_for` to settle a job once its tasks are done.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from renderfarm.db.models import Job, Task, TaskDependency
from renderfarm.types import JobStatus, TaskStatus


@dataclass(frozen=True)
class JobProgress:
    job_id: int
    total: int
    by_status: dict[TaskStatus, int]

    @property
    def finished(self) -> int:
        return sum(count for status, count in self.by_status.items() if status.finished)

    @property
    def fraction(self) -> float:
        """Share of tasks that reached an end state; a job without tasks is done."""
        return 1.0 if self.total == 0 else self.finished / self.total


def job_progress(job: Job, tasks: Iterable[Task]) -> JobProgress:
    """Count the tasks of `job` (tasks of other jobs are ignored)."""
    counts = Counter(task.status for task in tasks if task.job_id == job.id)
    return JobProgress(job_id=job.id, total=sum(counts.values()), by_status=dict(counts))


def job_status_for(job: Job, progress: JobProgress) -> JobStatus:
    """The status a job should have given its tasks; a finished job keeps its status."""
    if job.status.finished or not progress.total or progress.finished < progress.total:
        return job.status
    if progress.by_status.get(TaskStatus.FAILED):
        return JobStatus.FAILED
    if progress.by_status.get(TaskStatus.COMPLETED):
        return JobStatus.COMPLETED
    return JobStatus.CANCELED


def runnable(task: Task, dependencies: Sequence[TaskDependency], tasks: Iterable[Task]) -> bool:
    """A queued task whose every dependency has completed."""
    if task.status is not TaskStatus.QUEUED:
        return False
    status = {other.id: other.status for other in tasks}
    needed = [d.dependency_id for d in dependencies if d.task_id == task.id]
    return all(status.get(dependency) is TaskStatus.COMPLETED for dependency in needed)
