# okr: `make demo` (the main job) and `make test` (every suite, with its set-up).
# Set-up steps are idempotent and cached, so a second `make test` is fast.

CARGO ?= cargo
PYTHON ?= python3
SAMPLE ?= examples/acme.json
AS_OF ?= 2026-02-15
# The Python test environment lives outside the clone, keyed by its requirements, so that a
# second `make test` (or a fresh clone on the same machine) reuses it.
VENV ?= $(HOME)/.cache/okr/venv-$(shell sha1sum okr-py/requirements-dev.txt | cut -c1-12)
VPY = $(VENV)/bin/python

.PHONY: demo test test-rust test-python python-dev lint bench bench-build sample score

## Score the bundled sample organisation and print the alignment tree with explanations.
demo:
	$(CARGO) run --quiet --release -p okr-core --example demo -- $(SAMPLE) $(AS_OF)

## Print the JSON score report of a plan: make score PLAN=path AS_OF=YYYY-MM-DD
score:
	$(CARGO) run --quiet --release -p okr-core --example score -- $(or $(PLAN),$(SAMPLE)) --as-of $(AS_OF)

## Every suite.
test: lint test-rust test-python bench-build

test-rust:
	$(CARGO) test --workspace --all-targets
	$(CARGO) test --workspace --doc
	# The score example: JSON on success, a message and a non-zero exit on bad input.
	$(CARGO) run --quiet --release -p okr-core --example score -- $(SAMPLE) --as-of $(AS_OF) > /dev/null
	! $(CARGO) run --quiet --release -p okr-core --example score -- Cargo.toml --as-of $(AS_OF) 2> /dev/null

$(VENV)/.ready: okr-py/requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r okr-py/requirements-dev.txt
	touch $@

## Build the extension into the test environment (editable: python/okr plus _okr.abi3.so).
python-dev: $(VENV)/.ready
	VIRTUAL_ENV=$(VENV) PATH=$(VENV)/bin:$$PATH maturin develop --release --quiet -m okr-py/Cargo.toml

test-python: python-dev
	$(VPY) -m pytest okr-py/tests -q -p no:cacheprovider
	$(VPY) -m mypy.stubtest okr --mypy-config-file okr-py/mypy.ini

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --quiet -- -D warnings

## Benchmarks always compile in `make test`; `make bench` runs them.
bench-build:
	$(CARGO) bench --workspace --no-run --quiet

bench:
	$(CARGO) bench -p okr-benches

## Regenerate examples/acme.json from its generator.
sample:
	python3 examples/make_sample.py
