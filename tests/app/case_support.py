"""Helpers for the penalty case tests: a bureau's staff, a case opened through the form, each step posted."""

from __future__ import annotations

import io

from tests.support import login, post_form

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
SHENYANG, DALIAN = "210100", "210200"


class Staff:
    """Two clerks, a legal reviewer and a bureau head of one bureau, each with a logged-in client."""

    def __init__(self, app, factory, authority=SHENYANG):
        self.app = app
        self.clerk = factory.user("city_clerk", authority_code=authority)
        self.clerk2 = factory.user("city_clerk", authority_code=authority)
        self.reviewer = factory.user("legal_reviewer", authority_code=authority)
        self.head = factory.user("bureau_head", authority_code=authority)
        self.clients = {}

    def later(self, clock, day: str) -> None:
        """Move the pinned clock on; sessions older than their limit end, so everyone logs in again."""
        from tests.conftest import beijing

        clock.move_to(beijing(day))
        self.clients.clear()

    def client(self, who: str):
        if who not in self.clients:
            c = self.app.test_client()
            login(c, getattr(self, who))
            self.clients[who] = c
        return self.clients[who]


def case_data(**overrides) -> dict:
    data = {
        "party_name": "沈阳某某物业管理有限公司", "id_type": "credit_code", "id_number": "91210102MA0T00001G",
        "party_address": "沈阳市和平区某路1号", "provision": "liaoning-35#", "act_date": "2026-10-20",
        "discovered_on": "2026-10-28",
        "facts": "当事人擅自复制并向他人提供小区监控录像资料。",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def open_case(client, expect=302, files=None, **overrides) -> int | None:
    data = case_data(**overrides)
    if files is not None:
        data["evidence"] = files
    response = post_form(client, "/cases/new", data, content_type="multipart/form-data")
    assert response.status_code == expect, response.get_data(as_text=True)[:3000]
    if expect == 302:
        return int(response.headers["Location"].rstrip("/").split("/")[-1])
    return None


def step(client, case_id: int, transition: str, expect=302, **fields):
    data = {k: v for k, v in fields.items() if v is not None}
    if data.pop("confirm", True) and transition in ("decide", "decide_no_penalty", "transfer", "serve", "close",
                                                     "withdraw"):
        data["confirm"] = "y"
    response = post_form(client, f"/cases/{case_id}/act/{transition}", data, token_from=f"/cases/{case_id}")
    assert response.status_code == expect, response.get_data(as_text=True)[:4000]
    return response


def propose(client, case_id: int, amount: int, expect=302, **fields):
    data = {"tier": "normal", "amount": str(amount), **{k: v for k, v in fields.items() if v is not None}}
    response = post_form(client, f"/cases/{case_id}/propose", data, token_from=f"/cases/{case_id}")
    assert response.status_code == expect, response.get_data(as_text=True)[:4000]
    return response


def pdf(name="evidence.pdf", body=PDF):
    return (io.BytesIO(body), name)


def to_review(staff, case_id: int, amount: int = 30000, notified_on="2026-11-30", **propose_fields) -> None:
    """Investigate, propose, notify; the party waives the hearing; submit to legal review."""
    clerk = staff.client("clerk")
    step(clerk, case_id, "investigate")
    propose(clerk, case_id, amount, **propose_fields)
    step(clerk, case_id, "notify", day=notified_on)
    step(clerk, case_id, "submit_review", text="当事人未陈述申辩", waived="y")
