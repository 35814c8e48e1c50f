"""Load test: N simulated dispatchers against a running server on 127.0.0.1 (see .ci/load.sh).

Each dispatcher loops: caller-screen lookup (API, a known resident's number) → intake of a repair call
(POST /api/v1/calls/) → refresh of the dispatch board (/desk/board/, the HTML page with its session). Bounded in
time (--seconds) and in count (--max-requests per dispatcher); it stops by itself. Prints requests/s and
p50/p95/p99 per kind and overall; exits 1 on any error or when the database does not hold exactly one order and
one call per successful intake (`--count-cmd` prints "orders calls").

Only stdlib: urllib with a cookie jar per dispatcher; threads (the server, not the client, is measured).
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import random
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from pathlib import Path

ALLOWED_HOSTS = ("127.0.0.1", "localhost", "[::1]")


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def leaf_codes(node) -> list[str]:
    """Every leaf category code (`water.leak_fitting`) anywhere in the categories answer (a tree)."""
    if isinstance(node, list):
        return [code for item in node for code in leaf_codes(item)]
    if isinstance(node, dict):
        own = [node["code"]] if "." in str(node.get("code", "")) else []
        return own + [
            code for value in node.values() if isinstance(value, list | dict) for code in leaf_codes(value)
        ]
    return []


class Dispatcher:
    def __init__(self, base: str, username: str, password: str, token: str) -> None:
        self.base, self.token = base, token
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.username, self.password = username, password

    def _open(self, request: urllib.request.Request, timeout: float = 30.0) -> tuple[int, bytes]:
        try:
            with self.opener.open(request, timeout=timeout) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def login(self) -> None:
        status, body = self._open(urllib.request.Request(self.base + "/login/"))
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        if status != 200 or token is None:
            raise RuntimeError(f"login page answered {status}")
        data = urllib.parse.urlencode(
            {
                "username": self.username,
                "password": self.password,
                "csrfmiddlewaretoken": token.group(1).decode(),
            }
        ).encode()
        request = urllib.request.Request(
            self.base + "/login/", data=data, headers={"Referer": self.base + "/login/"}
        )
        status, _ = self._open(request)
        if not any(c.name == "sessionid" for c in self.jar):
            raise RuntimeError(f"login as {self.username} failed ({status})")

    def api(self, method: str, path: str, payload: dict | None = None) -> tuple[int, bytes]:
        data = json.dumps(payload).encode() if payload is not None else None
        headers = {"Authorization": f"Token {self.token}", "Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        return self._open(urllib.request.Request(self.base + path, data=data, headers=headers, method=method))

    def page(self, path: str) -> tuple[int, bytes]:
        return self._open(urllib.request.Request(self.base + path))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8766")
    parser.add_argument("--users", required=True, help="file of 'username token' lines (one per dispatcher)")
    parser.add_argument("--password", default="demo-10196")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--max-requests", type=int, default=3000, help="per dispatcher (a hard bound)")
    parser.add_argument(
        "--count-cmd", required=True, help="shell command printing 'orders calls' in the database"
    )
    args = parser.parse_args(argv)
    host = urllib.parse.urlsplit(args.base).hostname or ""
    if f"[{host}]" not in ALLOWED_HOSTS and host not in ALLOWED_HOSTS:
        parser.error("the load test only targets this machine (127.0.0.1 / localhost)")

    users = [
        line.split() for line in Path(args.users).read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    dispatchers = [Dispatcher(args.base, name, args.password, token) for name, token in users]
    for d in dispatchers:
        d.login()
    seeder = dispatchers[0]
    status, body = seeder.api("GET", "/api/v1/residents/?page_size=200")
    residents = [r for r in json.loads(body)["results"] if r["residencies"]] if status == 200 else []
    status, body = seeder.api("GET", "/api/v1/categories/?page_size=200")
    categories = sorted(set(leaf_codes(json.loads(body)))) if status == 200 else []
    if not residents or not categories:
        print(f"load: no demo residents/categories to work with ({status})", file=sys.stderr)
        return 1
    before = [int(x) for x in subprocess.check_output(args.count_cmd, shell=True, text=True).split()]

    lock = threading.Lock()
    timings: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []
    intakes_ok = [0]
    start = time.monotonic()
    deadline = start + args.seconds

    def run(d: Dispatcher, seed: int) -> None:
        rng = random.Random(seed)
        done = 0
        while time.monotonic() < deadline and done < args.max_requests:
            resident = rng.choice(residents)
            calls = [
                (
                    "lookup",
                    lambda r=resident: d.api("GET", f"/api/v1/hotline/lookup/?phone={r['phone']}"),
                    200,
                ),
                (
                    "intake",
                    lambda r=resident: d.api(
                        "POST",
                        "/api/v1/calls/",
                        {
                            "phone": r["phone"],
                            "call_type": "repair",
                            "caller_name": r["name"],
                            "summary": "压测报修：厨房水管漏水",
                            "room": r["residencies"][0]["room"],
                            "category": rng.choice(categories),
                            "allow_duplicate": True,
                        },
                    ),
                    201,
                ),
                ("board", lambda: d.page("/desk/board/"), 200),
            ]
            for kind, call, expected in calls:
                t0 = time.monotonic()
                try:
                    status, body = call()
                except Exception as exc:  # a refused or timed-out connection is an error too
                    status, body = 0, repr(exc).encode()
                elapsed = time.monotonic() - t0
                done += 1
                with lock:
                    timings[kind].append(elapsed)
                    if status != expected:
                        errors.append(f"{kind} → {status}: {body[:200]!r}")
                    elif kind == "intake":
                        intakes_ok[0] += 1

    threads = [threading.Thread(target=run, args=(d, i), daemon=True) for i, d in enumerate(dispatchers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=args.seconds + 120)
    wall = time.monotonic() - start
    after = [int(x) for x in subprocess.check_output(args.count_cmd, shell=True, text=True).split()]

    total = sum(len(v) for v in timings.values())
    print(
        f"load: {len(dispatchers)} dispatchers, {wall:.1f} s, {total} requests, {total / wall:.1f} requests/s"
    )
    for kind in ("lookup", "intake", "board", "all"):
        values = [x for v in timings.values() for x in v] if kind == "all" else timings[kind]
        if values:
            print(
                f"load: {kind:<6} n={len(values):<6} mean={statistics.mean(values) * 1000:7.0f} ms "
                f"p50={percentile(values, 50) * 1000:7.0f} ms p95={percentile(values, 95) * 1000:7.0f} ms "
                f"p99={percentile(values, 99) * 1000:7.0f} ms"
            )
    orders, calls = after[0] - before[0], after[1] - before[1]
    print(f"load: errors={len(errors)} intakes_ok={intakes_ok[0]} new_orders={orders} new_calls={calls}")
    for line in errors[:10]:
        print(f"load: error {line}")
    ok = not errors and orders == intakes_ok[0] == calls and any(t.is_alive() for t in threads) is False
    print("load: PASS" if ok else "load: FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
