# dingmi: the two commands of the quick start are `make run` and `make test`.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
HOST    ?= 127.0.0.1
PORT    ?= 8501

.PHONY: run install model test lint format bench clean screenshots

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

lint: $(STAMP)
	$(BIN)/ruff check classifier app.py app_pages tests bench docs

test: lint
	$(BIN)/python -m pytest -q

bench: model
	taskset -c 0 $(BIN)/python bench/run.py
	taskset -c 0 $(BIN)/python bench/retrain.py

screenshots: model
	$(BIN)/python docs/make_screenshots.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
