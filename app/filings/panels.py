"""The firm's home panel: where its filing stands and what the bureau told it."""

from flask import url_for

from app.home import home_panel
from app.services import filing as filings


@home_panel("firm", order=10)
def filing_status(user):
    pack = filings.current_pack()
    if not pack.filing.enabled:
        return {"title": "备案", "items": [pack.filing.notice]}
    if user.firm_id is None:
        return None
    requests = filings.firm_requests(user.firm_id)
    workflow = filings.workflow()
    items = []
    current = requests[0] if requests else None
    if current is None:
        items.append("尚未提交备案申请。")
    else:
        items.append(f"最近的申请：{current.kind_label}，状态：{workflow.state_label(current.state)}")
        if current.state == "under_review" and current.authority_code:
            authority = pack.authority(current.authority_code)
            items.append(f"受理机关：{authority.name if authority else current.authority_code}")
        messages = [m for m in current.messages if not m.from_firm][-3:]
        items.extend(f"{m.author_label}：{m.body}" for m in messages)
    return {"title": "备案申请", "items": items, "link": (url_for("filings.index"), "办理备案")}
