# reportgen: `make report YEAR=2009` and `make test` work on a fresh clone (see README).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
YEAR   ?= 2009
LANGS  ?= en
STAMP  := $(VENV)/.installed
# playwright-core and axe-core for the browser checks (tests/test_browser.py), at the versions
# pinned in tests/browser/package-lock.json; reinstalled whenever the lock file changes.
BROWSER_STAMP := tests/browser/node_modules/.installed

.PHONY: setup report validate test snapshot samples proof bench clean templates

$(STAMP): requirements.txt pyproject.toml setup.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

setup: $(STAMP)

report: $(STAMP)
	$(BIN)/reportgen build --year $(YEAR) --lang $(LANGS)

validate: $(STAMP)
	$(BIN)/reportgen validate --year $(YEAR)

$(BROWSER_STAMP): tests/browser/package.json tests/browser/package-lock.json
	@if command -v npm >/dev/null; then \
	  npm ci --prefix tests/browser --no-audit --no-fund && touch $@; \
	else \
	  echo "npm is not installed: the browser checks will fail (apt-get install nodejs npm)" >&2; \
	fi

test: $(STAMP) $(BROWSER_STAMP)
	$(BIN)/python -m pytest

# After reviewing the diff that tests/test_snapshot.py shows: take the document's new text as
# the reviewed copy (tests/snapshots/report-2009.txt).
snapshot: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/test_snapshot.py --update-snapshot

templates: $(STAMP)
	for b in BR TSB BDT GS; do $(BIN)/reportgen template --year $(YEAR) --bureau $$b --out outputs/$(YEAR)/templates/$${b}_$(YEAR).xlsx --force || exit 1; done

samples: $(STAMP)
	$(BIN)/python scripts/make_samples.py --out inputs

proof: report
	rm -rf outputs/$(YEAR)/proof && mkdir -p outputs/$(YEAR)/proof
	for pdf in outputs/$(YEAR)/report-$(YEAR)*.pdf; do \
	  name=$$(basename $$pdf .pdf); pdftoppm -png -r 60 $$pdf outputs/$(YEAR)/proof/$$name-page; done

# Benchmarks (docs/performance.md): writes bench/results/results.{json,md}; the synthetic
# workbooks are generated once into bench/.data/. BENCH_ARGS=--quick for a short smoke run.
bench: $(STAMP)
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# Keeps approvals.json and the distribution ledger: they are what stops a report being sent twice.
clean:
	rm -rf $(VENV)
	find outputs -mindepth 2 -maxdepth 2 \( -name 'report-*' -o -name 'data-*' -o -name manifest.json -o -name proof -o -name templates \) -exec rm -rf {} +
