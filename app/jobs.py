"""Background work: import jobs run by huey, outside the request that asked for them.

Why huey: DESIGN.md asks for one small queue that runs embedded on one office machine and on a server at
scale. By default (`flask run`) the web process starts huey's own consumer (its worker threads and
scheduler, not a hand-made pool) the first time it needs it: when a job is enqueued, and when a page polls a
job's progress — so jobs queued before a restart resume as soon as anyone looks. The queue is a SQLite file
in the instance folder, so a queued job survives a restart. One worker thread: imports are write-heavy and
SQLite has one writer anyway.

With several web workers (`./run demo` and the README's production start: gunicorn) JIFANG_JOBS_EMBEDDED=0
and `flask jobs worker` runs as its own process; the web workers only enqueue and read progress. With
JIFANG_REDIS_URL the queue and the progress are in huey's Redis storage instead of the SQLite file, so
several app servers share them. In tests (TESTING) huey runs in immediate mode: a task runs synchronously
when enqueued, in its own application context as it would in a worker.

The queue knows nothing of what a job does: the area that queues jobs (app/transfer, for imports) hands
`init_app` the function a job runs and the one that recovers jobs a dead process left, so this module
imports no service and no service import goes in a circle through it.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable

import click
from flask import Flask, current_app
from flask.cli import AppGroup

jobs_cli = AppGroup("jobs", help="后台任务")
log = logging.getLogger(__name__)


def _embedded_consumer(huey, **options):
    """huey's consumer without its signal handlers: inside the web process the server owns the signals
    (and signal handlers can only be set from the main thread)."""
    from huey.consumer import Consumer

    class EmbeddedConsumer(Consumer):
        def _set_signal_handlers(self):
            return None

    return EmbeddedConsumer(huey, **options)


class JobQueue:
    """The queue is made on first use (huey and redis take a fifth of a second to import, which every
    command and worker start paid before)."""

    def __init__(self, app: Flask, run: Callable[[int], None], recover: Callable[[], object] | None = None):
        self.app = app
        self._job = run  # what a queued job id runs, in an application context
        self._recover = recover  # what recovery runs when a consumer starts
        self.immediate = bool(app.config.get("JIFANG_JOBS_IMMEDIATE", app.config.get("TESTING", False)))
        self.embedded = str(app.config.get("JIFANG_JOBS_EMBEDDED", "1")).lower() not in ("0", "false", "no")
        self._huey = None
        self._task = None
        self._consumer = None
        self._lock = threading.Lock()
        self._making = threading.Lock()

    @property
    def huey(self):
        if self._huey is None:
            with self._making:
                if self._huey is None:
                    self._huey, self._task = self._make()
        return self._huey

    def _make(self):
        from huey import MemoryHuey, RedisHuey, SqliteHuey

        app = self.app
        name = app.config.get("JIFANG_JOBS_NAME") or "jifang"
        if self.immediate:
            huey = MemoryHuey(name, immediate=True)
        elif app.config.get("REDIS_URL"):
            # Several app servers behind a balancer share one queue (and the progress below) through Redis.
            huey = RedisHuey(name, url=app.config["REDIS_URL"])
        else:
            path = app.config.get("JIFANG_JOBS_DB") or os.path.join(app.instance_path, "jobs.sqlite")
            huey = SqliteHuey(name, filename=path)
        return huey, huey.task(name="run_import_job")(self._run)

    def _run(self, job_id: int) -> None:
        with self.app.app_context():
            self._job(job_id)

    def enqueue(self, job_id: int) -> None:
        self.ensure_consumer()
        self.put(job_id)

    def put(self, job_id: int) -> None:
        """Queue the job without starting a consumer (recovery runs while the consumer is being started)."""
        self.huey  # noqa: B018 - makes the queue and its task
        self._task(job_id)

    # A running job's progress lives in the queue's own storage (huey's key-value store: the SQLite queue
    # file or Redis), not in the database: SQLite holds the import's write lock for the whole write phase, and
    # a process-local dict is invisible to the web workers when the consumer is a process of its own.

    def set_progress(self, job_id: int, processed: int) -> None:
        self.huey.put(f"progress:{job_id}", int(processed))

    def progress(self, job_id: int) -> int:
        """Rows the running job has handled, as any web worker sees it (0 if unknown or unreadable)."""
        try:
            return int(self.huey.get(f"progress:{job_id}", peek=True) or 0)
        except Exception:  # noqa: BLE001 - the bar falls back to the row's count; the page must not fail
            log.warning("reading the progress of import job %s failed", job_id, exc_info=True)
            return 0

    def clear_progress(self, job_id: int) -> None:
        self.huey.delete(f"progress:{job_id}")

    def pending_job_ids(self) -> set[int]:
        """The jobs waiting in the queue itself, to tell a queued job the queue has lost."""
        return {task.args[0] for task in self.huey.pending() if task.args}

    def ensure_consumer(self) -> None:
        """Start the embedded consumer once per process (no-op in immediate mode or when disabled)."""
        if self.immediate or not self.embedded or self._consumer is not None:
            return
        with self._lock:
            if self._consumer is None:
                self.recover()
                consumer = _embedded_consumer(self.huey, workers=1, periodic=False, max_delay=2.0)
                consumer.start()
                self._consumer = consumer

    def recover(self) -> None:
        """On consumer start: fail the jobs whose process died, queue again those the queue lost. A failure
        here is logged, never raised: it must not keep the consumer from starting."""
        if self._recover is None:
            return
        try:
            with self.app.app_context():
                self._recover()
        except Exception:  # noqa: BLE001
            log.exception("recovering stale import jobs failed")

    def stop(self) -> None:
        """Stop the embedded consumer, waiting for a running job to end (tests, shutdown hooks)."""
        with self._lock:
            if self._consumer is not None:
                self._consumer.stop(graceful=True)
                self._consumer = None


def queue() -> JobQueue:
    return current_app.extensions["jifang.jobs"]


def init_app(app: Flask, run: Callable[[int], None], recover: Callable[[], object] | None = None) -> None:
    """Give the app its queue: `run(job_id)` is what a job does, `recover()` what a starting consumer does
    first (both run in an application context)."""
    app.extensions["jifang.jobs"] = JobQueue(app, run, recover)
    app.cli.add_command(jobs_cli)


@jobs_cli.command("worker")
def worker():
    """Run the job consumer in the foreground (when JIFANG_JOBS_EMBEDDED=0)."""
    jobs = queue()
    if jobs.immediate:
        raise click.UsageError("immediate mode: tasks run when enqueued")
    from app.backup import hold_running_lock

    hold_running_lock(jobs.app)  # `flask restore` refuses while the worker runs
    jobs.recover()
    click.echo("后台任务进程已启动（Ctrl+C 停止）")
    jobs.huey.create_consumer(workers=1, periodic=False).run()

