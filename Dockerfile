# The lens-mirror API image for docker-compose.yml: `docker compose build`.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY mirror ./mirror
COPY mappings ./mappings
# The engine clients are extras; an extra a version does not declare is only a warning.
RUN pip install ".[es,opensearch]"
RUN useradd --create-home --uid 1000 mirror && mkdir -p /data && chown mirror /data
USER mirror
ENV LENS_MIRROR_DATA_DIR=/data LENS_MIRROR_HOST=0.0.0.0
VOLUME /data
EXPOSE 8000
CMD ["lens-mirror", "serve", "--backend", "elasticsearch", "--host", "0.0.0.0"]
