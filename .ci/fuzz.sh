#!/usr/bin/env bash
# API fuzzing: schemathesis against /api/schema/ on gunicorn (PostgreSQL, demo data `seed_demo --scale small`),
# once per role — the demo dispatcher, then the demo manager (issue 17: "as a dispatcher and as a manager") —
# each with its own API token and FUZZ_MAX_TIME seconds (60). Every check but negative_data_rejection
# (STACK-NOTES #7: DRF coerces 0 to "0", a documented choice, not a defect): no 5xx, status codes, content
# types, headers and bodies conform to the schema, valid data is accepted, auth is enforced, deleted resources
# stay gone. Each run's counts (generated / passed / failed / skipped) are printed from schemathesis' JSON
# report; the exit code is non-zero if any run failed. POST auth/logout/ is left out: it would end the very
# token the run is signed with (tests/crews/test_tokens.py covers it). One worker: two threads parsing lambdas at once trip a
# CPython 3.11 ast bug inside hypothesis ("AST constructor recursion depth mismatch"), an error of the tool,
# not of the API. Settings for the checks: .ci/schemathesis.toml.
#
# Environment: FUZZ_DB (database name, default baishitong_fuzz_<pid>: never another run's), FUZZ_PORT,
# FUZZ_MAX_TIME (seconds per role), FUZZ_ROLES (default "dispatcher manager"), FUZZ_ARGS (more schemathesis
# options). Tasks run in-process (no broker), so no Redis database is touched.
set -euo pipefail
cd "$(dirname "$0")/.."
source .ci/server-lib.sh
DB="${FUZZ_DB:-baishitong_fuzz_$$}"
PORT="${FUZZ_PORT:-$(srv_free_port)}"
MAX_TIME="${FUZZ_MAX_TIME:-60}"
ROLES="${FUZZ_ROLES:-dispatcher manager}"
work="$(mktemp -d -t bst-fuzz.XXXXXX)"
trap 'srv_stop; srv_drop_db; rm -rf "$work"' EXIT

srv_env "$DB"
export SMS_BACKEND=feedback.sms.LocmemBackend
srv_fresh_db "$DB" small
srv_start "$PORT" 2
verdict=0
for role in $ROLES; do
  token="$(srv_token "$role")"
  started=$(date +%s)
  status=0
  "$VENV/bin/schemathesis" --config-file .ci/schemathesis.toml run "http://127.0.0.1:$PORT/api/schema/" \
    -H "Authorization: Token $token" \
    --max-time "$MAX_TIME" --checks all --exclude-checks negative_data_rejection \
    --exclude-operation-id auth_logout_create \
    --workers 1 --no-color --report json --report-json-path "$work/$role.json" ${FUZZ_ARGS:-} || status=$?
  [ "$status" -eq 0 ] || verdict=$status
  "$PY" - "$work/$role.json" "$role" "$status" "$(( $(date +%s) - started ))" <<'EOF'
import json, sys

path, role, status, seconds = sys.argv[1:5]
try:
    report = json.load(open(path, encoding="utf-8"))
except (OSError, ValueError) as exc:
    sys.exit(f"fuzz[{role}]: no report ({exc})")
cases = report["test_cases"]
skipped, failed, errored = cases["without_checks"], cases["with_failures"], cases["errored"]
passed = cases["generated"] - failed - skipped - errored
print(
    f"fuzz[{role}]: {cases['generated']} generated, {passed} passed, {failed} failed "
    f"({cases['unique_failures']} unique), {skipped} skipped, {errored} errored; "
    f"{report['operations']['tested']} operations in {seconds} s; exit {status}"
)
for kind, labels in (report.get("warnings") or {}).items():
    if labels:
        print(f"fuzz[{role}]: warning {kind} ({len(labels)}): {', '.join(labels)}")
EOF
done
echo "fuzz: roles ${ROLES// /, } against http://127.0.0.1:$PORT (database $DB); exit $verdict"
exit "$verdict"
