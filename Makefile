# Two commands do all the set-up on a fresh machine:
#   make demo   — install into .venv, then run the pipeline on the bundled sample feeds
#   make test   — install into .venv (with test tools), then lint and run the tests
# uv installs the dependency set in seconds; pip 23.2 (a new venv's default) would install a
# trafilatura that fails to import, so pip is only used to bring uv in. Bytecode is compiled at
# install time: where PYTHONDONTWRITEBYTECODE is set, every command would otherwise recompile
# SQLAlchemy, aiohttp and trafilatura from source and take seconds longer to start.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench eval clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check uv
	$(VENV)/bin/uv pip install --quiet --compile-bytecode --python $(PY) -e '.[dev,postgres]'
	$(PY) -m compileall -q bot briefings
	touch $(STAMP)

demo: $(STAMP)
	$(PY) -m bot demo

test: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m pytest -q

bench: $(STAMP)
	$(PY) bench/pipeline.py

eval: $(STAMP)
	$(PY) ../shared/eval/run_eval.py --set ../shared/eval/dev
	$(PY) ../shared/eval/run_eval.py --set ../shared/eval/dev2

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
