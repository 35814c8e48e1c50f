#!/usr/bin/env bash
# Load test: gunicorn (2 workers) on PostgreSQL with `seed_demo --scale small`; 50 simulated dispatchers doing
# lookup + intake + board refresh for LOAD_SECONDS (60) against 127.0.0.1 (tests/load/load.py). Prints
# requests/s and p50/p95/p99; fails on any error or when orders/calls in the database ≠ successful intakes.
set -euo pipefail
cd "$(dirname "$0")/.."
source .ci/server-lib.sh
DB="${LOAD_DB:-baishitong_load_$$}"
PORT="${LOAD_PORT:-$(srv_free_port)}"
USERS="${LOAD_USERS:-50}"
trap 'srv_stop; srv_drop_db; rm -f "$users_file"' EXIT
users_file="$(mktemp)"

srv_env "$DB"
export SMS_BACKEND=feedback.sms.LocmemBackend
srv_fresh_db "$DB" small
# N dispatcher accounts (demo password, hashed once) with API tokens: one per simulated desk.
"$PY" manage.py shell -v0 -c "
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from crews.tokens import issue_token
User = get_user_model(); group = Group.objects.get(name='dispatcher'); hashed = make_password('demo-10196')
for i in range(1, $USERS + 1):
    user, _ = User.objects.get_or_create(username=f'load_d{i:02d}', defaults={'password': hashed})
    user.groups.add(group)
    print(user.username, issue_token(user)[1])
" > "$users_file"
srv_start "$PORT" 2
count_cmd="psql -h 127.0.0.1 -U postgres -d $DB -tAc \"SELECT (SELECT count(*) FROM workorders_workorder) || ' ' || (SELECT count(*) FROM hotline_call)\""
"$PY" -m tests.load.load --base "http://127.0.0.1:$PORT" --users "$users_file" \
  --seconds "${LOAD_SECONDS:-60}" --max-requests "${LOAD_MAX_REQUESTS:-3000}" --count-cmd "$count_cmd"
