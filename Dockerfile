# Finora: one image runs the web app (gunicorn) and, through the entrypoint, its migrations.
#   docker build -t finora .
#   docker run -p 8000:8000 -e SECRET_KEY=... -e APP_SECRET=... -v finora-data:/data finora
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

# An unprivileged user runs the app; the code stays owned by root (read-only to the app).
# Its home is writable because gunicorn keeps its control socket in ~/.gunicorn.
RUN groupadd --system finora \
    && useradd --system --gid finora --create-home --home-dir /home/finora \
       --shell /usr/sbin/nologin finora

WORKDIR /app

# Dependencies first so the layer is reused while only the code changes.
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt

COPY . .
# Byte-code compiled now: the app cannot write it at run time (read-only code,
# PYTHONDONTWRITEBYTECODE), and every worker would compile Finora's modules again as it starts.
RUN pybabel compile -d translations \
    && python -m compileall -q app.py config.py gunicorn.conf.py finora \
    && chmod 0755 /app/docker/entrypoint.sh \
    && mkdir -p /data \
    && chown finora:finora /data \
    && chmod 0700 /data

# FINORA_IN_CONTAINER: /about checks for updates and shows the commands to pull the new
# image; it never replaces code inside the image.
ENV FINORA_ENV=production \
    FINORA_IN_CONTAINER=1 \
    FINORA_DATA_DIR=/data \
    TZ=UTC \
    PORT=8000

# gunicorn.conf.py picks the workers (GUNICORN_WORKERS, else from the container's CPUs and
# memory) and starts one unless RATELIMIT_STORAGE_URI names a shared store (per-worker
# memory:// counters would multiply the rate limits); gunicorn trusts X-Forwarded-* only
# from FORWARDED_ALLOW_IPS when TRUSTED_PROXIES is set.

# The data directory (SQLite file, logs, backups) lives outside the image; owner-only (a new
# named volume takes this mode).
VOLUME /data

USER finora
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), timeout=4)"]

ENTRYPOINT ["/app/docker/entrypoint.sh"]
