# StrokeScope: two commands on a fresh machine (Python >= 3.11 and make): `make demo`, `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP_RUN := $(VENV)/.installed-run
STAMP_TEST := $(VENV)/.installed-test
DEMO_DIR ?= cache/demo
# `make train` trains the current recipe (0.6.0) from seed 0 on phantoms with fixed iteration
# counts, resuming from cache/train/checkpoints after an interruption. The shipped models
# (README, "Thrombus") say which recipe and commit wrote them; DATA=path retrains
# on a site's own NCCT+CTA data (imagesTr/CASE_0000.nii.gz NCCT, CASE_0001 CTA, labelsTr/CASE).
TRAIN_CASES ?= 100
COARSE_ITERATIONS ?= 4000
FINE_ITERATIONS ?= 3000
DATA ?=

.PHONY: lock demo test lint bench install clean screenshots train bundle bundle-test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Installs take the exact, hashed versions of requirements/*.lock (`make lock` refreshes them);
# StrokeScope itself goes in editable, without dependency resolution or build isolation.
LOCK_RUN := requirements/run.lock
LOCK_TEST := requirements/test.lock
INSTALL_SELF := $(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .

$(STAMP_RUN): pyproject.toml $(LOCK_RUN) | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK_RUN)
	$(INSTALL_SELF)
	touch $@

$(STAMP_TEST): pyproject.toml $(LOCK_TEST) | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK_TEST)
	$(INSTALL_SELF)
	touch $@ $(STAMP_RUN)

# Re-resolve the newest versions pyproject.toml allows into the two lock files (hashed).
LOCK_TOOL := cache/lock-venv
PIP_COMPILE := $(LOCK_TOOL)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	--no-emit-index-url --no-emit-find-links --upgrade

lock:
	$(PYTHON) -m venv $(LOCK_TOOL)
	$(LOCK_TOOL)/bin/python -m pip install --quiet pip-tools==7.6.2
	$(PIP_COMPILE) --extra gui --output-file $(LOCK_RUN) pyproject.toml requirements/build.in
	$(PIP_COMPILE) --extra test --output-file $(LOCK_TEST) pyproject.toml requirements/build.in
	sed -i '/^strokescope @ /d' $(LOCK_RUN) $(LOCK_TEST)

install: $(STAMP_RUN)

demo: $(STAMP_RUN)
	$(BIN)/strokescope demo --cache $(DEMO_DIR)

test: $(STAMP_TEST)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q

lint: $(STAMP_TEST)
	$(BIN)/ruff check --no-cache app tests benchmarks training installer
	$(BIN)/ruff format --no-cache --check app tests benchmarks training installer
	$(BIN)/mypy

bench: $(STAMP_TEST)
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

train: $(STAMP_TEST)
	$(BIN)/python -m training.train --out models_onnx --seed 0 --cases $(TRAIN_CASES) \
		--coarse-iterations $(COARSE_ITERATIONS) --fine-iterations $(FINE_ITERATIONS) \
		--cache cache/train $(if $(DATA),--data $(DATA))

screenshots: $(STAMP_RUN)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m strokescope.gui.screenshots screenshots

# Offline one-folder bundle dist/StrokeScope/ (installer/, README "Offline bundle"); the
# smoke test runs it with no Python and no network. BUNDLE_MAX_MB guards the measured size.
STAMP_BUNDLE := $(VENV)/.installed-bundle
BUNDLE_MAX_MB ?= 450

$(STAMP_BUNDLE): pyproject.toml $(STAMP_RUN)
	$(BIN)/python -m pip install --quiet -e ".[bundle]"
	touch $@

bundle: $(STAMP_BUNDLE)
	rm -rf dist/StrokeScope
	$(BIN)/pyinstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller \
		installer/strokescope.spec
	@du -sh dist/StrokeScope

bundle-test: bundle
	$(BIN)/python installer/smoke_test.py --bundle dist/StrokeScope --max-mb $(BUNDLE_MAX_MB)

clean:
	rm -rf $(VENV) cache build dist
