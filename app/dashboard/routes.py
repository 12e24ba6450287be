"""Dashboard pages (being built)."""

from flask import render_template_string

from app.dashboard import bp
from app.security import STAFF, allow


@bp.route("/")
@allow(*STAFF)
def index():
    return render_template_string("{% extends 'base.html' %}{% block content %}<h1>统计</h1>{% endblock %}")
