# Lotse — the bot and (later) its counsellors' inbox. Configure with LOTSE_* environment variables.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    LOTSE_DATABASE_URL=sqlite:////data/lotse.db \
    LOTSE_KEY_FILE=/data/.lotse-keys.json

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
CMD ["lotse", "run"]
