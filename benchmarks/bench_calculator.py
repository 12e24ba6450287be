"""CPU time of one API calculation in-process, beside a bare Flask "hello": the share bench_load.py measures
under gunicorn, without gunicorn's own part (parsing, writing) and without the network, so that it can be
compared on a machine other processes are using (process CPU time, not wall time, best of --repeat).

    .venv/bin/python benchmarks/bench_calculator.py [--requests 3000] [--repeat 7]

Each request is a full WSGI call of the application as `gunicorn 'app:create_app()'` builds it (its hooks,
request log line and security headers included; the log goes to /dev/null): POST /api/v1/penalties/calculate
with the body bench_load.py sends, no cookie (an API client's). Target (issue 15): the calculator at ≥ 40%
of the floor in bench_load.py; gunicorn's fixed part per request makes that share larger than this one.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BODY = json.dumps({"jurisdiction": "liaoning", "violation": "liaoning-35", "party": "unit",
                   "act_date": "2024-06-01"}).encode()


def per_request_us(app, environ: dict, body: bytes, requests: int, repeat: int) -> float:
    def start_response(status, headers, exc_info=None):
        if not status.startswith("200"):
            raise SystemExit(f"{environ['PATH_INFO']} answered {status}")

    def run() -> float:
        started = time.process_time()
        for _ in range(requests):
            env = dict(environ, **{"wsgi.input": io.BytesIO(body)})
            out = app(env, start_response)
            b"".join(out)
            getattr(out, "close", lambda: None)()
        return (time.process_time() - started) / requests * 1e6

    return min(run() for _ in range(repeat))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    sys.path[:0] = [str(ROOT), str(HERE)]
    os.environ.setdefault("SECRET_KEY", os.urandom(24).hex())
    os.environ["JIFANG_JOBS_EMBEDDED"] = "0"
    for name in ("DATABASE_URL", "JIFANG_REDIS_URL", "FLASK_APP"):
        os.environ.pop(name, None)
    with tempfile.TemporaryDirectory(prefix="jifang-calc-") as tmp, open(os.devnull, "w") as devnull:
        os.environ["JIFANG_INSTANCE_PATH"] = tmp
        sys.stderr = devnull  # the request log lines are written (their cost counts), not shown
        from bench_load import hello_app, jifang_app
        from werkzeug.test import EnvironBuilder

        calc = EnvironBuilder(path="/api/v1/penalties/calculate", method="POST", data=BODY,
                              content_type="application/json").get_environ()
        hello = EnvironBuilder(path="/").get_environ()
        floor = per_request_us(hello_app(), hello, b"", args.requests, args.repeat)
        calculator = per_request_us(jifang_app(), calc, BODY, args.requests, args.repeat)
        sys.stderr = sys.__stderr__
    print(f"floor (bare Flask hello): {floor:7.1f} µs CPU a request")
    print(f"calculator:               {calculator:7.1f} µs CPU a request, {100 * floor / calculator:.1f}% of the floor "
          f"(in-process; gunicorn's own part not counted)")


if __name__ == "__main__":
    main()
