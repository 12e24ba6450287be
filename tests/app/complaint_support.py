"""Helpers for the complaint and warning tests: a citizen's complaint through the form, a clerk's moves."""

from __future__ import annotations

import io

from tests.support import form_fields, page_text, parse, post_form

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
# The complaint tests post at once; tests/app/complaints/test_complaints.py proves the fill-time check
# separately.
FAST = {"COMPLAINT_MIN_FILL_SECONDS": 0}


def complaint_data(pack, *, firm=None, **overrides) -> dict:
    data = {
        "firm_id": str(firm.id) if firm else "",
        "firm_name": "" if firm else "某未备案安防公司",
        "subject": "安装的监控摄像机三个月内多次无画面，报修后一直无人处理",
        "occurred_on": "2026-11-02",
        "place": "和平区某小区3号楼",
        "city_code": pack.cities[0].code,
        "service_user": "y",
        "name": "赵投诉",
        "phone": "13800138000",
        "email": "zhao@example.cn",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def submit(client, pack, *, firm=None, files=None, expect=201, **overrides) -> str | None:
    data = complaint_data(pack, firm=firm, **overrides)
    if files is not None:
        data["attachments"] = files
    fields = form_fields(client.get("/complaints/new"))
    data["csrf_token"], data["form_token"] = fields["csrf_token"], fields["form_token"]
    response = client.post("/complaints/new", data=data, content_type="multipart/form-data")
    assert response.status_code == expect, response.get_data(as_text=True)[:3000]
    reference = parse(response).select_one("#complaint-reference")
    return page_text(reference) if reference else None


def pdf(name="evidence.pdf", body=PDF):
    return (io.BytesIO(body), name)


def act(client, complaint_id: int, action: str, comment: str = "", expect=302, **extra):
    data = {"action": action, "comment": comment, **extra}
    response = post_form(client, f"/complaints/{complaint_id}/act", data, token_from=f"/complaints/{complaint_id}")
    assert response.status_code == expect, response.get_data(as_text=True)[:3000]
    return response


def summarise(client, complaint_id: int, text="用户反映贵单位安装的监控设备多次无画面且报修无人处理。"):
    response = post_form(client, f"/complaints/{complaint_id}/summary", {"firm_summary": text},
                         token_from=f"/complaints/{complaint_id}")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]


def verify(client, complaint_id: int, *, found=True):
    """Assign to oneself, write the firm's summary, verify, and find: the usual path."""
    act(client, complaint_id, "assign")
    summarise(client, complaint_id)
    act(client, complaint_id, "start_verification")
    if found:
        act(client, complaint_id, "verify", "经现场核查，设备确未正常运行，投诉属实", service_user="y")
    else:
        act(client, complaint_id, "find_unfounded", "经核查，设备运行正常，故障系用户自行断电")


def warning_act(client, notice_id: int, action: str, comment: str = "", expect=302):
    response = post_form(client, f"/complaints/warnings/{notice_id}/act", {"action": action, "comment": comment},
                         token_from=f"/complaints/warnings/{notice_id}")
    assert response.status_code == expect, response.get_data(as_text=True)[:3000]
    return response


def track(client, reference: str, phone: str):
    return post_form(client, "/complaints/track", {"reference": reference, "phone": phone})
