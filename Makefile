# oqu's one task runner. `make demo` and `make test` set up everything they need first.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Debian packages the project uses: Chromium for browser tests, PostgreSQL for the service
# tests, ffmpeg for media, nginx for the production setup's tests, Redis for the shared
# sign-in counters' tests; Pango and DejaVu for the course PDFs (WeasyPrint), poppler-utils and
# zbar-tools for the paper tests (text and QR codes read back from the PDFs); rsync for `oqu publish`.
APT_PACKAGES := python3-venv python3-pip ffmpeg chromium postgresql nginx-light espeak-ng fonts-dejavu-core redis-server \
	libpango-1.0-0 libpangoft2-1.0-0 poppler-utils zbar-tools rsync openssh-server
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help setup system-packages demo demo-data test lint i18n bench dist clean

help:
	@echo "make demo   build the example courses and serve them on http://$(HOST):$(PORT)"
	@echo "make test   run the whole test suite"
	@echo "make lint   ruff, the import layers and mypy"
	@echo "make i18n   extract the message keys (build/messages.pot) and check the catalogues"
	@echo "make bench  print the build benchmark"
	@echo "make dist   build the wheel into dist/ (what a site repository's CI installs)"

setup: system-packages $(VENV)/.installed

system-packages:
	@missing=""; \
	command -v ffmpeg >/dev/null || missing="$$missing ffmpeg"; \
	command -v espeak-ng >/dev/null || missing="$$missing espeak-ng"; \
	test -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf || missing="$$missing fonts-dejavu-core"; \
	test -x /usr/bin/chromium || missing="$$missing chromium"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	command -v nginx >/dev/null || test -x /usr/sbin/nginx || missing="$$missing nginx-light"; \
	command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	ldconfig -p | grep -q libpangoft2-1.0 || missing="$$missing libpangoft2-1.0-0"; \
	command -v pdftoppm >/dev/null || missing="$$missing poppler-utils"; \
	command -v zbarimg >/dev/null || missing="$$missing zbar-tools"; \
	command -v rsync >/dev/null || missing="$$missing rsync"; \
	$(PYTHON) -m venv --help >/dev/null 2>&1 || missing="$$missing python3-venv"; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
		echo "Installing Debian packages:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(APT_PACKAGES) >/dev/null; \
	else \
		echo "Missing system packages:$$missing"; \
		echo "Install them with: sudo apt-get install $(APT_PACKAGES)"; \
	fi

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

# What `make demo` leaves in the checkout (build/, var/, the demo accounts), without serving.
demo-data: setup
	$(BIN)/oqu build
	$(BIN)/oqu db upgrade
	$(BIN)/oqu users demo
	$(BIN)/oqu consultations publish-declared

demo: demo-data
	@echo "Serving on http://$(HOST):$(PORT)/ with a background-jobs worker  (Ctrl+C to stop)"
	@$(BIN)/oqu worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT; \
	$(BIN)/oqu serve --host $(HOST) --port $(PORT)

# The suite on three pytest-xdist workers on this two-core machine (a third fills the time the
# others wait on servers, browsers and timers; docs/testing.md); `TEST_WORKERS=1 make test`
# runs it in one process, as a plain `pytest` does. Each folder that shares a built site (paper,
# search, media), else each module, goes whole to one worker (tests/conftest.py's scheduler
# for --dist loadscope). Figures and the choice of three: docs/testing.md. pytest exits 5 when it
# collected no tests, with or without workers, which fails the target.
TEST_WORKERS ?= 3
test: setup lint
	$(BIN)/python -m pytest -n $(if $(filter 1,$(TEST_WORKERS)),0,$(TEST_WORKERS)) --dist loadscope --no-loadscope-reorder

# ruff, then the layers (import-linter's contracts in pyproject.toml; see CONTRIBUTING.md), then
# the types (mypy, [tool.mypy] in pyproject.toml: builder, quiz_service and auth, no error).
lint: setup
	$(BIN)/ruff check builder quiz_service auth tests bench
	$(BIN)/lint-imports
	$(BIN)/mypy

# The words: `pybabel extract` writes the keys the code asks for with gettext()/ngettext() into
# build/messages.pot; tests/test_catalogues.py fails on a key missing from a catalogue, a key
# nothing uses, or plural forms that are not CLDR's (CONTRIBUTING.md, "Words").
i18n: setup
	mkdir -p build
	$(BIN)/pybabel -q extract --no-location --omit-header -k gettext -k ngettext:1 -o build/messages.pot quiz_service auth builder
	$(BIN)/python -m pytest -q tests/test_catalogues.py

bench: setup
	$(BIN)/python bench/build.py
	$(BIN)/python bench/paper.py

# The wheel a site repository installs (`pip install oqu-*.whl`, or from the institution's index).
dist: setup
	rm -rf dist
	$(BIN)/python -m pip wheel -q --no-deps -w dist .
	rm -rf build/lib build/bdist.*
	@ls dist/*.whl

clean:
	rm -rf build var dist .pytest_cache
