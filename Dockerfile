# briefbot in a container: `docker compose up` runs a worker, the web pages (and Slack's HTTP
# endpoints when its secrets are set) and PostgreSQL; see README "Operating it".
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    BRIEFBOT_LOG_FORMAT=json

WORKDIR /app
# uv installs the dependency set in seconds; pip is only used to bring it in.
RUN pip install --no-cache-dir uv
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY briefings ./briefings
RUN uv pip install --system --no-cache --compile-bytecode '.[postgres]'

# config.toml (feeds, topics, channels; no secrets) is mounted at /app/config.toml; tokens and the
# database URL come from the environment.
RUN useradd --create-home --uid 10001 briefbot
USER briefbot
EXPOSE 3000 8080
CMD ["python", "-m", "bot", "run", "--config", "/app/config.toml"]
