# deerstream: the worker, the simulators and every other `deerstream` subcommand.
#   docker build -t deerstream .        docker run --rm deerstream --help
# Two stages: the first builds wheels (build tools stay there), the second installs them
# into a slim image that runs as an unprivileged user.

# Pinned base; bump deliberately (and rebuild) to pick up Python and Debian fixes.
ARG PYTHON_IMAGE=python:3.11.13-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
# The model is compiled to C by mypyc while the wheel builds (setup.py): a C compiler here
# only; the runtime stage below needs none.
RUN apt-get update \
    && apt-get install -y --no-install-recommends gcc libc6-dev \
    && rm -rf /var/lib/apt/lists/*
COPY . .
RUN pip wheel --wheel-dir /wheels .

FROM ${PYTHON_IMAGE}
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN groupadd --system --gid 10001 deerstream \
    && useradd --system --uid 10001 --gid deerstream --home-dir /app --shell /usr/sbin/nologin deerstream \
    && mkdir -p /app \
    && chown deerstream:deerstream /app
COPY --from=build /wheels /wheels
RUN pip install --no-index --find-links=/wheels deerstream && rm -rf /wheels
WORKDIR /app
USER 10001:10001
# Inside a container the ops endpoints must be reachable from other containers
# (Prometheus); the default outside containers stays 127.0.0.1.
ENV WEB_HOST=0.0.0.0 STATE_DIR=/app/.deerstream
EXPOSE 6066
ENTRYPOINT ["deerstream"]
CMD ["worker"]
