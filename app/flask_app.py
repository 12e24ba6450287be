"""The Flask application class, with two per-request costs of Flask's own found once instead of per request.

Both are small overrides of documented extension points (Flask.ensure_sync, SessionInterface), measured on
the public roster entry (benchmarks/bench_load.py): no library does either, and they change no answer.

- ensure_sync: Flask asks `inspect.iscoroutinefunction` of each of the ~20 hooks and views a request runs
  (before/after/teardown handlers, context processors); the app has no async view, and a function's being a
  coroutine function does not change, so the answer is kept per function.
- the session's signing serializer: Flask builds a new itsdangerous serializer to open and again to save the
  session, and each construction serialises an empty dict to test the serializer's type; it is kept per
  (secret key, fallback keys, salt, digest, key derivation), so a changed key still takes effect at once.

And one start-up cost: werkzeug compiles two URL-building functions for every route when it is added (an ast
built and compiled per function, about 450 for the app's routes); a command that builds no URL (an import,
an export) paid for all of them. Here each is compiled when url_for first needs it (Rule.compile's
documented hook, url_rule_class), by werkzeug's own code, so every URL is the same.
"""

from __future__ import annotations

import inspect

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from werkzeug.routing import Rule

_KEPT = 4096  # bound on the remembered functions (the app registers a few dozen)


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session; only the serializer is built once per key."""

    def get_signing_serializer(self, app):
        fallbacks = app.config.get("SECRET_KEY_FALLBACKS")
        key = (app.secret_key, tuple(fallbacks) if fallbacks else (), self.salt, self.digest_method,
               self.key_derivation)
        kept = app.extensions.setdefault("jifang.session_serializers", {})
        found = kept.get(key)
        if found is None:
            found = super().get_signing_serializer(app)
            if found is None:  # no secret key: Flask's answer, not kept
                return None
            kept.clear()  # only the current key's is needed
            kept[key] = found
        return found


class _DeferredBuilder:
    """Stands in for one of a rule's compiled URL builders until the first URL is built with it; then
    werkzeug's own builder takes its place on the rule."""

    __slots__ = ("append_unknown", "rule")

    def __init__(self, append_unknown: bool):
        self.append_unknown = append_unknown
        self.rule = None

    def __get__(self, rule, owner=None):  # Rule.compile binds the builder to its rule
        self.rule = rule
        return self

    def __call__(self, **values):
        rule = self.rule
        built = Rule._compile_builder(rule, self.append_unknown).__get__(rule, None)
        setattr(rule, "_build_unknown" if self.append_unknown else "_build", built)
        return built(**values)


class LazyBuilderRule(Rule):
    """A werkzeug Rule whose URL builders are compiled on first use rather than when the route is added."""

    def _compile_builder(self, append_unknown: bool = True):
        return _DeferredBuilder(append_unknown)


class JifangFlask(Flask):
    session_interface = SessionInterface()
    url_rule_class = LazyBuilderRule

    def ensure_sync(self, func):
        synchronous = self.__dict__.setdefault("_jifang_synchronous", set())
        try:
            if func in synchronous:
                return func
        except TypeError:  # an unhashable callable: Flask's own answer
            return super().ensure_sync(func)
        if inspect.iscoroutinefunction(func):
            return super().ensure_sync(func)
        if len(synchronous) < _KEPT:
            synchronous.add(func)
        return func
