"""The bench's output: a JSON file in bench/results/ and a markdown table (machine, versions, data, figures)."""

from __future__ import annotations

import json
import os
import platform
import sys
from dataclasses import asdict
from datetime import datetime
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def machine() -> dict:
    import django
    from django.db import connection

    mem_gb = None
    try:
        with open("/proc/meminfo") as f:
            mem_gb = round(int(f.readline().split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    with connection.cursor() as c:
        c.execute("SHOW server_version")
        pg = c.fetchone()[0]
    return {
        "load_average": os.getloadavg(),
        "nproc": os.cpu_count(),
        "memory_gb": mem_gb,
        "cpu": _cpu_model(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "postgresql": pg,
        "platform": platform.platform(),
    }


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def data_size() -> dict:
    from django.db import connection

    tables = {
        "orders": "workorders_workorder",
        "events": "workorders_workorderevent",
        "follow_ups": "feedback_followup",
        "attempts": "feedback_followupattempt",
        "complaints": "feedback_complaint",
        "calls": "hotline_call",
        "residents": "residents_resident",
        "rooms": "residents_room",
        "hazards": "operations_hazard",
    }
    out = {}
    with connection.cursor() as c:
        for key, table in tables.items():
            c.execute(f"SELECT COUNT(*) FROM {table}")
            out[key] = c.fetchone()[0]
        c.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        out["database_size"] = c.fetchone()[0]
    return out


def _fmt_target(r) -> str:
    parts = []
    if r.target_ms is not None:
        parts.append(f"≤ {r.target_ms:g} ms")
    if r.floor_target is not None:
        base = "(floor + API root)" if getattr(r, "floor_plus_root", False) else "floor"
        parts.append(f"≤ {r.floor_target:g}× {base}")
    if r.max_queries is not None:
        parts.append(f"≤ {r.max_queries} q")
    if r.fixed_queries:
        parts.append("fixed q")
    if getattr(r, "max_bytes", None) is not None:
        parts.append(f"body ≤ {r.max_bytes // 1000} KB (measured {(r.bytes_max or 0) // 1000} KB)")
    return ", ".join(parts) or "—"


def table(meta: dict, results: list, http_results: list) -> str:
    m, d = meta["machine"], meta["data"]
    lines = [
        f"**{meta['when']}** — {m['nproc']} cores ({m['cpu']}), {m['memory_gb']} GB RAM; Python {m['python']}, "
        f"Django {m['django']}, PostgreSQL {m['postgresql']}; load average at the end "
        f"{' / '.join(f'{x:.1f}' for x in m['load_average'])} (other work on the machine inflates the figures).",
        "",
        f"Data: {d['orders']:,} orders, {d['events']:,} events, {d['follow_ups']:,} follow-ups "
        f"({d['attempts']:,} attempts), {d['calls']:,} calls, {d['complaints']:,} complaints, "
        f"{d['residents']:,} residents, {d['rooms']:,} rooms, {d.get('hazards', 0):,} hazards; database {d['database_size']}."
        + (
            f" Loaded in {meta['load']['seconds']} s, peak memory {meta['load']['peak_rss_mb']} MB."
            if meta.get("load") and not meta["load"].get("skipped")
            else ""
        ),
        "",
        "| scenario (in-process, N requests) | median ms | p95 ms | queries | SQL ms | floor ms | app/floor | target | |",
        "|---|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for r in results:
        if not r.available:
            lines.append(f"| {r.name} | — | — | — | — | — | — | {_fmt_target(r)} | not available |")
            continue
        q = f"{r.queries_min}" if r.queries_min == r.queries_max else f"{r.queries_min}–{r.queries_max}"
        floor = f"{r.floor_median_ms:.1f}" if r.floor_median_ms is not None else ""
        ratio = f"{r.ratio:.1f}×" if r.ratio is not None else ""
        err = f" ({r.errors} errors)" if r.errors else ""
        peak = f"; peak heap {r.peak_mb:.0f} MB" if getattr(r, "peak_mb", None) is not None else ""
        lines.append(
            f"| {r.name} ({r.n}{peak}) | {r.median_ms:.1f} | {r.p95_ms:.1f} | {q} | {r.sql_ms_median:.1f} | {floor} | "
            f"{ratio} | {_fmt_target(r)} | {r.verdict()}{err} |"
        )
    if http_results:
        lines += [
            "",
            "| HTTP (gunicorn, 2 workers, 127.0.0.1) | client | seconds | requests | req/s | p50 ms | p95 ms | p99 ms | errors | target | |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|",
        ]
        for h in http_results:
            if not h.get("available", True):
                lines.append(
                    f"| {h['name']} | — | — | — | — | — | — | — | — | — | {h.get('note', 'not run')} |"
                )
                continue
            target = h.get("target") or "—"
            lines.append(
                f"| {h['name']} | {h['client']} | {h['seconds']:.0f} | {h['requests']:,} | {h['rps']:.1f} | "
                f"{h['p50_ms']:.1f} | {h['p95_ms']:.1f} | {h['p99_ms']:.1f} | {h['errors']} | {target} | "
                f"{h.get('verdict', '')} |"
            )
    return "\n".join(lines)


def write(*, orders: int, data: dict, results: list, http_results: list) -> tuple[Path, str]:
    RESULTS.mkdir(exist_ok=True)
    when = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    meta = {
        "when": when,
        "orders_requested": orders,
        "machine": machine(),
        "data": data_size(),
        "load": data,
        "argv": sys.argv,
    }
    body = {
        **meta,
        "in_process": [asdict(r) | {"verdict": r.verdict()} for r in results],
        "http": http_results,
    }
    name = f"bench-{orders}-{datetime.now():%Y%m%d-%H%M%S}.json"
    path = RESULTS / name
    path.write_text(json.dumps(body, indent=2, ensure_ascii=False, default=str))
    text = table(meta, results, http_results)
    (RESULTS / f"latest-{orders}.md").write_text(text + "\n")
    return path, text
