"""The firm's home panel: where its filing stands and what the bureau told it."""

from flask import url_for
from flask_babel import gettext as _

from app.filings import service as filings
from app.home import home_panel


@home_panel("firm", order=10)
def filing_status(user):
    pack = filings.current_pack()
    if not pack.filing.enabled:
        return {"title": _("备案"), "items": [pack.filing.notice]}
    if user.firm_id is None:
        return None
    requests = filings.firm_requests(user.firm_id)
    workflow = filings.workflow()
    items = []
    current = requests[0] if requests else None
    if current is None:
        items.append(_("尚未提交备案申请。"))
    else:
        items.append(
            _("最近的申请：%(kind)s，状态：%(state)s", kind=_(current.kind_label), state=_(workflow.state_label(current.state)))
        )
        if current.state == "under_review" and current.authority_code:
            authority = pack.authority(current.authority_code)
            items.append(_("受理机关：%(authority)s", authority=authority.name if authority else current.authority_code))
        messages = [m for m in current.messages if not m.from_firm][-3:]
        items.extend(f"{m.author_label}：{m.body}" for m in messages)
    return {"title": _("备案申请"), "items": items, "link": (url_for("filings.index"), _("办理备案"))}
