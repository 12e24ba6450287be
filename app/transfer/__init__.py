"""Import and export in the web UI: legacy rosters and historical cases in, roster and lists out."""

from flask import Blueprint

bp = Blueprint("transfer", __name__, template_folder="templates")


def _run_import_job(job_id: int) -> None:
    from app.transfer.import_jobs import run_job  # imported when a job runs, not at start-up

    run_job(job_id)


def _recover_import_jobs() -> None:
    from app.transfer.import_jobs import recover_stale

    recover_stale()


def register(app):
    from app import jobs
    from app.transfer import cli, routes  # noqa: F401 - attach the views

    jobs.init_app(app, run=_run_import_job, recover=_recover_import_jobs)
    cli.register(app)
    app.register_blueprint(bp, url_prefix="/transfer")
