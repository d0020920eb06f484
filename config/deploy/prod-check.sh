#!/usr/bin/env bash
# The production smoke (`make prod-check`, and a stage of .ci/run): Kindred as it runs on a server.
#
# From this checkout, with runtime dependencies only (a venv of requirements.txt) and production
# settings (DEBUG off, a random SECRET_KEY, an https SITE_URL, SMTP mail), it builds static files and
# translations, migrates a fresh PostgreSQL database, loads the demo data, then starts gunicorn,
# a Celery worker and beat on Redis (broker and cache on databases of their own), an SMTP sink and
# nginx with TLS in front, all through config/deploy/entrypoint.sh as the Docker image does; then
# config/deploy/smoke.py acts as visitors, a donor and a manager through nginx. Everything started
# here is stopped on exit, whatever happened. Any failed step fails the run.
#
#   SMOKE_DATABASE_URL  a database this script may drop and create  (postgres://…/kindred_smoke)
#   SMOKE_BROKER_URL    Redis database for the broker, emptied first   (redis://127.0.0.1:6379/8)
#   SMOKE_CACHE_URL     Redis database for the cache, emptied first    (redis://127.0.0.1:6379/9)
#   SMOKE_DEV_PYTHON    a Python with aiosmtpd for the SMTP sink       (.venv/bin/python)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD

