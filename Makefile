# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# `make run` needs only the bot's own dependencies; the test and bench tools come with `make test`.
RUN_STAMP := $(VENV)/.installed-run

.PHONY: run test lint lint-deploy format bench eval screenshot clean

$(RUN_STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $(RUN_STAMP)

$(STAMP): $(RUN_STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $(STAMP)

## run: set up and start the bot (Slack when credentials are configured, else the playground)
run: $(RUN_STAMP)
	$(BIN)/ecsbot run

## test: set up and run every check (lint, format, types, container and stack files, tests)
test: $(STAMP) lint-deploy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy bot
	$(BIN)/ecsbot kb validate
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## lint-deploy: hadolint on the Dockerfile, cfn-lint on every CloudFormation template
lint-deploy: $(STAMP)
	$(BIN)/hadolint deploy/Dockerfile
	$(BIN)/cfn-lint deploy/cloudformation/*.yaml

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## bench: every benchmark (a few minutes, needs PostgreSQL and Redis for the replicas);
## writes bench/results/*.json, BENCHMARKS.md and bench/throughput.png. Never fails on a number.
bench: $(STAMP)
	$(BIN)/python -m bench.bench_http
	$(BIN)/python -m bench.bench_matcher
	$(BIN)/python -m bench.bench_serve
	$(BIN)/python -m bench.bench_replicas
	$(BIN)/python -m bench.report

## eval: score matching on the shared dev set and every labelled set in tests/data
eval: $(STAMP)
	$(BIN)/ecsbot eval --quiet $(wildcard ../shared/eval/dev.jsonl) tests/data/*.jsonl

## screenshot: regenerate docs/playground.png, the playground answering a question
## (drives /usr/bin/chromium: apt-get install chromium fonts-noto-color-emoji)
screenshot: $(STAMP)
	$(BIN)/python -m tests.playground.screenshot docs/playground.png

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache artifacts
