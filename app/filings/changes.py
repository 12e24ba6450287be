"""What a change or a resubmission changed, for the reviewer (issue 14 point 5).

A change (变更) is compared with the filing in force (the last approved request of the firm); a request
resubmitted after a return is compared with what the bureau saw when it returned it (the snapshot taken
then). Field by field before/after, staff added, removed or altered (a person is known by ID number), and
materials replaced (by content: a copied file is the same file).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from app.extensions import db
from app.models import FilingDocument, FilingRequest
from forms.filing import LABELS

FIELDS = (
    "name", "legal_rep", "registered_address", "premises_address", "city_code", "contact_name",
    "contact_phone", "business_types", "equipment", "management_rules",
)
STAFF_KEYS = ("name", "id_number", "role", "training_certificate")


def snapshot(request: FilingRequest) -> dict:
    """The request as a reviewer sees it now, in plain JSON (kept on the request at a return)."""
    return {
        "fields": {name: _value(request, name) for name in FIELDS},
        "staff": [{k: getattr(s, k) or "" for k in STAFF_KEYS} for s in request.staff],
        "documents": [
            {"id": d.id, "material": d.material_code, "sha256": d.sha256, "name": d.original_name}
            for d in request.current_documents
        ],
    }


def _value(request, name):
    value = getattr(request, name)
    if name == "business_types":
        return sorted(value or [])
    return value or ""


@dataclass
class Changes:
    against: str  # "filing": the filing in force; "returned": what the bureau saw at the return
    fields: list[tuple[str, object, object]] = field(default_factory=list)  # (field name, before, after)
    staff_added: list[dict] = field(default_factory=list)
    staff_removed: list[dict] = field(default_factory=list)
    staff_altered: list[tuple[dict, dict]] = field(default_factory=list)
    materials: list[tuple[str, list[FilingDocument], list[FilingDocument]]] = field(default_factory=list)

    @property
    def any(self) -> bool:
        return bool(self.fields or self.staff_added or self.staff_removed or self.staff_altered or self.materials)

    @staticmethod
    def label(name: str) -> str:
        return LABELS.get(name, name)


def baseline(request: FilingRequest) -> tuple[str, dict] | None:
    """What to compare with: the returned snapshot for a resubmission, else (a change) the filing in force."""
    if request.review_snapshot:
        return "returned", request.review_snapshot
    if request.kind == "change":
        filed = db.session.scalar(
            select(FilingRequest)
            .where(FilingRequest.firm_id == request.firm_id, FilingRequest.state.in_(("filed", "changed")),
                   FilingRequest.id != request.id)
            .order_by(FilingRequest.id.desc())
            .limit(1)
        )
        if filed is not None:
            return "filing", snapshot(filed)
    return None


def changes(request: FilingRequest) -> Changes | None:
    found = baseline(request)
    if found is None:
        return None
    against, before = found
    now = snapshot(request)
    result = Changes(against=against)
    for name in FIELDS:
        old, new = before["fields"].get(name, ""), now["fields"][name]
        if old != new:
            result.fields.append((name, old, new))
    old_staff = {s["id_number"]: s for s in before["staff"]}
    new_staff = {s["id_number"]: s for s in now["staff"]}
    result.staff_added = [s for key, s in new_staff.items() if key not in old_staff]
    result.staff_removed = [s for key, s in old_staff.items() if key not in new_staff]
    result.staff_altered = [(old_staff[k], s) for k, s in new_staff.items() if k in old_staff and old_staff[k] != s]
    documents = {d.id: d for d in request.documents}
    old_docs: dict[str, list[dict]] = {}
    for d in before["documents"]:
        old_docs.setdefault(d["material"], []).append(d)
    codes = dict.fromkeys([*old_docs, *(d.material_code for d in request.current_documents)])
    for code in codes:
        old_hashes = sorted(d["sha256"] for d in old_docs.get(code, []))
        current = request.documents_for(code)
        if old_hashes == sorted(d.sha256 for d in current):
            continue
        # The earlier files as this request keeps them (replaced rows stay: their links work), else the
        # rows the snapshot named.
        earlier = [d for d in request.replaced_documents if d.material_code == code and d.sha256 in old_hashes]
        if not earlier:
            earlier = [documents[d["id"]] for d in old_docs.get(code, []) if d["id"] in documents]
        if not earlier:
            earlier = [db.session.get(FilingDocument, d["id"]) for d in old_docs.get(code, [])]
            earlier = [d for d in earlier if d is not None]
        result.materials.append((code, earlier, current))
    return result
