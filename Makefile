# rnn-from-scratch: `make lab` to learn, `make test` to check everything.
# Both create .venv (if missing) with the pinned dependencies of pyproject.toml.

SHELL  := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
# `make setup` installs the extras dev (tests, JupyterLab) and course (nbgrader, for
# `make course` and its round-trip test). The stamp is named after them, so a venv set up
# with other extras is set up again, as after a change of pyproject.toml: change both together.
STAMP  := $(VENV)/.installed-dev+course

NBVAL := $(BIN)/python -m pytest --nbval --nbval-current-env \
         --nbval-sanitize-with tests/nbval_sanitize.cfg -p no:cacheprovider

.PHONY: setup lab test lint pytest nbval nbval-foreign browser notebooks student course html links clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python >= 3.11 is needed, found " + sys.version.split()[0]'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@# (this machine's pip config names local mirrors that may not exist: drop that noise)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,course]' 2>&1 \
		| grep -v "is ignored: it is neither a file nor a directory"; test $${PIPESTATUS[0]} -eq 0
	@touch $(STAMP)

# Loopback only; prints the URL with its token and opens $$BROWSER (if set) or the default one.
# nbgrader (the course extra) adds JupyterLab extensions a learner has no use for (an Nbgrader
# menu, a Validate button, the formgrader): tools/learner-jupyter/ turns them off here and in
# the browser tests, so `make lab` looks like Binder. `.venv/bin/jupyter lab` keeps them.
LAB_ARGS ?=
LEARNER_CONFIG := JUPYTER_CONFIG_PATH=$(CURDIR)/tools/learner-jupyter$${JUPYTER_CONFIG_PATH:+:$$JUPYTER_CONFIG_PATH}
lab: $(STAMP)
	$(LEARNER_CONFIG) $(BIN)/jupyter lab --ip=127.0.0.1 --ServerApp.root_dir=notebooks \
		$(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

test: lint pytest nbval nbval-foreign browser

lint: $(STAMP)
	$(BIN)/ruff check .

pytest: $(STAMP)
	$(BIN)/python -m pytest --ignore=tests/browser

nbval: $(STAMP)
	@if ls notebooks/*.ipynb >/dev/null 2>&1; then \
		$(NBVAL) notebooks/; \
	else \
		echo "nbval: no notebooks in notebooks/ yet, nothing to check"; \
	fi

# Strict nbval once more as another x86-64 CPU would compute: OpenBLAS's Sandybridge kernel and
# NumPy without its AVX2/AVX-512 loops (tools/foreign_cpu.py). The stored outputs must not depend
# on the last bits of this machine's arithmetic. FOREIGN_ARGS="--coretype Haswell" tries another.
FOREIGN_ARGS ?=
nbval-foreign: $(STAMP)
	@if ls notebooks/*.ipynb >/dev/null 2>&1; then \
		$(BIN)/python tools/foreign_cpu.py $(FOREIGN_ARGS) -- $(NBVAL) notebooks/; \
	else \
		echo "nbval: no notebooks in notebooks/ yet, nothing to check"; \
	fi

# The widgets in a real browser: JupyterLab and Notebook 7 in Chromium (/usr/bin/chromium or
# $$CHROMIUM), driven by Playwright. Without Chromium they are skipped, and the summary says so
# and how to enable them; RNN_REQUIRE_BROWSER_TESTS=1 (as in .ci/run) makes that a failure.
# Screenshots: build/screenshots/.
browser: $(STAMP)
	$(BIN)/python -m pytest tests/browser

# Execute every notebook in a fresh kernel and store its outputs (before committing them).
notebooks: $(STAMP)
	$(BIN)/python tools/execute_notebooks.py

# A copy of the notebooks without the exercises' solutions, for a class: build/student/.
student: $(STAMP)
	$(BIN)/python tools/student_version.py

# The same notebooks as an nbgrader course (solution, locked and autograded test cells):
# build/course/. README.md, "For teachers", gives the nbgrader commands that follow.
course: $(STAMP)
	$(BIN)/python tools/course.py

# Every badge, clone command and Colab setup cell from pyproject.toml's Repository and
# rnn_helpers.__version__ (README.md, the notebooks' first cells); tests/test_links.py checks it.
links: $(STAMP)
	$(BIN)/python tools/links.py

# The notebooks as static web pages, outputs as stored (not re-executed): build/html/index.html.
html: $(STAMP)
	$(BIN)/python tools/build_html.py

clean:
	rm -rf $(VENV) build .pytest_cache .ruff_cache .hypothesis
