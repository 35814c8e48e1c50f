"""HTTP scenarios: gunicorn with 2 sync workers on 127.0.0.1, loaded by wrk for `seconds` per scenario.

The server runs with the bench environment (DEBUG off, PostgreSQL, tasks queued to an in-process memory
broker) and is always stopped (finally + SIGTERM, then SIGKILL after 10 s). wrk runs 2 threads × 4
connections; a generated Lua script varies the phone, page and room of each request and sends the token
(API) or the session cookie (HTML board); its `done` hook prints requests, non-2xx responses, socket errors
and the 50/95/99th latency percentiles as JSON. Without wrk (apt-get install wrk) the phase is skipped with
a message. Everything is bounded: `seconds` per scenario plus a 60 s timeout on each wrk and the server."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

LUA = r"""
local paths = {PATHS}
local bodies = {BODIES}
local method = "{METHOD}"
local i = 0
wrk.headers["Authorization"] = "{AUTH}"
wrk.headers["Cookie"] = "{COOKIE}"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "{ACCEPT}"
-- `bad` is a global of each thread's Lua state, summed in `done` through thread:get (a local would be
-- invisible there, and wrk's own summary.errors.status counts only 4xx/5xx: a 302 to the login page is bad).
bad = 0
local threads = {}
setup = function(thread)
  table.insert(threads, thread)
