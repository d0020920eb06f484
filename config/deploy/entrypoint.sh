#!/bin/sh
# Kindred's processes, one command each. The Docker image, compose.yaml and CI's production smoke
# (config/deploy/prod-check.sh) all start them through this script, so what CI tests is what runs.
#
#   build    collect static files (hashed, compressed) and compile translations: at image build time
#   release  check the production settings and migrate the database: once per new version
#   web      gunicorn with config/deploy/gunicorn.conf.py
#   worker   a Celery worker
#   beat     the Celery beat scheduler: exactly one per deployment
set -eu
cd "$(dirname "$0")/../.."

case "${1:-}" in
  build)
    python manage.py collectstatic --no-input --verbosity 0
    # No pipe: a catalog that does not compile must fail the build (sh has no pipefail).
    pybabel compile --domain django --directory locale --use-fuzzy
    ;;
  release)
    python manage.py check --deploy --fail-level WARNING
    python manage.py migrate --no-input
    ;;
  web)
    exec gunicorn --config config/deploy/gunicorn.conf.py config.wsgi
    ;;
  worker)
    exec celery --app config worker --loglevel "${LOG_LEVEL:-INFO}" --concurrency "${WORKER_CONCURRENCY:-2}"
    ;;
  beat)
    exec celery --app config beat --loglevel "${LOG_LEVEL:-INFO}" \
      --schedule "${CELERY_BEAT_SCHEDULE_FILENAME:-/tmp/kindred-celerybeat-schedule}"
    ;;
  *)
    echo "usage: $0 build|release|web|worker|beat" >&2
    exit 64
    ;;
esac
