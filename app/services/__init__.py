"""Only what several areas use: the roster's name index (name_index), bulk inserts (bulk) and firm-level
rules (firms). An area's own domain operations live in its package beside its views (app/filings/service.py,
app/cases/service.py, ...); a module moves here only when a second area needs it."""
