#!/usr/bin/env bash
# Fault tests against gunicorn on its own PostgreSQL database, run by .ci/run AFTER `make test` (they stop the
# shared Redis and restart PostgreSQL, so never inside the main pytest run):
#   (a) Redis stopped while orders are created and completed through the API → every request succeeds, the rows
#       are the truth; Redis back → the beat's sweeps (real worker) create the follow-ups, each SMS sent once;
#   (b) a worker killed mid-task: the celery_worker pytest step of .ci/run (tests/feedback/test_celery_worker.py);
#   (c) PostgreSQL restarted under load → clean 503s (page / JSON), then recovery with no manual step;
#   (d) two dispatchers on one order at the same instant → one wins, the other a 409 with a message.
# Every service stopped is restarted by the EXIT trap, even when a check fails.
# FAULTS_DRY=1: touch no shared service. (a) points the server at a closed Redis port instead of stopping Redis;
# (c) blocks and kills the connections of this script's database only, instead of restarting PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
source .ci/server-lib.sh
DB="${FAULTS_DB:-baishitong_faults_$$}"
PORT="${FAULTS_PORT:-$(srv_free_port)}"
REDIS_DB="${FAULTS_REDIS_DB:-9}"
REDIS_URL="redis://127.0.0.1:6379/$REDIS_DB"
DRY="${FAULTS_DRY:-0}"
work="$(mktemp -d)"
WORKER_PID=""
failed=0

redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; }
start_redis() {
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  for _ in $(seq 1 30); do redis_up && return 0; sleep 0.5; done
  echo "faults: Redis did not come back" >&2; return 1
}
stop_redis() {
  if [ "$DRY" = 1 ]; then echo "faults: [dry] would run: redis-cli shutdown nosave"; return 0; fi
  redis-cli -h 127.0.0.1 -p 6379 shutdown nosave >/dev/null 2>&1 || true
  for _ in $(seq 1 30); do redis_up || return 0; sleep 0.2; done
}
pg_cluster() { ls /etc/postgresql | head -n1; }
restart_postgres() {
  if [ "$DRY" = 1 ]; then
    echo "faults: [dry] would run: pg_ctlcluster --skip-systemctl-redirect $(pg_cluster) main restart"
    # The same effect for this database only: refuse new connections, drop the open ones, allow again.
    psql -h 127.0.0.1 -U postgres -d postgres -qc "ALTER DATABASE $DB ALLOW_CONNECTIONS false" >/dev/null
    psql -h 127.0.0.1 -U postgres -d postgres -qAtc \
      "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '$DB'" >/dev/null
    sleep 3
    psql -h 127.0.0.1 -U postgres -d postgres -qc "ALTER DATABASE $DB ALLOW_CONNECTIONS true" >/dev/null
    return 0
  fi
  pg_ctlcluster --skip-systemctl-redirect "$(pg_cluster)" main restart
}
restore() {
  set +e
  srv_stop
  [ -n "$WORKER_PID" ] && kill -TERM "$WORKER_PID" 2>/dev/null && wait "$WORKER_PID" 2>/dev/null
  if [ "$DRY" != 1 ]; then
    redis_up || { echo "faults: restoring Redis"; start_redis; }
    pg_isready -h 127.0.0.1 -p 5432 -q || {
      echo "faults: restoring PostgreSQL"
      pg_ctlcluster --skip-systemctl-redirect "$(pg_cluster)" main start
      for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
    }
  else
    psql -h 127.0.0.1 -U postgres -d postgres -qc "ALTER DATABASE $DB ALLOW_CONNECTIONS true" >/dev/null 2>&1
  fi
  rm -rf "$work"
  srv_drop_db
}
trap restore EXIT
check() { if "$@"; then :; else failed=1; fi; }

# --- setup: a fresh database with demo data; tokens and ids the scenarios use -----------------------------
srv_env "$DB" "$REDIS_URL"
export SMS_BACKEND=feedback.sms.FileBackend SMS_FILE_PATH="$work/sms.jsonl"
srv_fresh_db "$DB" small
"$PY" manage.py shell -v0 -c "
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from crews.tokens import issue_token
from crews.models import Worker
from residents.models import Room
U = get_user_model()
second, _ = U.objects.get_or_create(username='dispatcher2', defaults={'password': U.objects.get(username='dispatcher').password})
second.groups.add(Group.objects.get(name='dispatcher'))
tok = lambda name: issue_token(U.objects.get(username=name))[1]
w = Worker.objects.select_related('crew').get(user__username='worker_water')
print('dispatcher', tok('dispatcher')); print('dispatcher2', tok('dispatcher2'))
print('leader', tok('leader_water')); print('worker', tok('worker_water'))
print('worker_id', w.pk); print('crew_id', w.crew_id); print('room_id', Room.objects.order_by('id').first().pk)
from crews.models import Crew
print('other_crew_id', Crew.objects.exclude(pk=w.crew_id).order_by('id').first().pk)
" > "$work/tokens"
redis-cli -h 127.0.0.1 -p 6379 -n "$REDIS_DB" flushdb >/dev/null
base="http://127.0.0.1:$PORT"

# --- (a) Redis down while orders are created and completed -------------------------------------------------
echo "faults(a): stopping Redis"
if [ "$DRY" = 1 ]; then
  stop_redis
  CELERY_BROKER_URL="redis://127.0.0.1:6390/$REDIS_DB" srv_start "$PORT" 2   # nothing listens there
else
  srv_start "$PORT" 2
  stop_redis
fi
check "$PY" -m tests.load.faults intake-and-complete --base "$base" --tokens "$work/tokens" --orders 4 \
  --orders-file "$work/orders"
check "$PY" -m tests.load.faults check-lost --orders-file "$work/orders"
echo "faults(a): Redis back"
[ "$DRY" = 1 ] || start_redis
srv_stop
"$VENV/bin/celery" -A config worker --pool solo --concurrency 1 -Q celery --without-heartbeat --without-gossip \
  --without-mingle -l WARNING >"$work/worker.log" 2>&1 &
WORKER_PID=$!
check "$PY" -m tests.load.faults run-sweeps
check "$PY" -m tests.load.faults check-swept --orders-file "$work/orders" --sms-file "$work/sms.jsonl"
kill -TERM "$WORKER_PID" 2>/dev/null; wait "$WORKER_PID" 2>/dev/null || true; WORKER_PID=""

# --- (b) worker killed mid-task -----------------------------------------------------------------------------
echo "faults(b): covered by the celery_worker step of .ci/run (tests/feedback/test_celery_worker.py)"

# --- (c) PostgreSQL restarted under load -----------------------------------------------------------------------
srv_start "$PORT" 2
"$PY" -m tests.load.faults under-restart --base "$base" --tokens "$work/tokens" --seconds 30 --threads 8 &
load_pid=$!
sleep 8
echo "faults(c): restarting PostgreSQL under load"
restart_postgres
for _ in $(seq 1 60); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 0.5; done
if wait "$load_pid"; then :; else failed=1; fi

# --- (d) two dispatchers on the same order ------------------------------------------------------------------
check "$PY" -m tests.load.faults race --base "$base" --tokens "$work/tokens"

if [ "$failed" = 0 ]; then echo "faults: PASS (a, c, d here; b in the celery_worker step)"; else echo "faults: FAIL"; fi
exit "$failed"
