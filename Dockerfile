# CPU image of triage, run as a non-root user. Build: docker build -t triage .
# Run:   docker run -p 8000:8000 -v triage-data:/data triage
FROM python:3.11-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TQDM_DISABLE=1 \
    TRIAGE_HOST=0.0.0.0 TRIAGE_PORT=8000 TRIAGE_DATA_DIR=/data \
    TRIAGE_DATABASE__URL=sqlite:////data/triage.db TRIAGE_QDRANT__PATH=/data/qdrant \
    TRIAGE_POLICY_DIR=/app/policy TRIAGE_PROMPTS_DIR=/app/prompts TRIAGE_SEED__FILE=/app/seed/cases.jsonl

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
# No --demo: a demo key printed to the logs on every start is a key anyone who reads the logs holds.
# Create keys with `docker exec <container> triage keys create --role service --name NAME`. The session
# secret is generated once in /data (session.key) unless TRIAGE_SESSION_SECRET is set (required with
# TRIAGE_ENVIRONMENT=production). 0.0.0.0 is the container's own interface; publish the port to a
# reverse proxy that terminates TLS, not to the internet.
CMD ["triage", "serve"]