SMOKE_DATABASE_URL=${SMOKE_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/kindred_smoke}
SMOKE_BROKER_URL=${SMOKE_BROKER_URL:-redis://127.0.0.1:6379/8}
SMOKE_CACHE_URL=${SMOKE_CACHE_URL:-redis://127.0.0.1:6379/9}
SMOKE_DEV_PYTHON=${SMOKE_DEV_PYTHON:-$ROOT/.venv/bin/python}
PROD_VENV=${KINDRED_PROD_VENV:-$ROOT/var/prod-venv}

log() { printf '\n== %s %s\n' "$(date +%T)" "$*"; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
redis_db() { python3 -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(p.hostname, p.port or 6379, (p.path.strip("/") or "0"))' "$1"; }

RUN=$(mktemp -d /tmp/kindred-prod.XXXXXX)
chmod 755 "$RUN"  # nginx's workers (user nobody) read the uploads below it
mkdir -p "$RUN"/{logs,media,nginx,tls,static}
PIDS=()

stop_all() {
  status=$?
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  if [ "$status" -ne 0 ]; then
    for file in "$RUN"/logs/*.log; do echo "--- $(basename "$file") (last lines)"; tail -n 25 "$file"; done
  fi
  rm -rf "$RUN"
  exit "$status"
}
trap stop_all EXIT
trap 'exit 130' INT TERM

start() {  # start NAME COMMAND...: in the background, output to $RUN/logs/NAME.log
  local name=$1; shift
  "$@" >"$RUN/logs/$name.log" 2>&1 &
  PIDS+=("$!")
}

log "runtime-only virtualenv ($PROD_VENV)"
stamp="$PROD_VENV/.requirements.sha"
want=$(cat requirements.txt constraints.txt | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  rm -rf "$PROD_VENV"
  python3 -m venv "$PROD_VENV"
  "$PROD_VENV/bin/pip" install --quiet --upgrade pip
  "$PROD_VENV/bin/pip" install --quiet -r requirements.txt -c constraints.txt
  echo "$want" >"$stamp"
fi
export PATH="$PROD_VENV/bin:$PATH"

log "fresh database and Redis databases"
db_name=${SMOKE_DATABASE_URL##*/}
admin_url=${SMOKE_DATABASE_URL%/*}/postgres
psql "$admin_url" -q -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS \"$db_name\"" -c "CREATE DATABASE \"$db_name\""
for url in "$SMOKE_BROKER_URL" "$SMOKE_CACHE_URL"; do
  read -r host port db < <(redis_db "$url")
  redis-cli -h "$host" -p "$port" -n "$db" FLUSHDB >/dev/null
done

log "self-signed certificate for nginx"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=localhost" \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
  -keyout "$RUN/tls/key.pem" -out "$RUN/tls/cert.pem" 2>/dev/null

WEB_PORT=$(free_port); NGINX_PORT=$(free_port); SMTP_PORT=$(free_port)
export DJANGO_SETTINGS_MODULE=config.settings
export DEBUG=false
SECRET_KEY=$(openssl rand -hex 40); export SECRET_KEY
export ALLOWED_HOSTS=localhost
export SITE_URL="https://localhost:$NGINX_PORT"
export DATABASE_URL=$SMOKE_DATABASE_URL
export CELERY_BROKER_URL=$SMOKE_BROKER_URL CACHE_URL=$SMOKE_CACHE_URL
unset REDIS_URL CELERY_TASK_ALWAYS_EAGER
export EMAIL_URL="smtp://127.0.0.1:$SMTP_PORT"
export STATIC_ROOT="$RUN/static" MEDIA_ROOT="$RUN/media"
export TRUSTED_PROXY_COUNT=1
# The smoke gives through the sandbox, which a production site must allow explicitly (fundraising.E001).
export PAYMENT_PROVIDER=sandbox PAYMENT_SANDBOX_ALLOWED=true
export GUNICORN_BIND="127.0.0.1:$WEB_PORT" WEB_CONCURRENCY=3 WORKER_CONCURRENCY=2
export CELERY_BEAT_SCHEDULE_FILENAME="$RUN/celerybeat-schedule"
# The sandbox's callback goes from the worker back through nginx, which presents our certificate.
export REQUESTS_CA_BUNDLE="$RUN/tls/cert.pem" SSL_CERT_FILE="$RUN/tls/cert.pem"

log "build: collectstatic with the production storage, compile translations"
config/deploy/entrypoint.sh build
log "release: check --deploy, migrate"
config/deploy/entrypoint.sh release
python manage.py seed_demo >/dev/null

log "start: SMTP sink, gunicorn, worker, beat, nginx"
start smtp "$SMOKE_DEV_PYTHON" -m aiosmtpd --nosetuid --listen "127.0.0.1:$SMTP_PORT" \
  --class aiosmtpd.handlers.Mailbox "$RUN/mail"
start web config/deploy/entrypoint.sh web
start worker config/deploy/entrypoint.sh worker
start beat config/deploy/entrypoint.sh beat

KINDRED_LISTEN="127.0.0.1:$NGINX_PORT ssl" KINDRED_SERVER_NAME=localhost \
KINDRED_TLS_CERT="$RUN/tls/cert.pem" KINDRED_TLS_KEY="$RUN/tls/key.pem" \
KINDRED_UPSTREAM="127.0.0.1:$WEB_PORT" KINDRED_MEDIA_ROOT="$RUN/media" \
  python3 -c 'import os, re, sys; sys.stdout.write(re.sub(r"\$\{(KINDRED_\w+)\}", lambda m: os.environ[m[1]], sys.stdin.read()))' \
  <config/deploy/nginx.conf.template >"$RUN/nginx/kindred.conf"
cat >"$RUN/nginx/nginx.conf" <<EOF
worker_processes 1;
pid $RUN/nginx/nginx.pid;
error_log $RUN/logs/nginx-error.log warn;
events { worker_connections 256; }
http {
    include /etc/nginx/mime.types;
    access_log $RUN/logs/nginx-access.log;
    client_body_temp_path $RUN/nginx/body;
    proxy_temp_path $RUN/nginx/proxy;
    fastcgi_temp_path $RUN/nginx/fastcgi;
    uwsgi_temp_path $RUN/nginx/uwsgi;
    scgi_temp_path $RUN/nginx/scgi;
    include $RUN/nginx/kindred.conf;
}
EOF
nginx -t -q -c "$RUN/nginx/nginx.conf" -g "daemon off;"
start nginx nginx -c "$RUN/nginx/nginx.conf" -g "daemon off;"

python - "$SITE_URL/healthz" "$RUN/tls/cert.pem" <<'PY'
import ssl, sys, time, urllib.request
context = ssl.create_default_context(cafile=sys.argv[2])
for _ in range(240):
    try:
        urllib.request.urlopen(sys.argv[1], context=context, timeout=5)
        break
    except Exception:
        time.sleep(0.5)
PY
# The worker must be consuming before the smoke pays (its callback is a task).
for _ in $(seq 120); do grep -q "ready" "$RUN/logs/worker.log" && break; sleep 0.5; done

log "smoke through nginx at $SITE_URL"
SMOKE_BASE=$SITE_URL SMOKE_CA="$RUN/tls/cert.pem" SMOKE_MAILDIR="$RUN/mail" \
  python config/deploy/smoke.py
