# syntax=docker/dockerfile:1
# One image for web, worker and beat (docker-compose.yml picks the command).

# Front-end libraries from npm; Node is needed at build time only.
FROM python:3.11-slim AS assets
RUN apt-get update \
    && apt-get install -y --no-install-recommends nodejs npm \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# --omit=dev: axe-core (the browser tests' accessibility scan) stays out of the image.
RUN npm ci --omit=dev --no-audit --no-fund


FROM python:3.11-slim
# WEB_CONCURRENCY is gunicorn's own variable: the number of web worker processes.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    WEB_CONCURRENCY=2
WORKDIR /app

RUN useradd --create-home --user-group --uid 10001 transition

# requirements.lock is the runtime set only: no test or lint tools in the image.
# CI tests the same runtime pins (requirements-dev.lock is constrained by it).
COPY requirements.lock ./
RUN pip install -r requirements.lock

# Settings serve the libraries from node_modules through staticfiles, so it stays.
COPY --from=assets /app/node_modules ./node_modules
COPY . .

# collectstatic imports settings, which need a SECRET_KEY when DEBUG is off: a
# throwaway one, used for this step only and not kept in the image.
RUN DEBUG=0 SECRET_KEY=collectstatic-only-not-a-real-secret VAR_DIR=/tmp/build-var \
        python manage.py collectstatic --noinput \
    && rm -rf /tmp/build-var \
    && mkdir -p /app/var \
    && chown transition:transition /app/var

USER transition
EXPOSE 8000
# gunicorn.conf.py (read from /app): the access log, with webhook tokens redacted.
CMD ["gunicorn", "transition.wsgi", "--bind", "0.0.0.0:8000"]
