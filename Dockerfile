# syntax=docker/dockerfile:1
# Kindred's image: one image for web, worker, beat and release (config/deploy/entrypoint.sh picks).
# Static files are collected and translations compiled here, at build time; the container runs as an
# unprivileged user and can run with a read-only root file system (compose.yaml does).

FROM python:3.12-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /venv
COPY requirements.txt constraints.txt /tmp/
RUN /venv/bin/pip install -r /tmp/requirements.txt -c /tmp/constraints.txt

FROM python:3.12-slim-bookworm AS runtime
ENV PATH=/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=config.settings \
    STATIC_ROOT=/app/staticfiles \
    MEDIA_ROOT=/data/media \
    CELERY_BEAT_SCHEDULE_FILENAME=/tmp/celerybeat-schedule \
    PORT=8000 \
    GUNICORN_BIND=0.0.0.0:8000
# DejaVu Sans: the Cyrillic font of donors' annual statements (STATEMENT_FONT).
RUN apt-get update \
 && apt-get install --yes --no-install-recommends fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*
RUN useradd --system --uid 10001 --no-create-home --home-dir /app kindred \
 && mkdir -p /data/media && chown kindred /data/media
COPY --from=build /venv /venv
WORKDIR /app
COPY . /app
# Build-time values only: collectstatic and the message compiler need settings, not secrets or a database.
RUN DEBUG=false SECRET_KEY=build-time-only ALLOWED_HOSTS=build EMAIL_URL=consolemail:// \
    config/deploy/entrypoint.sh build
USER kindred
EXPOSE 8000
ENTRYPOINT ["config/deploy/entrypoint.sh"]
CMD ["web"]
