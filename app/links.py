"""Absolute links for things that leave the browser (the certificate's printed link and QR code).

They are built from the configured PUBLIC_URL (JIFANG_PUBLIC_URL, see app.config.check_deployment), never
from the request: `url_for(..., _external=True)` takes the host from the Host header, so a request naming
`Host: evil.example` would print a phishing address on a genuine certificate.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app


def public_url(endpoint: str, **values) -> str:
    """The absolute address of `endpoint` under PUBLIC_URL (its scheme, host, port and path prefix)."""
    base = urlsplit(current_app.config["PUBLIC_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme)
    return adapter.build(endpoint, values, force_external=True)
