"""Demo filings: firms in every state, brought there through the same services and workflow as real ones.

Nothing here sets a state or a roster column directly: drafts are saved, submitted, returned, approved and
cancelled by demo accounts, so the demo also exercises the audit trail and the number counter.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import select
from stdnum.cn import ric
from werkzeug.datastructures import FileStorage

from app.extensions import db
from app.filings import service as filings
from app.models import FilingRequest, Firm, User
from reports.fonts import chinese_font

# The state each demo firm is brought to; "cancelled" means filed, then cancelled.
TARGETS = ("draft", "under_review", "returned", "filed", "cancelled")


@dataclass
class DemoFirm:
    firm: Firm
    account: User
    target: str


def material_pdf(title: str) -> bytes:
    """A one-page PDF standing in for a scanned material, in the embedded font every PDF uses (reports/fonts.py):
    STSong-Light was only named, so each reader drew it in a font of its own."""
    font = chinese_font()
    buffer = io.BytesIO()
    # initialFontName: else reportlab names Helvetica (never embedded) for the page's first text state
    canvas = Canvas(buffer, initialFontName=font, initialFontSize=20)
    canvas.setFont(font, 20)
    canvas.drawString(72, 720, f"示范材料：{title}")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _details(pack, firm: Firm) -> dict:
    return {
        "name": firm.name,
        "legal_rep": firm.legal_rep or "张三",
        "registered_address": firm.registered_address or f"{firm.name}注册地址",
        "premises_address": firm.premises_address or f"{firm.name}经营场所",
        "city_code": firm.city_code or pack.cities[0].code,
        "contact_name": firm.contact_name or "李四",
        "contact_phone": firm.contact_phone or "13800000000",
        "business_types": [b.code for b in pack.filing.business_types[:2]],
        "equipment": "视频监控系统调试设备2套、入侵报警测试平台1套；办公及库房场所200平方米",
        "management_rules": "安全管理制度、岗位责任制度、保密制度、从业人员培训制度",
    }


# (name, first 17 digits of the ID number, role, training certificate); the check digit is computed.
STAFF = (
    ("周管理", "21010219800101001", "management", "JF-2024-001"),
    ("吴技术", "21010219850202002", "technical", "JF-2024-002"),
)


def _valid_staff() -> list[dict]:
    """The demo staff, with check digits that pass the same checks as real numbers."""
    return [
        {"name": name, "id_number": stem + ric.calc_check_digit(stem + "0"), "role": role,
         "training_certificate": certificate}
        for name, stem, role, certificate in STAFF
    ]


def _fill(pack, demo: DemoFirm) -> FilingRequest:
    request = filings.start_request(demo.firm, "initial", demo.account)
    uploads = {
        f"doc_{m.code}": FileStorage(stream=io.BytesIO(material_pdf(m.name)), filename=f"{m.name}.pdf")
        for m in filings.upload_materials(pack, demo.firm.is_local)
    }
    filings.save_draft(request, _details(pack, demo.firm), _valid_staff(), uploads, demo.account)
    return request


def _clerk_for(authority_code: str, clerks: list[User]) -> User:
    return next(c for c in clerks if c.authority_code == authority_code)


def _approve_all(request: FilingRequest, clerks: list[User]) -> None:
    while request.state == "under_review":
        filings.decide(request, "approve", _clerk_for(request.authority_code, clerks), "材料齐全，予以备案（演示）")


def bring(pack, demo: DemoFirm, clerks: list[User]) -> None:
    """Take one firm to its target state, unless it has filing history already (idempotent)."""
    has_history = db.session.scalar(select(FilingRequest.id).where(FilingRequest.firm_id == demo.firm.id))
    if has_history or demo.firm.filing_status != "none" or not pack.filing.enabled:
        return
    request = _fill(pack, demo)
    if demo.target == "draft":
        return
    filings.submit(request, demo.account)
    if demo.target == "under_review":
        return
    if demo.target == "returned":
        clerk = _clerk_for(request.authority_code, clerks)
        filings.decide(request, "return", clerk, "安全管理制度未加盖公章，请补正后重新提交（演示）")
        return
    _approve_all(request, clerks)
    if demo.target == "cancelled":
        cancellation = filings.start_request(demo.firm, "cancellation", demo.account)
        filings.save_draft(cancellation, {"reason": "停止经营技防业务（演示）"}, None, {}, demo.account)
        filings.submit(cancellation, demo.account)
        _approve_all(cancellation, clerks)


def clerk_authorities(pack) -> set[str]:
    """Every bureau a demo route passes through, so a demo clerk can act at each stage."""
    codes = set()
    for is_local in (True, False):
        for stage in pack.route_for(is_local).stages if pack.filing.enabled else ():
            code = pack.stage_authority(stage, pack.cities[0].code)
            if code:
                codes.add(code)
    return codes
