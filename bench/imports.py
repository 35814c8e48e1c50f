"""`python -m bench.imports`: import a whole base (30,000 homes, 60,000 residents) from one .xlsx on PostgreSQL.

Targets (issue 19): preview < 30 s, import < 60 s, peak memory < 500 MB, and re-importing the same file
changes 0 rows and takes no longer than the preview. Each phase runs in its own process so its peak memory
(ru_maxrss) is its own; the places tables of DATABASE_URL are emptied first (use a database of your own:
`make bench-imports` defaults to bst_bench_imports). Figures are printed and written to bench/results/; nothing
here asserts a time."""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

HOMES, PER_HOME = 30_000, 2
RESULTS = Path(__file__).resolve().parent / "results"


def write_file(path: Path, homes: int, seed: int) -> None:
    """One row per resident, two per home, in the template's columns (as an export of the base would be)."""
    from residents.demo import demo_name
    from residents.tabular import write_workbook

    rng = random.Random(seed)
    header = ["区", "栋", "单元", "室", "楼层", "姓名", "电话", "其他电话", "关系", "备注"]
    notes = ("", "", "", "", "", "", "独居老人", "行动不便")

    def rows():
        n = 0
        for home in range(homes):
            district, rest = divmod(home, 3000)  # 10 districts × 50 buildings × 3 units × 20 homes
            building, rest = divmod(rest, 60)
            unit, room = divmod(rest, 20)
            floor, door = divmod(room, 2)
            number = f"{floor + 1}{door + 1:02d}"
            for person in range(PER_HOME):
                n += 1
                yield [
                    district + 1,
                    building + 1,
                    unit + 1,
                    number,
                    floor + 1,
                    demo_name(rng),
                    f"13{n:09d}",
                    "",
                    "户主" if person == 0 else "家属",
                    rng.choice(notes) if person == 0 else "",
                ]

    with path.open("wb") as target:
        write_workbook(header, rows(), title="房屋住户", target=target)


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()


def phase(name: str, job_id: int) -> dict:
    """Run one phase of job `job_id` in this process; report its time and this process's peak memory."""
    _setup()
    from crews import services
    from crews.models import ImportJob

    t0 = time.monotonic()
    if name == "preview":
        services.preview_import(job_id=job_id)
    else:
        services.confirm_import(actor=None, job_id=job_id, queue=False)
        services.run_import(job_id=job_id)
    seconds = time.monotonic() - t0
    usage = resource.getrusage(resource.RUSAGE_SELF)
    job = ImportJob.objects.get(pk=job_id)
    return {
        "phase": name,
        "seconds": round(seconds, 2),
        # This process's CPU time (Django's side; PostgreSQL's own work is not in it): on a shared, loaded
        # machine the wall time grows with the load, this much less.
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2),
        "load_average": round(os.getloadavg()[0], 1),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "status": job.status,
        "rows": job.rows_total,
        "created": job.created,
        "updated": job.updated,
        "unchanged": job.unchanged,
        "errors": job.error_count,
    }


def _child(name: str, job_id: int) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "bench.imports", "--phase", name, "--job", str(job_id)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _new_job(path: Path) -> int:
    from django.core.files import File

    from crews import services

    with path.open("rb") as handle:
        job = services.start_import(
            actor=None, kind="places_residents", upload=File(handle, name="base.xlsx"), queue=False
        )
    return job.pk


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--homes", type=int, default=HOMES)
    parser.add_argument("--seed", type=int, default=10196)
    parser.add_argument("--phase", choices=["preview", "import"])
    parser.add_argument("--job", type=int)
    args = parser.parse_args(argv)

    from bench.run import ensure_database, setup_env

    url = setup_env()
    if args.phase:
        print(json.dumps(phase(args.phase, args.job)))
        return 0
    ensure_database(url)
    _setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", interactive=False, verbosity=0)
    with connection.cursor() as c:  # empty places and people (and earlier bench imports), keep the rest
        c.execute(
            "TRUNCATE residents_residency, residents_resident, residents_room, residents_unit, "
            "residents_building, residents_facility, residents_district, residents_auditentry, "
            "crews_importjob RESTART IDENTITY CASCADE"
        )
    figures: dict = {
        "homes": args.homes,
        "residents": args.homes * PER_HOME,
        "database": url.rsplit("/", 1)[-1],
    }
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["MEDIA_ROOT"] = (
            tmp  # the uploads (and the phases reading them) stay in the temporary folder
        )
        from django.conf import settings

        settings.MEDIA_ROOT = tmp
        path = Path(tmp) / "base.xlsx"
        t0 = time.monotonic()
        write_file(path, args.homes, args.seed)
        figures["file"] = {
            "seconds": round(time.monotonic() - t0, 1),
            "mb": round(path.stat().st_size / 2**20, 1),
        }
        first = _new_job(path)
        figures["preview"] = _child("preview", first)
        figures["import"] = _child("import", first)
        second = _new_job(path)
        figures["re_preview"] = _child("preview", second)
        figures["re_import"] = _child("import", second)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"imports-{args.homes}-{datetime.now():%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps(figures, indent=2, ensure_ascii=False))
    targets = {"preview": 30, "import": 60, "re_preview": 30, "re_import": 60}
    print(f"{args.homes:,} homes, {args.homes * PER_HOME:,} residents; file {figures['file']}")
    print(
        "| phase | wall s | target | CPU s (Django) | load | peak MB | created | updated | unchanged | errors |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, target in targets.items():
        p = figures[name]
        print(
            f"| {name} | {p['seconds']} | < {target} | {p['cpu_seconds']} | {p['load_average']} | {p['peak_mb']} "
            f"| {p['created']} | {p['updated']} | {p['unchanged']} | {p['errors']} |"
        )
    print(f"written {out.relative_to(Path.cwd()) if out.is_relative_to(Path.cwd()) else out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
