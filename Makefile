# The two commands of the README: `make run` (chat with the assistant) and `make test` (all the tests).
# Each does its own setup: the Python 3.10 virtualenv, the web chat's npm packages, a trained model.
SHELL := /bin/bash
VENV ?= .venv
BIN := $(VENV)/bin
MODEL := models/assistant.tar.gz
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
# The model is retrained only when something it is trained from has changed.
TRAINING_INPUTS := $(shell find domain -name '*.yml') config.yml $(shell find data -name '*.yml') $(wildcard bot/rasa/nlu/*.py) bot/core/language.py

.PHONY: run test setup train validate pytest story-test clean lint format lock

run: setup $(MODEL)
	$(BIN)/python -m bot.ops.launcher

test: setup lint $(MODEL) validate pytest story-test nlu-alarm

setup: $(VENV)/.installed web/node_modules/.installed

# The web chat widget (rasa-webchat) from the npm registry, served by the Rasa server itself.
web/node_modules/.installed: web/package.json web/package-lock.json
	npm ci --prefix web --no-audit --no-fund
	@touch $@

$(VENV)/.installed: requirements.lock requirements-dev.lock scripts/setup-venv.sh
	scripts/setup-venv.sh

# Part of `make test`: ruff's lint rules over the tree (ruff.toml) and mypy over the core (mypy.ini).
lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/mypy

# Sorts the imports and formats the code (ruff.toml); not part of `make test`.
format: $(VENV)/.installed
	$(BIN)/ruff check --select I --fix .
	$(BIN)/ruff format .

# Regenerates the locks with hashes from requirements.in (runtime: the Docker image installs only this
# one) and requirements-dev.in (tests and tools, constrained by the runtime lock). Versions already
# locked are kept; to move one, change its .in line or run e.g. `make lock UPGRADE='-P babel'`.
PIP_COMPILE := $(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
                --no-emit-index-url --no-emit-find-links $(UPGRADE)
lock: $(VENV)/.installed
	$(PIP_COMPILE) --output-file requirements.lock requirements.in
	$(PIP_COMPILE) --output-file requirements-dev.lock requirements-dev.in

train: $(MODEL)

$(MODEL): $(VENV)/.installed $(TRAINING_INPUTS)
	$(BIN)/rasa train --domain domain --fixed-model-name assistant --out models
	@touch $(MODEL)

validate: setup
	$(BIN)/rasa data validate --domain domain --fail-on-warnings

# The suite runs on PYTEST_WORKERS processes (pytest-xdist), each test file whole on one of them, so a
# file's module-scoped assistant is started once; a plain `pytest` runs in one process.
PYTEST_WORKERS ?= 2
pytest: setup $(MODEL)
	scripts/setup-browser.sh
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadfile

story-test: setup $(MODEL)
	$(BIN)/rasa test core --model $(MODEL) --stories tests/stories --fail-on-prediction-errors --out results/stories

clean:
	rm -rf models results .pytest_cache

# Held-out NLU quality (tests/nlu_holdout): intent and response-selection F1 per language, from
# `rasa test nlu`; fails when the intent F1 of Chinese or English is below 0.95.
.PHONY: nlu-quality nlu-alarm
nlu-quality: setup $(MODEL)
	$(BIN)/python scripts/nlu_quality.py --model $(MODEL)

# Part of `make test`: the same held-out run with a floor below the 0.95 target, so a data change that
# breaks understanding fails CI, while a retraining's ordinary wobble near the target does not. The
# harder kinds of issue 13 (one file each, the later sets' *_b to *_f files included) have a pass-rate floor of their
# own, under what the model reaches today (set C's traditional 71%, set D's Chinese mid-form questions 78%), so a loss
# fails CI; their target is 0.95 too (docs/understanding.md).
nlu-alarm: setup $(MODEL)
	$(BIN)/python scripts/nlu_quality.py --model $(MODEL) --min-f1 0.92 --min-kind 0.60

# Performance against Rasa's own starter bot (bench/benchmark.py): trains both from scratch, drives both
# through the REST channel one conversation at a time and 10 and 50 at once, writes bench/results/ and
# says PASS/FAIL against the targets. About 15 minutes of full CPU; not part of `make test`.
.PHONY: bench
bench: setup
	$(BIN)/python -m bench.benchmark

# Scale-out on this machine (bench/scale/): nginx (Debian's, scripts/setup-nginx.sh) routing each sender to
# one of 2 Rasa replicas (endpoints.production.yml: PostgreSQL trackers, Redis locks) and round robin to 2
# action servers, against the local PostgreSQL and Redis; 200 concurrent zh/en enrollments, then a wave
# during which one replica gets SIGTERM and one during which it gets SIGKILL. Checks no 5xx but the killed
# replica's in-flight turns, resent turns answered (p95 < 5 s), no lost or duplicated tracker events,
# exactly the expected enrollment rows. During the first wave a staff member claims and replies, through
# the support console (its Rasa calls to replica 2), to web chat and WeChat families on replica 1: every
# reply must arrive; with the web chat's Redis client manager off on replica 2 (negative control), the
# reply must not. Writes bench/results/scale.{json,md}. About 8 minutes.
.PHONY: scale-test
scale-test: setup $(MODEL)
	scripts/setup-nginx.sh
	$(BIN)/python -m bench.scale
