# Codewise: `make run` to try it, `make test` to check it. Everything else is optional.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
# Another port or address: make run PORT=8102 (HOST=0.0.0.0 to serve other machines on the network).
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install migrate demo serve worker beat bench e2e ci check-deploy lint clean

$(STAMP): pyproject.toml requirements.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || { echo "Could not create a virtualenv. On Debian/Ubuntu: apt-get install python3-venv"; exit 1; }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	@touch $(STAMP)

install: $(STAMP)

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo --url http://$(HOST):$(PORT)/

run: demo
	@echo "Serving on http://$(HOST):$(PORT)/  (Ctrl-C to stop)"
	$(PY) manage.py runserver $(HOST):$(PORT)

test: install
	$(PY) -m pytest -n auto --dist loadgroup $(PYTEST_ARGS); status=$$?; \
	  if [ $$status -eq 5 ]; then echo "ERROR: pytest collected no tests"; exit 1; fi; exit $$status

e2e: install
	$(PY) -m pytest -m browser $(PYTEST_ARGS)

worker: install
	$(BIN)/celery -A coding_lms worker --loglevel=INFO --concurrency=2

beat: install
	$(BIN)/celery -A coding_lms beat --loglevel=INFO --schedule=var/celerybeat-schedule

bench: install
	$(PY) bench/run_all.py

check-deploy: install
	DJANGO_ENV=production SECRET_KEY=check-deploy-$$(date +%s)-only-for-the-check-xxxxxxxxxxxxxxxxxxxxxxxx ALLOWED_HOSTS=lms.example.org \
	  $(PY) manage.py check --deploy --fail-level WARNING

ci:
	bash .ci/run

clean:
	rm -rf $(VENV) var
