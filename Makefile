# The two commands: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app tracker
HOST ?= 127.0.0.1
PORT ?= 5000
# Test workers: one per core; each has its own database (tests/conftest.py).
TEST_WORKERS ?= auto

# Translations: each catalogue translations/<locale>/LC_MESSAGES/messages.po is compiled to
# the .mo file Flask-Babel reads. The .mo files are built here, never committed; with no
# catalogue at all there is simply nothing to compile.
CATALOGUES := $(wildcard translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGUES:.po=.mo)

.PHONY: run test install install-dev db seed messages compile clean css

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

# The real OpenID provider the single sign-on tests run (Node.js): installed from its lock
# file, again only when the lock file changes.
OIDC_PROVIDER := tests/oidc/node_modules/.installed

$(OIDC_PROVIDER): tests/oidc/package-lock.json
	npm ci --prefix tests/oidc --no-audit --no-fund --loglevel=error
	touch $@

# Bootstrap's CSS purged to the classes the templates, the Python code and the scripts use,
# and its collapse and dropdown scripts bundled, both minified into static/vendor/ from the
# npm packages of assets/package-lock.json. The result is committed: `make run` needs no
# Node. Run after adding a Bootstrap class (or a component, in assets/src/bootstrap.js).
ASSETS_MODULES := assets/node_modules/.installed

$(ASSETS_MODULES): assets/package-lock.json
	npm ci --prefix assets --no-audit --no-fund --loglevel=error
	touch $@

css: $(ASSETS_MODULES)
	node assets/build.mjs

translations/%/LC_MESSAGES/messages.mo: translations/%/LC_MESSAGES/messages.po | $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -i $< -o $@

compile: $(COMPILED)

db: install $(COMPILED)
	$(FLASK) db upgrade

seed: db
	$(FLASK) seed-demo

run: seed $(COMPILED)
	$(FLASK) run --host $(HOST) --port $(PORT)

test: install-dev $(COMPILED) $(OIDC_PROVIDER)
	$(BIN)/python -m pytest --numprocesses $(TEST_WORKERS) $(PYTEST_ARGS)

# Extract every marked string into messages.pot (the same keywords tests/core/
# test_translations.py uses), then merge it into each catalogue for the translators.
messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --add-comments=TRANSLATORS: \
		-o messages.pot .
	$(if $(CATALOGUES),$(BIN)/pybabel update --ignore-obsolete --width 100 -i messages.pot -d translations)

clean:
	rm -rf $(VENV) .pytest_cache
