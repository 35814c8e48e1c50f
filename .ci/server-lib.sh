# Shared by .ci/fuzz.sh, .ci/load.sh and .ci/faults.sh (sourced): a fresh PostgreSQL database with demo data and
# a gunicorn on 127.0.0.1 in production settings, stopped by the caller's trap. Nothing here touches another
# database than $SRV_DB.
VENV="${VENV:-.venv}"
PY="$VENV/bin/python"
PGURL="postgres://postgres@127.0.0.1:5432"
export PGOPTIONS="-c client_min_messages=warning"
SRV_PIDS=()

srv_env() {  # srv_env DB [BROKER_URL]: the environment of the server and of manage.py
  export DATABASE_URL="$PGURL/$1"
  export DEBUG=false ALLOWED_HOSTS=127.0.0.1,localhost SECURE_SSL_REDIRECT=false
  export SESSION_COOKIE_SECURE=false CSRF_COOKIE_SECURE=false AXES_ENABLED=false
  export SECRET_KEY="${SECRET_KEY:-ci-server-$(head -c 24 /dev/urandom | base64 | tr -d '/+=')}"
  export API_THROTTLE_USER="${API_THROTTLE_USER:-1000000/min}" API_THROTTLE_ANON="${API_THROTTLE_ANON:-1000000/min}"
  export LOG_LEVEL="${LOG_LEVEL:-WARNING}" DB_CONN_MAX_AGE="${DB_CONN_MAX_AGE:-60}"
  if [ -n "${2:-}" ]; then export CELERY_BROKER_URL="$2" CELERY_TASK_ALWAYS_EAGER=false
  else unset CELERY_BROKER_URL; export CELERY_TASK_ALWAYS_EAGER=true; fi
  unset DJANGO_SETTINGS_MODULE
}

srv_fresh_db() {  # srv_fresh_db DB SCALE: drop, create, migrate, seed (srv_drop_db removes it at the end)
  SRV_DB="$1"
  psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS $1 WITH (FORCE)" >/dev/null
  psql -h 127.0.0.1 -U postgres -d postgres -qc "CREATE DATABASE $1" >/dev/null
  psql -h 127.0.0.1 -U postgres -d "$1" -qc "CREATE EXTENSION IF NOT EXISTS pg_trgm" >/dev/null
  "$PY" manage.py migrate --noinput -v0
  "$PY" manage.py seed_demo --scale "${2:-small}" >/dev/null
  [ -f staticfiles/staticfiles.json ] || "$PY" manage.py collectstatic --noinput -v0
}

srv_token() {  # srv_token USERNAME: prints a new API token of that demo user (default lifetime, 12 h)
  "$PY" manage.py issue_token "$1" 2>/dev/null
}

srv_free_port() {  # a port nothing listens on now (fixed ports collided with other servers on the machine)
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

srv_start() {  # srv_start PORT [WORKERS]: gunicorn in the background, waits until it answers
  "$VENV/bin/gunicorn" config.wsgi -b "127.0.0.1:$1" -w "${2:-2}" --no-control-socket --timeout 60 \
    --access-logfile /dev/null --error-logfile - >>"${SRV_LOG:-/tmp/bst-gunicorn-$1.log}" 2>&1 &
  SRV_PIDS+=($!)
  for _ in $(seq 1 60); do
    curl -s -o /dev/null "http://127.0.0.1:$1/login/" && return 0
    sleep 0.5
  done
  echo "gunicorn on port $1 did not start; its log:" >&2
  tail -n 40 "${SRV_LOG:-/tmp/bst-gunicorn-$1.log}" >&2
  return 1
}

srv_stop() {
  local pid
  for pid in "${SRV_PIDS[@]:-}"; do
    [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  done
  SRV_PIDS=()
}

srv_drop_db() {  # the per-run database, once its servers are stopped
  [ -n "${SRV_DB:-}" ] && psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS $SRV_DB WITH (FORCE)" \
    >/dev/null 2>&1 || true
}
