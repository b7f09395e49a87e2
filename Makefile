# newscorpus — `make demo` then `make test` on a fresh machine (Python >= 3.11).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench clean install

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@# bytecode up front: with PYTHONDONTWRITEBYTECODE set, every command would recompile the sources
	$(BIN)/python -m compileall -q scraper pipelines demo > /dev/null
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/newscorpus demo --db corpus.db --out report.html

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python benchmarks/extract.py
	$(BIN)/python benchmarks/dedup.py --realistic 10000
	$(BIN)/python benchmarks/ingest.py --n 500
	$(BIN)/python benchmarks/search.py --n 100000
	$(BIN)/python benchmarks/crawl.py
	$(BIN)/python benchmarks/backfill.py --n 5000

# The corpus in a browser with the canned queries of metadata.json (filed under the database name "corpus").
.PHONY: browse
browse: $(STAMP)
	@$(BIN)/python -c "import datasette" 2>/dev/null || $(BIN)/python -m pip install --quiet -e '.[browse]'
	@test -f corpus.db || { echo "no corpus.db here: run make demo (or newscorpus crawl / import) first"; exit 2; }
	@echo "Browse the corpus at http://127.0.0.1:8001/corpus (canned queries listed there); Ctrl-C to stop"
	$(BIN)/datasette corpus.db -m metadata.json -h 127.0.0.1 -p 8001 --setting sql_time_limit_ms 5000

clean:
	rm -rf $(VENV) corpus.db corpus.db-wal corpus.db-shm corpus.db.lock report.html archive
