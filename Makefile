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

# wasm-bindgen-cli must match the wasm-bindgen crate in Cargo.lock exactly.
WASM_BINDGEN_VERSION = $(shell sed -n '/^name = "wasm-bindgen"$$/{n;s/version = "\(.*\)"/\1/p}' Cargo.lock)
WASM_FILE = target/wasm32-unknown-unknown/wasm/okr_wasm.wasm

# Fuzzing is not part of `make test`: see `make fuzz`.
.PHONY: fuzz demo test test-rust test-python test-install test-wasm python-dev wasm wasm-tools browser-tools lint bench bench-build sample score

## Score the bundled sample organisation and print the alignment tree with explanations.
demo:
	$(CARGO) run --quiet --release -p okr-core --example demo -- $(SAMPLE) $(AS_OF)

## Print the JSON score report of a plan: make score PLAN=path AS_OF=YYYY-MM-DD
score:
	$(CARGO) run --quiet --release -p okr-core --example score -- $(or $(PLAN),$(SAMPLE)) --as-of $(AS_OF)

## Every suite.
test: lint test-rust test-python test-install test-wasm bench-build

test-rust:
	$(CARGO) test --workspace --lib --tests --examples
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

## The newcomer's path: `pip install ./okr-py` into a clean environment (kept between runs, so
## only okr is rebuilt), then the README's three-line quick start against that install.
INSTALL_VENV ?= $(HOME)/.cache/okr/venv-install
test-install:
	test -x $(INSTALL_VENV)/bin/python || $(PYTHON) -m venv $(INSTALL_VENV)
	$(INSTALL_VENV)/bin/pip install --quiet ./okr-py
	$(INSTALL_VENV)/bin/python okr-py/tests/installed_quickstart.py

## WebAssembly: the Node package (okr-wasm/pkg) and the browser demo (okr-wasm/www).
wasm-tools:
	rustup target add wasm32-unknown-unknown
	@if [ "$$(wasm-bindgen --version 2>/dev/null | cut -d' ' -f2)" != "$(WASM_BINDGEN_VERSION)" ]; then \
	  cargo install --locked wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION) \
	  || cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION); fi

wasm: wasm-tools okr-wasm/node_modules/.package-lock.json
	$(CARGO) build --profile wasm --target wasm32-unknown-unknown -p okr-wasm
	# Inline JS snippets land in a directory named by hash: drop the previous build's.
	rm -rf okr-wasm/pkg/snippets okr-wasm/www/pkg/snippets
	wasm-bindgen --target nodejs --out-dir okr-wasm/pkg $(WASM_FILE)
	wasm-bindgen --target web --out-dir okr-wasm/www/pkg $(WASM_FILE)
	# binaryen from npm (Debian's is too old for reference types).
	for f in okr-wasm/pkg/okr_wasm_bg.wasm okr-wasm/www/pkg/okr_wasm_bg.wasm; do \
	  okr-wasm/node_modules/.bin/wasm-opt -Oz --detect-features $$f -o $$f; done
	cp okr-wasm/npm/package.json okr-wasm/pkg/package.json
	cp examples/acme.json okr-wasm/www/acme.json
	@ls -l okr-wasm/pkg/okr_wasm_bg.wasm | awk '{print "okr_wasm_bg.wasm:", $$5, "bytes"}'

## Debian's Chromium for the browser test (installed once per machine).
browser-tools:
	@if ! command -v chromium >/dev/null; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; fi

okr-wasm/node_modules/.package-lock.json: okr-wasm/package.json
	cd okr-wasm && npm install --no-audit --no-fund --loglevel=error

NPM_INSTALL_DIR ?= $(HOME)/.cache/okr/npm-install
test-wasm: browser-tools wasm
	CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
	  $(CARGO) test --target wasm32-unknown-unknown -p okr-wasm
	node --test okr-wasm/tests/
	cd okr-wasm && npx --no-install tsc -p tsconfig.json
	# The package as npm would publish it (its `files`), installed from the tarball.
	rm -rf $(NPM_INSTALL_DIR) && mkdir -p $(NPM_INSTALL_DIR)
	cd okr-wasm/pkg && npm pack --silent --pack-destination $(NPM_INSTALL_DIR) > /dev/null
	cd $(NPM_INSTALL_DIR) && npm install --silent --no-audit --no-fund --offline ./okr-wasm-*.tgz
	node okr-wasm/tests/installed.cjs $(NPM_INSTALL_DIR)

## okr.spark on a local Spark session (pyspark and Java needed; not part of `make test`, whose CI
## budget it would eat: Spark's start-up alone is most of a minute).
test-spark: python-dev
	@command -v java >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless >/dev/null)
	$(VENV)/bin/pip install --quiet "pyspark>=3.5"
	OKR_SPARK=1 $(VPY) -m pytest okr-py/tests/test_spark.py -q -p no:cacheprovider

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --quiet -- -D warnings
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --quiet --no-deps -p okr-core
	# Private items too (their links), into a directory of their own.
	RUSTDOCFLAGS="-D warnings" CARGO_TARGET_DIR=target/doc-private $(CARGO) doc --quiet --no-deps -p okr-core --document-private-items
	# The fuzz targets live in their own workspace and run on nightly (`make fuzz`); checking
	# them here keeps them compiling as the core's API moves.
	CARGO_TARGET_DIR=target/fuzz-check RUSTFLAGS="-D warnings" $(CARGO) check --quiet --manifest-path fuzz/Cargo.toml --all-targets

## Benchmarks always compile in `make test`; `make bench` runs them.
bench-build:
	$(CARGO) bench --workspace --no-run --quiet

## Criterion benches, then the peer comparison against the Python tools (set-up included).
bench: python-dev wasm
	$(CARGO) bench -p okr-benches
	$(VPY) benches/peers/peers.py

## Fuzz every target for FUZZ_SECONDS each (cargo-fuzz on the nightly toolchain); the corpus is
## seeded from the golden vectors. Not part of `make test`.
FUZZ_SECONDS ?= 600
FUZZ_TARGETS ?= plan_json columns calibration
fuzz:
	@command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz
	mkdir -p fuzz/corpus/plan_json
	for f in tests/golden/*.json; do \
	  python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(json.dumps(d['plan'])) if isinstance(d, dict) else None" $$f \
	    > fuzz/corpus/plan_json/seed-$$(basename $$f); done
	cp examples/acme.json fuzz/corpus/plan_json/seed-acme.json
	# Past crashes first (fuzz/regressions), then fresh fuzzing.
	cd fuzz && for t in $(FUZZ_TARGETS); do \
	  mkdir -p corpus/$$t && cargo +nightly fuzz run $$t regressions -- -runs=0 && \
	  cargo +nightly fuzz run $$t corpus/$$t -- -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 || exit 1; done

## The charts of the sample organisation as PNG (docs/pictures), through headless Chromium.
CHROMIUM_FLAGS = --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync --hide-scrollbars
pictures: browser-tools
	$(CARGO) run --quiet --release -p okr-core --example charts -- target/charts
	for spec in "alignment 700 900" "burnup 660 340" "distribution 800 740" "nine_box 660 640"; do \
	  set -- $$spec; chromium $(CHROMIUM_FLAGS) --user-data-dir=$$(mktemp -d) --window-size=$$2,$$3 \
	    --screenshot=docs/pictures/$$1.png file://$$(pwd)/target/charts/$$1.svg 2>/dev/null; done

## Regenerate examples/acme.json from its generator.
sample:
	python3 examples/make_sample.py
