"""`python -m bench.profile "caller lookup" [-n 40] [--sql] [--top 40]`: where one scenario's time goes.

Runs the named scenario (a part of its name, as `--only` takes) on the bench database already loaded by
`make bench` / `make bench-large`: the SQL of one request (with each statement's time), then cProfile over
`-n` requests, sorted by own time and by cumulative time. For finding the next thing to speed up; the
figures of record come from `bench.run`."""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time

from bench.run import setup_env


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario")
    parser.add_argument("-n", type=int, default=40)
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument("--sql", action="store_true", help="print the full SQL, not only its first 160 chars")
    parser.add_argument(
        "--explain", type=float, metavar="MS", help="EXPLAIN ANALYZE the SELECTs slower than MS"
    )
    args = parser.parse_args(argv)
    setup_env()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from bench import scenarios

    params = scenarios.Params()
    matches = [s for s in scenarios.build(params) if args.scenario.lower() in s.name.lower()]
    if not matches:
        print("no scenario matches; names:", [s.name for s in scenarios.build(params)])
        return 2
    sc = matches[0]
    client = Client(enforce_csrf_checks=False)
    client.force_login(get_user_model().objects.get(username=sc.user))

    def one(i):
        path, body = sc.make(i)
        return scenarios.send(sc, client, scenarios.pick_path(path) or path, body)

    for i in range(5):
        one(10_000 + i)
    statements = []

    def wrapper(execute, sql, params_, many, context):
        t = time.perf_counter()
        try:
            return execute(sql, params_, many, context)
        finally:
            statements.append(((time.perf_counter() - t) * 1000, sql, params_))

    with connection.execute_wrapper(wrapper):
        t = time.perf_counter()
        r = one(1)
        total = (time.perf_counter() - t) * 1000
    print(f"{sc.name}: status {r.status_code}, {total:.1f} ms, {len(statements)} statements")
    for ms, sql, sql_params in statements:
        print(f"  {ms:6.2f} ms  {sql if args.sql else sql[:160]}")
        if args.explain is not None and ms >= args.explain and sql.lstrip().upper().startswith("SELECT"):
            with connection.cursor() as c:
                c.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, sql_params)
                print("\n".join("        " + row[0] for row in c.fetchall()))
    prof = cProfile.Profile()
    t = time.perf_counter()
    prof.enable()
    for i in range(args.n):
        one(i)
    prof.disable()
    print(f"\n{args.n} requests under cProfile: {(time.perf_counter() - t) * 1000 / args.n:.1f} ms each")
    if sc.teardown is not None:
        sc.teardown()
    stats = pstats.Stats(prof, stream=sys.stdout)
    stats.sort_stats("tottime").print_stats(args.top)
    stats.sort_stats("cumulative").print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
