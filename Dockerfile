# CPU image of triage, run as a non-root user. Build: docker build -t triage .
# Run:   docker run -p 8000:8000 -v triage-data:/data triage
FROM python:3.11-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TQDM_DISABLE=1 \
    TRIAGE_HOST=0.0.0.0 TRIAGE_PORT=8000 TRIAGE_DATA_DIR=/data \
    TRIAGE_DATABASE__URL=sqlite:////data/triage.db TRIAGE_QDRANT__PATH=/data/qdrant \
    TRIAGE_POLICY_DIR=/app/policy TRIAGE_PROMPTS_DIR=/app/prompts TRIAGE_SEED_FILE=/app/seed/cases.jsonl

WORKDIR /app
# the CPU build of torch (the default index serves a multi-GB CUDA build)
RUN pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu
COPY pyproject.toml README.md alembic.ini ./
COPY src ./src
COPY policy ./policy
COPY prompts ./prompts
COPY seed ./seed
RUN pip install .

RUN useradd --create-home --uid 10001 triage && mkdir -p /data && chown triage /data
USER triage
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz').status != 200)"
# --demo: migrate, load the seed cases if the memory is empty, print a demo key; drop it in production
CMD ["triage", "serve", "--demo"]
