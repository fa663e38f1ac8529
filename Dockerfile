# partnerbot: the same install as the README, from the lock file.
FROM python:3.11-slim

ENV UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    PARTNERBOT_DB=/data/partnerbot.sqlite3 \
    PARTNERBOT_WEB_LISTEN=0.0.0.0:8080 \
    PYTHONUNBUFFERED=1

RUN pip install --no-cache-dir uv==0.13.8 \
    && useradd --create-home --uid 10001 partnerbot \
    && mkdir /data && chown partnerbot /data

WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY bot ./bot
COPY locales ./locales
RUN uv sync --frozen --no-dev

USER partnerbot
VOLUME ["/data"]
# the web console and the messengers' webhooks (publish on the host's loopback)
EXPOSE 8080
CMD ["/app/.venv/bin/partnerbot", "run"]
