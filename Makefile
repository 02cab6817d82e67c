# dingmi: the two commands of the quick start are `make run` and `make test`.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
HOST    ?= 127.0.0.1
PORT    ?= 8501

.PHONY: run install model test lint format bench clean screenshots bundle install-offline

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

## model: train the default model once (kept under var/ or $$DINGMI_HOME)
model: $(STAMP)
	@$(BIN)/python -c "from classifier.config import Settings; from classifier.engine.model import latest_model_dir; latest_model_dir(Settings.from_env().models_dir)" 2>/dev/null \
	  || $(BIN)/dingmi train

## run: install, train if needed, suggest on the bundled examples, then start the app
run: model
	$(BIN)/dingmi suggest examples/ || true
	$(BIN)/streamlit run app.py --server.address $(HOST) --server.port $(PORT) --server.headless true

## lint: ruff over every Python file, mypy over classifier/ (cached), the import-linter contracts
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

## test: lint, then the tests on both cores of a two-core machine (pytest-xdist; one test file
## stays on one worker, so a file's module fixtures are built once)
test: lint
	$(BIN)/python -m pytest -q -n 2 --dist loadfile

bench: model
	taskset -c 0 $(BIN)/python bench/run.py
	taskset -c 0 $(BIN)/python bench/retrain.py
	taskset -c 0 $(BIN)/python bench/oversight.py

screenshots: model
	$(BIN)/python docs/make_screenshots.py

## bundle: one archive for offices with no internet (dist/dingmi-bundle-*.tar): every Python
## wheel, the default model, the Debian packages of the optional parts, install.sh. Needs the
## network. BUNDLE_FLAGS=--no-debs leaves the Debian packages out.
bundle: model
	PY=$(BIN)/python packaging/bundle.sh $(BUNDLE_FLAGS) dist

## install-offline: install here from a bundle, with no network: make install-offline BUNDLE=dist/….tar
## (as root it also installs the CJK font and LibreOffice; INSTALL_FLAGS=--no-debs skips them)
install-offline:
	@test -n "$(BUNDLE)" || { echo "用法：make install-offline BUNDLE=dist/dingmi-bundle-….tar" >&2; exit 2; }
	mkdir -p dist/offline
	tar -xf "$(BUNDLE)" -C dist/offline
	dist/offline/$$(tar -tf "$(BUNDLE)" | head -1 | cut -d/ -f1)/install.sh --target "$(CURDIR)" --python $(PY) $(INSTALL_FLAGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .import_linter_cache
