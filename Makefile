# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
LANGS := de en ar ru fa fr ps ur ka ckb ku tr

.PHONY: install run chat test lint browser bench locales compile-locales clean

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Lotse needs Python 3.11 or newer"'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) compile-locales

# Compile the chrome catalogs (.po → .mo); .mo files are never committed.
compile-locales: $(STAMP)
	$(BIN)/pybabel compile --domain messages --directory locales --statistics 2>&1 | grep -v '^$$' || true

run: install
	$(BIN)/lotse run

chat: install
	$(BIN)/lotse chat

test: install lint browser
	$(BIN)/pytest

# Debian's Chromium for the inbox's browser test (Playwright drives it; never its own download).
browser:
	@test -x /usr/bin/chromium || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq --no-install-recommends chromium; \
		else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq --no-install-recommends chromium; fi; }

lint: install
	$(BIN)/ruff check bot tests bench
	$(BIN)/mypy
	$(BIN)/hadolint Dockerfile
	$(BIN)/lotse flows check

bench: install
	$(PY) bench/run.py
	$(PY) bench/telegram_bench.py
	$(PY) bench/outbox_bench.py

# For developers who add chrome strings: extract them and update every catalog.
locales: $(STAMP)
	$(BIN)/pybabel extract --mapping babel.cfg --keywords N_ --no-location --sort-output \
		--project Lotse --copyright-holder "Lotse contributors" --output locales/messages.pot bot
	for lang in $(LANGS); do \
		if [ -f locales/$$lang/LC_MESSAGES/messages.po ]; then \
			$(BIN)/pybabel update --domain messages --input-file locales/messages.pot \
				--output-dir locales --locale $$lang --no-wrap --ignore-obsolete; \
		else \
			$(BIN)/pybabel init --domain messages --input-file locales/messages.pot \
				--output-dir locales --locale $$lang --no-wrap; \
		fi; \
	done

clean:
	rm -rf $(VENV) build dist *.egg-info test-artifacts
