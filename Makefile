# The two commands of the README:
#   make run   - install, migrate, load the seed cases, print a demo key, serve on 127.0.0.1:8000
#   make test  - install with test extras, start PostgreSQL if needed, lint (ruff, mypy), run every test
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint services bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	# the CPU build that lies on these machines; a plain `torch` would pull a multi-GB CUDA build
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/triage serve --demo

services:
	bash scripts/ensure-services.sh

lint: install
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/mypy

# Test workers: two pytest-xdist processes by default (`make test PYTEST_WORKERS=0` runs in one). `--dist
# loadscope` keeps each module on one worker, so a module-scoped fixture (an eval run, a fine-tune, the real
# llama.cpp server) is built once; tests/conftest.py sends the modules with `slow` tests first and gives each
# worker one compute thread (two torch thread pools on two cores oversubscribed them).
PYTEST_WORKERS ?= 2

test: install services lint
	$(BIN)/pytest -n $(PYTEST_WORKERS) $(if $(filter 0,$(PYTEST_WORKERS)),,--dist loadscope --no-loadscope-reorder)

bench: install
	$(BIN)/python benchmarks/run.py
	PYTHONPATH=src $(BIN)/python benchmarks/learning_scale.py --sizes 10k,100k,1m --out var/bench/learning.json

clean:
	rm -rf var runs test-artifacts .pytest_cache
