# The ICRM images for `docker compose`: `api` runs `icrm serve`, `notebook` adds Jupyter for notebooks/.
FROM python:3.11-slim AS api
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
# dependencies first, so a code change does not reinstall torch
COPY pyproject.toml README.md ./
COPY app ./app
COPY graph ./graph
COPY models ./models
COPY cli ./cli
COPY cypher ./cypher
RUN pip install . \
 && useradd --create-home --uid 10001 icrm \
 && mkdir -p /data && chown icrm /data
USER icrm
ENV ICRM_API_HOST=0.0.0.0 ICRM_API_PORT=8000 ICRM_VAR_DIR=/data/var ICRM_ARTIFACTS_DIR=/data/artifacts
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=5 \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://localhost:8000/health', timeout=4)"
# migrations are applied by a command, never by a request handler; then the API serves
CMD ["sh", "-c", "icrm db migrate && exec icrm serve --host 0.0.0.0 --port 8000"]

FROM api AS notebook
USER root
RUN pip install ".[dev]" jupyterlab
USER icrm
EXPOSE 8888
HEALTHCHECK NONE
CMD ["jupyter", "lab", "--ip=0.0.0.0", "--port=8888", "--no-browser", "--notebook-dir=/app/notebooks"]
