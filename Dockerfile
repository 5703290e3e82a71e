# syntax=docker/dockerfile:1
# The image deploy/k8s runs (enrollment-assistant): the Rasa server, the action server and the support
# console are all this image with different commands.
#
#   docker build -t enrollment-assistant:2026.12.01 .
#
# Stages: `python-deps` (the locked Python packages in a venv), `web-deps` (the web chat widget from
# npm), `model` (trains the assistant, so the image carries the model it was tested with), and the
# runtime image: no compilers, no npm, the code and model owned by root and read-only to the app user
# (uid 10001), which writes only under /tmp (DATA_DIR; the pods mount an emptyDir there).
# Bases are pinned by version; pin them by digest (@sha256:...) in your registry mirror as well.
ARG PYTHON_IMAGE=python:3.10.16-slim-bookworm
ARG NODE_IMAGE=node:20.18.1-bookworm-slim

FROM ${PYTHON_IMAGE} AS python-deps
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential libpq-dev \
 && rm -rf /var/lib/apt/lists/*
COPY requirements.lock ./
RUN python -m venv /app/.venv && /app/.venv/bin/pip install -r requirements.lock

FROM ${NODE_IMAGE} AS web-deps
WORKDIR /app
COPY web/package.json web/package-lock.json web/
RUN npm ci --prefix web --omit=dev --ignore-scripts

FROM python-deps AS model
COPY . /app
RUN .venv/bin/rasa train --domain domain --fixed-model-name assistant --out models

FROM ${PYTHON_IMAGE} AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpq5 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --uid 10001 --no-create-home --home-dir /tmp --shell /usr/sbin/nologin app
WORKDIR /app
COPY --from=python-deps /app/.venv /app/.venv
COPY --chown=root:root . /app
COPY --from=web-deps /app/web/node_modules /app/web/node_modules
COPY --from=model /app/models /app/models
ENV PYTHONPATH=/app PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 HOME=/tmp MPLCONFIGDIR=/tmp \
    DATA_DIR=/tmp/enrollment RASA_TELEMETRY_ENABLED=false SQLALCHEMY_SILENCE_UBER_WARNING=1
USER 10001:10001
EXPOSE 5005 5055 5080
CMD [".venv/bin/python", "-m", "bot.rasa.server", "run", "--enable-api", "--port", "5005", \
     "--model", "models/assistant.tar.gz", "--endpoints", "endpoints.production.yml", \
     "--credentials", "credentials.yml"]
