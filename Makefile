# The two commands: `make run` serves the playground, `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export REDIS_URL ?= redis://127.0.0.1:6379/0

.PHONY: run test setup system system-browser python-deps assets migrate content lint unit bench clean

run: setup
	$(BIN)/python scripts/stack.py serve --port $(PORT)

test: system-browser setup lint
	$(BIN)/python -m pytest

setup: system python-deps assets migrate content datasets

system:
	@scripts/system-packages.sh

system-browser:
	@scripts/system-packages.sh --browser

python-deps: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c requirements.lock -e '.[web,cpu,dev]'
	touch $@

static/node_modules/.installed: static/package.json static/package-lock.json
	cd static && npm ci --no-audit --no-fund --loglevel=error
	touch $@

assets: static/node_modules/.installed
	$(BIN)/python scripts/build_assets.py

migrate: python-deps
	$(BIN)/python manage.py migrate --verbosity 0
	$(BIN)/python manage.py compilemessages --verbosity 0 --ignore '.venv' --ignore 'static'

content: migrate
	$(BIN)/python manage.py load_content

datasets: python-deps
	@$(BIN)/python -m trainer datasets list >/dev/null || $(BIN)/python -m trainer datasets pull

lint: python-deps
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: setup
	$(BIN)/python bench/run_path.py

clean:
	rm -rf $(VENV) static/node_modules static/dist db.sqlite3
