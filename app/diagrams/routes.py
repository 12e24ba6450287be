"""The process diagrams: an SVG generated from the workflow's YAML, and a page that shows it with the same
facts as text (states with their time limits, transitions with who fires them)."""

from __future__ import annotations

from flask import abort, current_app, render_template, request
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from app.diagrams import bp
from app.extensions import db
from app.filings import service as filings
from app.models import AuditEntry
from app.security import ANY_USER, allow
from workflows.diagram import path_from_audit, render_svg, time_limit_text
from workflows.engine import Context, Workflow, definition_names, load_definition

# Who fires a transition, as short as a diagram's edge allows (the page's text lists give the full names).
SHORT_ROLES = {"firm": "单位", "city_clerk": "市局", "provincial_clerk": "省厅", "admin": "管理员",
               "legal_reviewer": "法制审核", "bureau_head": "机关负责人"}
FIRM_WORKFLOWS = ("filing",)  # a firm sees the process its own requests go through


def _workflow_or_404(name: str) -> Workflow:
    if name not in definition_names() or (current_user.role == "firm" and name not in FIRM_WORKFLOWS):
        abort(404)
    return load_definition(name)


def _record(workflow: Workflow):
    """The filing request named by ?request=, if the user may see it (404 otherwise): its state and path."""
    request_id = request.args.get("request", type=int)
    if request_id is None:
        return None, ()
    if workflow.name != "filing":
        abort(404)
    found = (filings.for_firm(request_id, current_user) if current_user.role == "firm"
             else filings.for_clerk(request_id, current_user))
    if found is None:
        abort(404)
    details = db.session.scalars(
        select(AuditEntry.detail).where(AuditEntry.object_type == found.__tablename__,
                                        AuditEntry.object_id == str(found.id))
        .order_by(AuditEntry.id)
    )
    return found, path_from_audit(workflow.name, details)


def _svg(workflow: Workflow) -> tuple[str, object]:
    found, path = _record(workflow)
    ctx = Context(pack=current_app.extensions["jifang.pack"])
    svg = render_svg(workflow, role_labels=SHORT_ROLES, ctx=ctx, current=found.state if found else None,
                     path=path)
    return svg, found


@bp.get("/<name>.svg")
@allow(*ANY_USER)
def svg(name: str):
    text, _found = _svg(_workflow_or_404(name))
    return text, 200, {"Content-Type": "image/svg+xml; charset=utf-8", "Cache-Control": "private, no-store"}


@bp.get("/<name>")
@allow(*ANY_USER)
def show(name: str):
    from app.models.user import ROLE_LABELS

    workflow = _workflow_or_404(name)
    text, found = _svg(workflow)
    ctx = Context(pack=current_app.extensions["jifang.pack"])
    roles = {role.value: label for role, label in ROLE_LABELS.items()}
    states = [(key, state, time_limit_text(workflow, key, ctx)) for key, state in workflow.states.items()]
    names = [n for n in definition_names() if current_user.role != "firm" or n in FIRM_WORKFLOWS]
    return render_template("diagrams/show.html", workflow=workflow, svg=Markup(text), states=states, roles=roles,
                           found=found, names=names, labels={n: load_definition(n).label for n in names})
