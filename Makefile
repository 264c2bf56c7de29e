# okr: `make demo` (the main job) and `make test` (every suite, with its set-up).
# Set-up steps are idempotent and cached, so a second `make test` is fast.

CARGO ?= cargo
SAMPLE ?= examples/acme.json
AS_OF ?= 2026-02-15

.PHONY: demo test test-rust lint bench bench-build sample score

## Score the bundled sample organisation and print the alignment tree with explanations.
demo:
	$(CARGO) run --quiet --release -p okr-core --example demo -- $(SAMPLE) $(AS_OF)

## Print the JSON score report of a plan: make score PLAN=path AS_OF=YYYY-MM-DD
score:
	$(CARGO) run --quiet --release -p okr-core --example score -- $(or $(PLAN),$(SAMPLE)) --as-of $(AS_OF)

## Every suite.
test: lint test-rust bench-build

test-rust:
	$(CARGO) test --workspace --all-targets
	$(CARGO) test --workspace --doc
	# The score example: JSON on success, a message and a non-zero exit on bad input.
	$(CARGO) run --quiet --release -p okr-core --example score -- $(SAMPLE) --as-of $(AS_OF) > /dev/null
	! $(CARGO) run --quiet --release -p okr-core --example score -- Cargo.toml --as-of $(AS_OF) 2> /dev/null

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
