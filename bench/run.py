"""`python -m bench.run --orders N`: make sure the database holds the bench data, then measure.

Phases: (1) create the database if missing, migrate, load the data (bench.generate; skipped when present);
(2) in-process scenarios through Django's test client (bench.scenarios) with the raw-SQL floors;
(3) HTTP scenarios against gunicorn with 2 workers (bench.http); (4) write bench/results/*.json and print the
markdown table (bench.report).

DATABASE_URL must point at PostgreSQL (the Makefile targets default to bst_bench / bst_bench_large on
127.0.0.1). Never part of `make test`; nothing here gates on wall-clock time: figures are compared to the
targets in the table and reported, not asserted."""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date
from urllib.parse import urlparse

BENCH_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.base",
    "DEBUG": "false",
    "SECRET_KEY": "bench-only-secret-key-not-for-production-0123456789abcdefghijklmnop",
    "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
    # Plain HTTP on 127.0.0.1: no HTTPS redirect, cookies without the Secure flag.
    "SECURE_SSL_REDIRECT": "false",
    "SESSION_COOKIE_SECURE": "false",
    "CSRF_COOKIE_SECURE": "false",
    # One bench user sends thousands of requests a minute: lift the per-user API throttle for the bench.
    "API_THROTTLE_USER": "1000000/min",
    "LOG_LEVEL": "WARNING",
    "SMS_BACKEND": "feedback.sms.LocmemBackend",
}


def setup_env() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit(
            "bench: set DATABASE_URL to a PostgreSQL database, e.g. postgres://postgres@127.0.0.1:5432/bst_bench"
        )
    for key, value in BENCH_ENV.items():
        os.environ.setdefault(key, value)
    # Side effects (SMS, follow-up scheduling) are queued as in production, not run inside the request: an
    # in-process memory broker takes the messages (the publish cost is measured; no worker runs them).
    os.environ["CELERY_BROKER_URL"] = "memory://"
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
    return url


def ensure_database(url: str) -> None:
    """CREATE DATABASE (and the pg_trgm extension) when missing: `make bench` works on a fresh machine."""
    import psycopg2

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    conn = psycopg2.connect(admin)
    conn.autocommit = True
    with conn.cursor() as c:
        c.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not c.fetchone():
            c.execute(f'CREATE DATABASE "{name}"')
            print(f"bench: created database {name}")
    conn.close()
    conn = psycopg2.connect(url)
    conn.autocommit = True
    with conn.cursor() as c:
        c.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    conn.close()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=10196)
    parser.add_argument(
        "--anchor", type=date.fromisoformat, default=None, help="last day of the data (default today)"
    )
    parser.add_argument("--requests", type=int, default=60, help="measured requests per scenario (>= 50)")
    parser.add_argument("--only", nargs="*", default=None, help="run only these scenario names")
    parser.add_argument("--no-http", action="store_true", help="skip the gunicorn/HTTP phase")
    parser.add_argument("--http-seconds", type=int, default=15)
    parser.add_argument("--generate-only", action="store_true")
    args = parser.parse_args(argv)

    url = setup_env()
    ensure_database(url)
    import django

    django.setup()
    from django.core.management import call_command

    from bench import generate, hazards, report

    t0 = time.monotonic()
    call_command("migrate", interactive=False, verbosity=0)
    # DEBUG is off: pages need the hashed static manifest (whitenoise), as in production.
    call_command("collectstatic", interactive=False, verbosity=0)
    data = generate.generate(orders=args.orders, seed=args.seed, anchor=args.anchor)
    data["hazards_added"] = hazards.ensure_hazards(orders=args.orders)
    print(f"bench: data ready in {time.monotonic() - t0:.0f}s (peak memory {generate.peak_rss_mb():.0f} MB)")
    if args.generate_only:
        return 0
    from bench import scenarios

    results = scenarios.run_all(requests=max(50, args.requests), only=args.only)
    http_results = []
    if not args.no_http:
        from bench import http

        http_results = http.run_all(seconds=args.http_seconds, only=args.only)
    path, table = report.write(orders=args.orders, data=data, results=results, http_results=http_results)
    print(table)
    print(f"bench: results in {path} ({time.monotonic() - t0:.0f}s in all)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