end
request = function()
  i = i + 1
  local k = (i % #paths) + 1
  if method == "POST" then
    return wrk.format("POST", paths[k], nil, bodies[k])
  end
  return wrk.format("GET", paths[k])
end
response = function(status, headers, body)
  if status >= 300 then bad = bad + 1 end
end
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  local non2xx = 0
  for _, t in ipairs(threads) do
    non2xx = non2xx + (t:get("bad") or 0)
  end
  io.write(string.format(
    'WRKJSON {"requests": %d, "seconds": %.3f, "socket_errors": %d, "status_errors": %d, '
    .. '"p50_us": %d, "p95_us": %d, "p99_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration / 1e6, errors, non2xx,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.mean))
end
"""


def _lua_list(items: list[str]) -> str:
    return "{" + ", ".join(json.dumps(x, ensure_ascii=False) for x in items) + "}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _credentials():
    """A token for the dispatcher (API) and a session cookie (HTML pages), made directly in the database."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.auth.backends import ModelBackend
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils.module_loading import import_string

    from crews.tokens import issue_token

    user = get_user_model().objects.get(username="dispatcher")
    _row, key = issue_token(user)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    # The configured password backend (crews.auth.RoleModelBackend): a session naming a backend that is not
    # configured is anonymous, and the board would answer every request with a redirect to the login page.
    session[BACKEND_SESSION_KEY] = next(
        path for path in settings.AUTHENTICATION_BACKENDS if issubclass(import_string(path), ModelBackend)
    )
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.set_expiry(3600)
    session.save()
    return f"Token {key}", f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def _scenarios(params) -> list[dict]:
    rng = random.Random(11)
    phones = [params.pick(params.phones, i) for i in range(200)]
    rooms = [params.pick(params.rooms, i * 13 + 1)[0] for i in range(200)]
    return [
        {
            "name": "caller lookup (API)",
            "method": "GET",
            "paths": [f"/api/v1/hotline/lookup/?phone={p}" for p in phones],
        },
        {
            "name": "order list (API, 50 rows)",
            "method": "GET",
            "paths": [f"/api/v1/work-orders/?page={1 + i % 20}" for i in range(100)],
        },
        {
            "name": "intake: POST /api/v1/calls/ (repair)",
            "method": "POST",
            "paths": ["/api/v1/calls/"] * 200,
            "bodies": [
                json.dumps(
                    {
                        "phone": phones[i],
                        "call_type": "repair",
                        "summary": "bench http: 厨房水龙头漏水",
                        "room": rooms[i],
                        "category": rng.choice(params.leaves),
                        # Each body is sent ~20 times in 15 s: the desk's "a new fault, not a reminder" answer
                        # to the 409 (issue 17) is what lets the scenario measure creating orders.
                        "allow_duplicate": True,
                    },
                    ensure_ascii=False,
                )
                for i in range(200)
            ],
            "target_rps": 80,
        },
        {
            "name": "dispatch board (HTML)",
            "method": "GET",
            "paths": ["/desk/board/", "/desk/board/?page=2"]
            + [f"/desk/board/?crew={c}" for c in params.crews],
            "accept": "text/html",
        },
    ]


def _server_env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT)
    env["DB_CONN_MAX_AGE"] = "60"
    return env


def _wait_ready(port: int, proc: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {proc.returncode}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/", timeout=2)
            return
        except urllib.error.HTTPError:
            return  # it answers (401 without credentials)
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer within 30 s")


def run_all(*, seconds: int = 15, only: list[str] | None = None) -> list[dict]:
    from bench.scenarios import Params

    wrk = shutil.which("wrk")
    if wrk is None:
        print("bench: HTTP phase skipped: wrk not installed (apt-get install wrk)")
        return [{"name": "HTTP scenarios", "available": False, "note": "wrk not installed"}]
    gunicorn = Path(sys.executable).with_name("gunicorn")
    if not gunicorn.exists():
        print("bench: HTTP phase skipped: gunicorn not installed in the venv")
        return [{"name": "HTTP scenarios", "available": False, "note": "gunicorn not installed"}]
    seconds = max(5, min(seconds, 60))
    params = Params()
    auth, cookie = _credentials()
    port = _free_port()
    print(
        f"bench: HTTP scenarios (gunicorn 2 workers on 127.0.0.1:{port}, wrk 2 threads x 4 connections, {seconds} s each)"
    )
    results = []
    log = tempfile.NamedTemporaryFile(prefix="bench-gunicorn-", suffix=".log", delete=False)  # noqa: SIM115 (closed in finally, kept on errors)
    proc = subprocess.Popen(
        [
            str(gunicorn),
            "config.wsgi:application",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--no-control-socket",
            "--timeout",
            "30",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=_server_env(),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        _wait_ready(port, proc)
        with tempfile.TemporaryDirectory(prefix="bench-wrk-") as tmp:
            for sc in _scenarios(params):
                if only and not any(word.lower() in sc["name"].lower() for word in only):
                    continue
                script = Path(tmp) / "s.lua"
                bodies = sc.get("bodies") or [""] * len(sc["paths"])
                script.write_text(
                    LUA.replace("{PATHS}", _lua_list(sc["paths"]))
                    .replace("{BODIES}", _lua_list(bodies))
                    .replace("{METHOD}", sc["method"])
                    .replace("{AUTH}", auth)
                    .replace("{COOKIE}", cookie)
                    .replace("{ACCEPT}", sc.get("accept", "application/json"))
                )
                # A short warm-up (imports, connections), then the measured run.
                subprocess.run(
                    [wrk, "-t1", "-c2", "-d2s", "-s", str(script), f"http://127.0.0.1:{port}"],
                    capture_output=True,
                    timeout=30,
                )
                out = subprocess.run(
                    [
                        wrk,
                        "-t2",
                        "-c4",
                        f"-d{seconds}s",
                        "--timeout",
                        "10s",
                        "-s",
                        str(script),
                        f"http://127.0.0.1:{port}",
                    ],
                    capture_output=True,
                    text=True,
                    timeout=seconds + 60,
                )
                line = next((x for x in out.stdout.splitlines() if x.startswith("WRKJSON ")), None)
                if line is None:
                    results.append(
                        {"name": sc["name"], "available": False, "note": "wrk failed: " + out.stderr[-200:]}
                    )
                    continue
                w = json.loads(line[len("WRKJSON ") :])
                rps = w["requests"] / w["seconds"] if w["seconds"] else 0
                errors = w["status_errors"] + w["socket_errors"]
                r = {
                    "name": sc["name"],
                    "client": "wrk 2t×4c",
                    "seconds": w["seconds"],
                    "requests": w["requests"],
                    "rps": round(rps, 1),
                    "p50_ms": w["p50_us"] / 1000,
                    "p95_ms": w["p95_us"] / 1000,
                    "p99_ms": w["p99_us"] / 1000,
                    "errors": errors,
                }
                if sc.get("target_rps"):
                    r["target"] = f"≥ {sc['target_rps']} req/s, 0 errors"
                    r["verdict"] = "met" if rps >= sc["target_rps"] and errors == 0 else "MISSED"
                results.append(r)
                print(
                    f"  {r['name']:<45} {r['rps']:7.1f} req/s  p50 {r['p50_ms']:6.1f}  p95 {r['p95_ms']:6.1f}  "
                    f"p99 {r['p99_ms']:6.1f} ms  errors {errors}"
                    + (f"  [{r['verdict']}]" if "verdict" in r else "")
                )
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        log.close()
        text = Path(log.name).read_text(errors="replace")
        if "Traceback" in text or "Error" in text:
            print(f"bench: gunicorn log has errors: {log.name}")
        else:
            os.unlink(log.name)
    return results
