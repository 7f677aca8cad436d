# Agora: `make run` serves the demo, `make test` runs the whole suite.
# Both create the virtual environment and install what is missing first.

VENV   := .venv
PY     := $(VENV)/bin/python
HOST   ?= 127.0.0.1
PORT   ?= 8000
# Sessions and static files as in production, but plain HTTP on this machine, and mail
# printed in the server's output and kept in sent-mail/ (unless EMAIL_URL says otherwise).
RUN_ENV = DJANGO_DEBUG=0 DJANGO_HTTPS=0 DJANGO_SECRET_KEY="$$(cat .local-secret-key)" \
	EMAIL_URL="$${EMAIL_URL:-outbox:sent-mail}"

.PHONY: run test install demo lint bench live-diff clean messages

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@test -x $(PY) || { python=$$(scripts/find-python) && echo "Creating $(VENV) with $$python" && "$$python" -m venv $(VENV); }
	@$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

install: $(VENV)/.installed

.local-secret-key:
	@$(PY) -c 'import secrets; print(secrets.token_urlsafe(50))' > $@

demo: install .local-secret-key
	@$(RUN_ENV) $(PY) manage.py migrate --noinput -v0
	@$(RUN_ENV) $(PY) manage.py collectstatic --noinput -v0
	@$(RUN_ENV) $(PY) manage.py seed_demo

# gunicorn and the task worker (notifications' mail, reminders, digests) side by side:
# scripts/serve stops both with Ctrl-C.
run: demo
	@echo "Serving Agora on http://$(HOST):$(PORT) with its task worker  (Ctrl-C stops both)"
	@$(RUN_ENV) AGORA_SITE_URL="$${AGORA_SITE_URL:-http://$(HOST):$(PORT)}" exec scripts/serve $(VENV) $(HOST) $(PORT)

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

# Load test on this machine (bench/README.md); `make bench BENCH_ARGS=--quick` for a short run.
bench: install
	$(PY) bench/run.py $(BENCH_ARGS)

# The live-equals-reload differential test, long: `make live-diff SEEDS=3 STEPS=200`
# (seeds 1..SEEDS), or `make live-diff SEED=1234 STEPS=200` for one seed. tests/live_diff.py.
SEEDS ?= 3
STEPS ?= 200
live-diff: install
	AGORA_LIVE_DIFF_SEEDS=$(SEEDS) AGORA_LIVE_DIFF_STEPS=$(STEPS) $(if $(SEED),AGORA_LIVE_DIFF_SEED=$(SEED)) \
		$(PY) -m pytest tests/browser/test_live_equals_reload.py -s $(PYTEST_ARGS)

# The translation catalogs up to date with the code, then compiled (the .mo files are committed,
# so running Agora needs no gettext): docs/translations.md.
messages: install
	scripts/messages $(PY)
	$(PY) manage.py compilemessages --ignore=.venv --ignore=staticfiles -v0

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
