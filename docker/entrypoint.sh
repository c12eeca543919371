#!/bin/sh
# Finora container entrypoint: migrate the database, create the bootstrap admin (when
# BOOTSTRAP_ADMIN_EMAIL/PASSWORD are set), then replace this shell with gunicorn.
# Uses whatever `flask` and `gunicorn` come first on PATH.
set -eu

cd "$(dirname "$0")/.."

echo "finora: applying database migrations" >&2
flask --app app db upgrade

echo "finora: bootstrapping the admin account" >&2
flask --app app finora bootstrap

echo "finora: starting gunicorn on ${BIND_HOST:-0.0.0.0}:${PORT:-8000} with ${GUNICORN_WORKERS:-2} workers" >&2
exec gunicorn \
    --workers "${GUNICORN_WORKERS:-2}" \
    --bind "${BIND_HOST:-0.0.0.0}:${PORT:-8000}" \
    --access-logfile - \
    --forwarded-allow-ips="${FORWARDED_ALLOW_IPS:-127.0.0.1}" \
    app:app
