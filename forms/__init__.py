def N_(text: str) -> str:
    """Mark text for the translation catalogue without translating it (the caller translates at run time)."""
    return text
