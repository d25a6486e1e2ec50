# Lotse — the bot and its counsellors' inbox. Configure with LOTSE_* environment variables.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    LOTSE_DATABASE_URL=sqlite:////data/lotse.db \
    LOTSE_KEY_FILE=/data/.lotse-keys.json \
    LOTSE_CACHE_DIR=/data/cache \
    LOTSE_HTTP_HOST=0.0.0.0 \
    LOTSE_HTTP_PORT=8080

RUN groupadd --system --gid 10001 lotse && useradd --system --uid 10001 --gid lotse --home-dir /app lotse \
    && mkdir -p /app /data && chown 10001:10001 /data

WORKDIR /app
COPY pyproject.toml README.md babel.cfg ./
COPY bot ./bot
COPY flows ./flows
COPY locales ./locales

# The same install as `make install`: the package, then the compiled catalogs.
RUN pip install --no-cache-dir . \
    && pybabel compile --domain messages --directory locales

USER 10001
VOLUME ["/data"]
EXPOSE 8080
# The inbox's /healthz answers only when the process runs and the database is reachable.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD ["lotse", "healthcheck"]
CMD ["lotse", "run"]
