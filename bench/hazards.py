"""The hazard register at benchmark size (issue 16: "the hazard register list at 100k hazards answers like the
order list"): tops the register up to one hazard per ten orders (100,000 at 1M orders), spread over the
base's rooms, its crews, the three systems, the severities and the four states, found over the last two
years. One INSERT … SELECT in PostgreSQL; running it again adds nothing."""

from __future__ import annotations

import time

from django.db import connection

from operations.choices import HazardStatus, Severity
from workorders.choices import System


def ensure_hazards(*, orders: int, log=print) -> int:
    """Add hazards until the register holds orders // 10; the number added."""
    target = orders // 10
    with connection.cursor() as c:
        c.execute("SELECT COUNT(*) FROM operations_hazard")
        (have,) = c.fetchone()
        missing = target - have
        if missing <= 0:
            log(f"data: {have:,} hazards already in the register - skipping")
            return 0
        started = time.monotonic()
        c.execute(
            """
            WITH rooms AS (SELECT id, district_id, row_number() OVER (ORDER BY id) - 1 AS n FROM residents_room),
                 crews AS (SELECT array_agg(id ORDER BY id) AS ids FROM crews_crew WHERE active),
                 g AS (SELECT i, (i * 7919) %% (SELECT COUNT(*) FROM residents_room) AS n,
                              now() - (i %% 730) * interval '1 day' - (i %% 1440) * interval '1 minute' AS found
                       FROM generate_series(1, %(missing)s) AS i)
            INSERT INTO operations_hazard (
                district_id, room_id, building_id, facility_id, system, crew_id, severity, description, photo,
                status, found_at, due_at, rectifying_at, rectified_at, verified_at, escalation_level)
            SELECT r.district_id, r.id, NULL, NULL, (%(systems)s)[1 + (g.i / 12) %% 3],
                   crews.ids[1 + g.i %% array_length(crews.ids, 1)], (%(severities)s)[1 + g.i %% 3],
                   'bench: 管道锈蚀渗漏', '', (%(states)s)[1 + (g.i / 3) %% 4], g.found, g.found + interval '7 days',
                   CASE WHEN (g.i / 3) %% 4 >= 1 THEN g.found + interval '1 day' END,
                   CASE WHEN (g.i / 3) %% 4 >= 2 THEN g.found + interval '3 days' END,
                   CASE WHEN (g.i / 3) %% 4 = 3 THEN g.found + interval '4 days' END, 0
            FROM g JOIN rooms r ON r.n = g.n CROSS JOIN crews
            """,
            {
                "missing": missing,
                "systems": [s.value for s in System],
                "severities": [s.value for s in Severity],
                "states": [s.value for s in HazardStatus],
            },
        )
        # VACUUM too (as generate does after COPY): with the visibility map empty, the planner's probes of the
        # index ends read heap pages, ~10 ms of planning for the register's page.
        c.execute("VACUUM (ANALYZE) operations_hazard")
    log(f"data: {missing:,} hazards added in {time.monotonic() - started:.0f}s (register {target:,})")
    return missing
