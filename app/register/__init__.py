"""The clerks' register of firms (单位名册): every firm of the clerk's bureau — filed or not, signed up or
imported — searchable and filterable, each with its history (filings and changes, complaints, warnings,
penalty cases). A city clerk sees the firms of his or her bureau (app/accounts/claims.firm_authority), a
provincial clerk every firm; another bureau's firm answers 404."""

from flask import Blueprint

bp = Blueprint("register", __name__, template_folder="templates")


def register(app):
    from app.register import routes  # noqa: F401 - attach the views

    app.register_blueprint(bp, url_prefix="/register")
