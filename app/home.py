"""What each role sees waiting on its home page.

Areas contribute panels with @home_panel(role, ...); a panel returns a dict (title, items, link) or None.
"""

from __future__ import annotations

from collections.abc import Callable

_PANELS: list[tuple[tuple[str, ...], int, Callable]] = []


def home_panel(*roles: str, order: int = 50):
    def register(fn):
        _PANELS.append((roles, order, fn))
        return fn

    return register


def panels_for(user) -> list[dict]:
    role = user.role if user.is_authenticated else "public"
    found = []
    for roles, _order, fn in sorted(_PANELS, key=lambda p: p[1]):
        if role in roles:
            panel = fn(user)
            if panel:
                found.append(panel)
    return found
