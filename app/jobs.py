"""Background work (being built)."""


def init_app(app):
    return None
