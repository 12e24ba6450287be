"""The firm's side of filing (备案): its requests, the form, uploads, and the certificate."""

from flask import Blueprint

bp = Blueprint("filings", __name__, template_folder="templates")


def register(app):
    from app.filings import panels, routes  # noqa: F401 - attach views and the home panel
    from app.filings.cli import filings_cli

    app.register_blueprint(bp, url_prefix="/filings")
    app.cli.add_command(filings_cli)


@bp.app_context_processor
def _holder_helpers():
    """Names the filing and review pages use for an individual applicant (Liaoning art. 17)."""
    from flask_babel import gettext

    from forms.auth import DOCUMENT_LABELS, PROVINCES
    from workflows.identifiers import mask_resident_id

    provinces = dict(PROVINCES)
    return {
        "province_name": lambda code: provinces.get(code or "", ""),
        "document_label": lambda code: gettext(str(DOCUMENT_LABELS[code])) if code in DOCUMENT_LABELS else "",
        "mask": mask_resident_id,
    }
