"""Binds the workflow engine to the application: the guards, effects and roles, and the audit listener;
then checks every definition against them (an unknown guard, effect or role stops the app, naming it).

The listener is the one way a transition reaches the audit trail (actor, time, comment, from/to), for
every workflow on the default registry, in the transaction of the change it records. Called once by the
factory; registering again is a no-op, so tests may build many apps.
"""

from __future__ import annotations

from flask import Flask, has_app_context

from app import audit
from app.models.user import Role
from workflows.engine import TransitionResult, default_registry, verify_all


def audit_transition(record, result: TransitionResult) -> None:
    if not has_app_context():  # a pure engine run (tests of workflows/) has no audit trail
        return
    actor = result.actor if hasattr(result.actor, "audit_label") else (str(result.actor or "") or "system")
    detail = {**result.audit_detail(), "at": result.at.isoformat()}
    if hasattr(record, "__tablename__"):
        audit.record(f"{result.workflow}.{result.transition}", record, detail=detail, actor=actor)
    else:
        audit.record(
            f"{result.workflow}.{result.transition}", object_type=type(record).__name__,
            object_id=getattr(record, "id", None), detail=detail, actor=actor,
        )


def register(app: Flask) -> None:
    from app.cases import service as penalty_cases
    from app.complaints import service as complaints
    from app.complaints import warnings
    from app.filings import workflow as filing_workflow

    filing_workflow.register(default_registry)
    complaints.register(default_registry)
    warnings.register(default_registry)
    penalty_cases.register(default_registry)
    default_registry.add_roles(*(role.value for role in Role))
    default_registry.on_transition(audit_transition)
    verify_all(default_registry)  # every definition in workflows/definitions: an unknown name stops the app
