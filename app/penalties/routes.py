"""The calculator page: the same calculate() as the API, shown in Chinese with the cited article's text."""

from __future__ import annotations

from flask import current_app, render_template, request

from app.penalties import bp
from app.security import STAFF, allow
from app.services.regulations import article_text
from forms.penalty import CalculatorForm
from reports.money import yuan, yuan_capital
from workflows.penalty import CalculationError, calculate, pack_for
from workflows.penalty_pack import TARGET_LABELS, chinese_numeral
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
    )


def _show_error(form: CalculatorForm, exc: CalculationError) -> None:
    """A refusal from the calculator (act before the text in force, in the future…) beside its field."""
    field = form[exc.field] if exc.field in form else form.violation
    field.errors = [*field.errors, exc.message]
