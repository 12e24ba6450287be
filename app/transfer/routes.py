"""Import and export pages (being built)."""

from flask import render_template_string

from app.security import STAFF, allow
from app.transfer import bp


@bp.route("/")
@allow(*STAFF)
def index():
    return render_template_string("{% extends 'base.html' %}{% block content %}<h1>导入导出</h1>{% endblock %}")
