"""The calculator page: the same calculate() as the API, shown in Chinese with the cited article's text."""

from __future__ import annotations

from flask import current_app, render_template, request

from app.penalties import bp
from app.penalties.regulations import article_text
from app.security import STAFF, allow
from forms.penalty import CalculatorForm
from reports.money import yuan, yuan_capital
from workflows.penalty import CalculationError, calculate, pack_for
from workflows.penalty_pack import TARGET_LABELS, all_penalty_packs, chinese_numeral
from workflows.time_limits import china_today


@bp.app_template_filter("yuan")
def _yuan(amount: int) -> str:
    return yuan(amount)


@bp.app_template_filter("yuan_capital")
def _yuan_capital(amount: int) -> str:
    return yuan_capital(amount)


@bp.get("/calculator")
@allow(*STAFF)
def calculator():
    deployment = current_app.extensions["jifang.pack"].code
    form = CalculatorForm(request.args or None, default_jurisdiction=deployment)
    show_all = _own_pack_only(form, deployment)
    result = pack = provision = None
    today = china_today()
    if request.args and form.validate():
        pack = pack_for(form.jurisdiction.data)
        provision = pack.provision(form.violation.data)
        try:
            result = calculate(pack, provision.code, form.facts(today=today))
        except CalculationError as exc:
            _show_error(form, exc)
    article = article_text(pack.code, provision.reference.article) if result else None
    return render_template(
        "penalties/calculator.html",
        form=form,
        result=result,
        rules=pack,
        provision=provision,
        article=article,
        article_label=f"第{chinese_numeral(article.number)}条" if article else None,
        target_labels=TARGET_LABELS,
        today=today,
        show_all=show_all,
        other_args={k: v for k, v in request.args.items() if k != "other"},
    )


def _own_pack_only(form: CalculatorForm, deployment: str) -> bool:
    """The jurisdictions and provisions offered: only the deployment's own regulation, unless the clerk asks
    for the others (?other=1) or the query already names another jurisdiction. True when all are shown."""
    if request.args.get("other") == "1" or form.jurisdiction.data not in (None, "", deployment):
        return True
    own = {p.code for p in all_penalty_packs()[deployment].provisions}
    form.jurisdiction.choices = [c for c in form.jurisdiction.choices if c.value == deployment]
    form.violation.choices = [c for c in form.violation.choices if c.value in own]
    form.item.choices = [c for c in form.item.choices if not c.value or c.value.split(":", 1)[0] in own]
    return False


def _show_error(form: CalculatorForm, exc: CalculationError) -> None:
    """A refusal from the calculator (act before the text in force, in the future…) beside its field."""
    field = form[exc.field] if exc.field in form else form.violation
    field.errors = [*field.errors, exc.message]
