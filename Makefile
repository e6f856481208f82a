# The two commands: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app tracker
HOST ?= 127.0.0.1
PORT ?= 5000
# Test workers: one per core; each has its own database (tests/conftest.py).
TEST_WORKERS ?= auto

.PHONY: run test install install-dev db seed messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)

$(VENV)/.installed: requirements.txt $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt requirements.txt $(VENV)/.installed
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

db: install
	$(FLASK) db upgrade

seed: db
	$(FLASK) seed-demo

run: seed
	$(FLASK) run --host $(HOST) --port $(PORT)

test: install-dev
	$(BIN)/python -m pytest --numprocesses $(TEST_WORKERS) $(PYTEST_ARGS)

messages: install  # extract every marked string into messages.pot for translators
	$(BIN)/pybabel extract -F babel.cfg -k _l -o messages.pot .

clean:
	rm -rf $(VENV) .pytest_cache
