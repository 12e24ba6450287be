"""Helpers the filing and review tests share: valid identifiers, small files, form posts per role."""

from __future__ import annotations

import io
import re

from stdnum.cn import ric
from werkzeug.datastructures import FileStorage

from tests.support import get_page, page_text, parse, post_form

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
HTML = b"<!doctype html><html><script>alert(1)</script></html>"


def resident_id(n: int = 1) -> str:
    stem = f"21010219800101{n:03d}"
    return stem + ric.calc_check_digit(stem + "0")


def bad_resident_id(n: int = 1) -> str:
    good = resident_id(n)
    return good[:-1] + ("1" if good[-1] != "1" else "2")


def upload_fields(pack, *, is_local: bool = True) -> dict:
    """A PDF for every material the pack asks to be uploaded (the form's doc_<code> fields)."""
    from app.filings.service import upload_materials

    return {f"doc_{m.code}": (io.BytesIO(PDF), f"{m.code}.pdf") for m in upload_materials(pack, is_local)}


def form_data(pack, *, city_code: str | None = None, staff: int = 1, **overrides) -> dict:
    data = {
        "name": "测试安防工程有限公司",
        "legal_rep": "王五",
        "registered_address": "沈阳市和平区测试路1号",
        "premises_address": "测试路1号2楼",
        "city_code": city_code or pack.cities[0].code,
        "contact_name": "李四",
        "contact_phone": "024-12345678",
        "business_types": [b.code for b in pack.filing.business_types[:2]],
        "equipment": "视频监控测试台2套，办公场所120平方米",
        "management_rules": "安全管理制度、岗位责任制度、保密制度",
    }
    for i in range(staff):
        data.update({
            f"staff-{i}-name": f"技术员{i}",
            f"staff-{i}-id_number": resident_id(i + 1),
            f"staff-{i}-role": "technical" if i else "management",
            f"staff-{i}-training_certificate": f"PX-{i:04d}",
        })
    data.update(overrides)
    return data


def start(client, kind: str = "initial") -> int:
    response = post_form(client, "/filings/start", {"kind": kind}, token_from="/filings/")
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    match = re.search(r"/filings/(\d+)/edit", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def save(client, request_id: int, data: dict, *, send: bool = False, **kwargs):
    data = dict(data)
    data["send" if send else "save"] = "1"
    return post_form(client, f"/filings/{request_id}/edit", data, **kwargs)


def submit_new(client, pack, *, city_code=None, is_local=True, **overrides) -> int:
    """Start a first filing, fill every field, upload the materials and submit it."""
    request_id = start(client)
    data = form_data(pack, city_code=city_code, **overrides)
    data.update(upload_fields(pack, is_local=is_local))
    response = save(client, request_id, data, send=True)
    assert response.status_code == 302, _errors(response)
    return request_id


def decide(client, request_id: int, action: str, comment: str = ""):
    return post_form(
        client, f"/review/{request_id}/decide", {"action": action, "comment": comment, "confirm": "1"},
        token_from=f"/review/{request_id}",
    )


def _errors(response) -> str:
    """The form's errors (each field's and the summary's links to them), to tell why a post was refused."""
    page = parse(response)
    found = [page_text(e) for e in page.select('.error, li > a[href^="#"]')]
    return " | ".join(found) or page_text(page)[:1500]


def submitted_request(app, factory, *, firm=None, city_code=None):
    """A complete request submitted through the services (no HTTP), for queue and concurrency tests."""
    from app.filings import service as filings

    pack = app.extensions["jifang.pack"]
    user = factory.user("firm", firm=firm)
    request = filings.start_request(user.firm, "initial", user)
    data = form_data(pack, city_code=city_code)
    details = {k: v for k, v in data.items() if not k.startswith("staff-")}
    staff = [{"name": "管理员", "id_number": resident_id(1), "role": "management", "training_certificate": "A1"}]
    uploads = {
        name: FileStorage(stream=io.BytesIO(PDF), filename=filename)
        for name, (_stream, filename) in upload_fields(pack, is_local=user.firm.is_local).items()
    }
    assert filings.save_draft(request, details, staff, uploads, user) == {}
    filings.submit(request, user)
    return request, user


def queue_ids(client) -> list[int]:
    """The request IDs in the clerk's queue table (not the recently decided list below it)."""
    table = get_page(client, "review.queue").select_one("table.queue")
    return [int(m.group(1)) for a in table.select("a[href]") if (m := re.fullmatch(r"/review/(\d+)", a["href"]))]
