"""PostgreSQL-only speed-ups for 1M orders (bench/README.md has the before/after figures):

- trigram GIN indexes on the address label and the description: the list's keyword search (`q`, LIKE
  '%…%') uses them instead of reading every row;
- prefix (varchar_pattern_ops) indexes on the reporter's phone and the order number: `q=1380013` is a range
  scan whatever the database collation;
- `bst_count_estimate(query, exact_limit)`: the paginated lists' count — exact up to `exact_limit` rows,
  the planner's estimate above it, in one statement (DRF's COUNT(*) over a million rows was most of a page's
  time: STACK-NOTES #16).

Nothing happens on SQLite (the embedded mode searches with LIKE and counts exactly)."""

from django.db import migrations

INDEXES = [
    ("wo_location_trgm", "USING gin (location_label gin_trgm_ops)"),
    ("wo_description_trgm", "USING gin (description gin_trgm_ops)"),
    ("wo_reporter_phone_prefix", "(reporter_phone varchar_pattern_ops)"),
    ("wo_number_prefix", "(number varchar_pattern_ops)"),
]

COUNT_FUNCTION = """
CREATE OR REPLACE FUNCTION bst_count_estimate(query text, exact_limit integer) RETURNS bigint
LANGUAGE plpgsql VOLATILE AS $$  -- EXPLAIN is not allowed in a STABLE function
DECLARE
    n bigint;
    plan json;
BEGIN
    EXECUTE format('SELECT count(*) FROM (%s LIMIT %s) AS limited', query, exact_limit + 1) INTO n;
    IF n <= exact_limit THEN
        RETURN n;
    END IF;
    EXECUTE 'EXPLAIN (FORMAT JSON) ' || query INTO plan;
    RETURN GREATEST(n, (plan -> 0 -> 'Plan' ->> 'Plan Rows')::bigint);
END;
$$;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, definition in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON workorders_workorder {definition}"
        )
    schema_editor.execute(COUNT_FUNCTION, params=None)  # no interpolation: the body has its own %s


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _definition in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    schema_editor.execute("DROP FUNCTION IF EXISTS bst_count_estimate(text, integer)")


class Migration(migrations.Migration):
    # CONCURRENTLY: building the indexes on a live million-row table does not block intake.
    atomic = False
    dependencies = [("workorders", "0004_room_indexes")]

    operations = [migrations.RunPython(forwards, backwards)]
