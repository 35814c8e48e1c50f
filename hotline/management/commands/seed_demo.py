"""Demo data for the whole site: places and residents, crews and staff, and (as apps land) activity."""

import random
import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from crews.demo import seed_demo_staff
from feedback.demo import seed_demo_follow_ups
from hotline.demo import seed_demo_calls
from operations.demo import seed_demo_outages, seed_demo_rounds
from residents.demo import seed_demo_places
from workorders.demo import seed_demo_orders

DEMO_PASSWORD = "demo-10196"

SCALES = {
    "small": {
        "places": {"districts": 2, "buildings": 4, "units": 2, "floors": 3, "rooms_per_floor": (2, 2)},
        "staff": {
            "crew_sizes": {"maintenance": 4, "electrical": 3, "drainage": 3, "water": 4},
            "dispatchers": 2,
            "managers": 1,
        },
        "orders": 60,
    },
    "base": {
        "places": {"districts": 10, "buildings": 40, "units": 4, "floors": 6, "rooms_per_floor": (2, 4)},
        "staff": {
            "crew_sizes": {"maintenance": 70, "electrical": 45, "drainage": 40, "water": 37},
            "dispatchers": 6,
            "managers": 2,
        },
        "orders": 3000,
    },
    "large": {
        "places": {"districts": 20, "buildings": 50, "units": 4, "floors": 6, "rooms_per_floor": (2, 4)},
        "staff": {
            "crew_sizes": {"maintenance": 140, "electrical": 90, "drainage": 80, "water": 74},
            "dispatchers": 12,
            "managers": 4,
        },
        "orders": 10000,
    },
}

DEMO_LOGINS = ("dispatcher", "leader_water", "worker_water", "manager", "admin")


class Command(BaseCommand):
    help = "Load deterministic demo data (idempotent: a second run adds nothing)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), default="base")
        parser.add_argument("--seed", type=int, default=10196)
        parser.add_argument("--quiet-logins", action="store_true", help="do not print the demo logins")

    def handle(self, *args, scale: str, seed: int, quiet_logins: bool, **options):
        spec = SCALES[scale]
        rng = random.Random(seed)
        started = time.monotonic()
        places = seed_demo_places(rng=rng, **spec["places"])
        staff = seed_demo_staff(rng=rng, password=DEMO_PASSWORD, now=timezone.now(), **spec["staff"])
        orders = seed_demo_orders(rng=rng, count=spec["orders"], now=timezone.now())
        follow_ups = seed_demo_follow_ups(rng=rng, now=timezone.now())
        calls = seed_demo_calls(rng=rng, now=timezone.now())
        outages = seed_demo_outages(rng=rng, now=timezone.now())
        rounds = seed_demo_rounds(rng=rng, now=timezone.now())
        for label, counts in (
            ("places", places),
            ("staff", staff),
            ("orders", orders),
            ("follow-ups", follow_ups),
            ("calls", calls),
            ("outages", outages),
            ("rounds and hazards", rounds),
        ):
            if counts:
                summary = ", ".join(f"{k} {v}" for k, v in counts.items())
                self.stdout.write(f"seed_demo {label}: {summary}")
            else:
                self.stdout.write(f"seed_demo {label}: already present, nothing added")
        self.stdout.write(f"seed_demo done in {time.monotonic() - started:.1f}s (scale={scale}, seed={seed})")
        if not quiet_logins:
            self.stdout.write(self.style.SUCCESS(f"Demo logins (password for all: {DEMO_PASSWORD}):"))
            for username in DEMO_LOGINS:
                self.stdout.write(f"  {username}")
