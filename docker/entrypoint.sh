#!/bin/sh
# Finora container entrypoint: migrate the database, create the bootstrap admin (when
# BOOTSTRAP_ADMIN_EMAIL/PASSWORD are set), then replace this shell with gunicorn.
# Uses whatever `flask` and `gunicorn` come first on PATH.
set -eu
# Everything written from here (database, logs, secrets) is readable by its owner only.
umask 077

cd "$(dirname "$0")/.."

# How many gunicorn workers: gunicorn.conf.py decides (GUNICORN_WORKERS, else from the CPUs
# and memory; a single worker while rate limits are counted in memory://) and logs why.

# X-Forwarded-* is trusted only from the proxies FORWARDED_ALLOW_IPS names (the app applies
# the same list to TRUSTED_PROXIES), and from none when TRUSTED_PROXIES is 0.
case "${TRUSTED_PROXIES:-0}" in
    0)
        if [ -n "${FORWARDED_ALLOW_IPS:-}" ]; then
            echo "finora: TRUSTED_PROXIES is 0, so FORWARDED_ALLOW_IPS is ignored: X-Forwarded-* headers are trusted from no one" >&2
        fi
        forwarded=""
        ;;
    *)
        if [ -z "${FORWARDED_ALLOW_IPS:-}" ]; then
            echo "finora: TRUSTED_PROXIES is set but FORWARDED_ALLOW_IPS is not: X-Forwarded-* headers are trusted only from 127.0.0.1 and ::1, inside this container; set FORWARDED_ALLOW_IPS to your proxy's address or network" >&2
        fi
        forwarded="${FORWARDED_ALLOW_IPS:-127.0.0.1,::1}"
        ;;
esac
export FORWARDED_ALLOW_IPS="$forwarded"

echo "finora: applying database migrations" >&2
flask --app app db upgrade

echo "finora: bootstrapping the admin account" >&2
flask --app app finora bootstrap

echo "finora: starting gunicorn on ${BIND_HOST:-0.0.0.0}:${PORT:-8000}, X-Forwarded-* trusted from: ${forwarded:-no one}" >&2
# gunicorn.conf.py: the worker count, and Prometheus' multiprocess files
# (<FINORA_DATA_DIR>/metrics), so /metrics sums every worker.
exec gunicorn \
    -c gunicorn.conf.py \
    --bind "${BIND_HOST:-0.0.0.0}:${PORT:-8000}" \
    --access-logfile - \
    --forwarded-allow-ips="$forwarded" \
    app:app
