"""Demo crews, staff accounts and duty shifts for `seed_demo`."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import transaction

from .choices import Role
from .services import sync_role_groups

# --- Demo data -------------------------------------------------------------------------------------------

DEMO_CREWS = (
    ("maintenance", "小区维修班"),
    ("electrical", "电工班"),
    ("drainage", "排污班"),
    ("water", "供水班"),
)


def seed_demo_staff(
    *, rng, crew_sizes: dict[str, int], dispatchers: int, managers: int, password: str, now
) -> dict[str, int]:
    """Crews, staff users (bulk-created with one password hash), role groups and a week of duty roster.

    Demo logins: dispatcher, manager, admin, and leader_<kind> / worker_<kind> for each crew kind.
    Does nothing when the `dispatcher` user already exists.
    """

    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from residents.demo import demo_name, demo_phone

    from .models import Crew, DutyShift, Worker

    User = get_user_model()
    if User.objects.filter(username="dispatcher").exists():
        return {}
    sync_role_groups()
    groups = {g.name: g for g in Group.objects.all()}
    hashed = make_password(password)
    used: set[str] = set()
    with transaction.atomic():
        crews = {kind: Crew.objects.create(name=name, kind=kind) for kind, name in DEMO_CREWS}
        specs = _staff_specs(crew_sizes, dispatchers, managers)
        names = [demo_name(rng) for _ in specs]
        users = User.objects.bulk_create(
            [
                User(username=u, password=hashed, first_name=names[i], is_staff=role == Role.MANAGER)
                for i, (u, role, _k, _r) in enumerate(specs)
            ]
            + [
                User(
                    username="admin",
                    password=hashed,
                    first_name="系统管理员",
                    is_staff=True,
                    is_superuser=True,
                )
            ]
        )
        memberships = []
        workers = []
        for user, name, (_u, role, kind, wrole) in zip(users, names, specs, strict=False):
            memberships.append(User.groups.through(user_id=user.id, group_id=groups[role].id))
            if kind:
                workers.append(
                    Worker(user=user, crew=crews[kind], name=name, role=wrole, phone=demo_phone(rng, used))
                )
        User.groups.through.objects.bulk_create(memberships)
        workers = Worker.objects.bulk_create(workers)

        shifts = _duty_roster(rng, workers, now)
        DutyShift.objects.bulk_create(shifts)
    return {"crews": len(crews), "staff": len(users), "duty_shifts": len(shifts)}


def _staff_specs(crew_sizes: dict[str, int], dispatchers: int, managers: int) -> list[tuple]:
    """(username, role group, crew kind, worker role) of every demo account but admin."""
    specs: list[tuple[str, str, str | None, str]] = []  # username, role group, crew kind, worker role
    for i in range(dispatchers):
        specs.append(("dispatcher" if i == 0 else f"dispatcher{i + 1}", Role.DISPATCHER, None, ""))
    for i in range(managers):
        specs.append(("manager" if i == 0 else f"manager{i + 1}", Role.MANAGER, None, ""))
    for kind, _name in DEMO_CREWS:
        size = crew_sizes[kind]
        leaders = 2 if size >= 30 else 1
        for i in range(size):
            if i < leaders:
                username = f"leader_{kind}" if i == 0 else f"leader_{kind}{i + 1}"
                specs.append((username, Role.CREW_LEADER, kind, "leader"))
            else:
                n = i - leaders
                username = f"worker_{kind}" if n == 0 else f"worker_{kind}{n + 1}"
                specs.append((username, Role.WORKER, kind, "member"))
    return specs


def _duty_roster(rng, workers: list, now) -> list:
    """Yesterday to a week ahead, day shift 08:30–18:30 and night shift 18:30–08:30 (not saved)."""
    from datetime import datetime, time, timedelta

    from django.utils import timezone

    from .models import DutyShift

    tz = timezone.get_current_timezone()
    today = timezone.localdate(now)
    shifts = []
    by_kind: dict[str, list] = {}
    for worker in workers:
        by_kind.setdefault(worker.crew.kind, []).append(worker)
    for offset in range(-1, 8):
        day = today + timedelta(days=offset)
        day_start = datetime.combine(day, time(8, 30), tz)
        night_start = datetime.combine(day, time(18, 30), tz)
        night_end = datetime.combine(day + timedelta(days=1), time(8, 30), tz)
        for kind, crew_workers in by_kind.items():
            for w in rng.sample(crew_workers, min(3, len(crew_workers))):
                shifts.append(DutyShift(worker=w, kind=kind, starts_at=day_start, ends_at=night_start))
            for w in rng.sample(crew_workers, min(1, len(crew_workers))):
                shifts.append(DutyShift(worker=w, kind=kind, starts_at=night_start, ends_at=night_end))
    return shifts
