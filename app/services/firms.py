"""Firm-level rules that do not belong to one workflow."""

from flask import current_app

from workflows.identifiers import credit_code_division


def locality_from_credit_code(code: str) -> bool:
    """In-province if characters 3–4 of the code name this jurisdiction's province (GB 32100-2015)."""
    pack = current_app.extensions["jifang.pack"]
    return pack.is_in_province(credit_code_division(code))
