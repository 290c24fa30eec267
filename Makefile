# Conveniences over the two scripts the README names.
.PHONY: run test bench screenshots lint

run:
	scripts/run

test:
	scripts/test

bench:
	scripts/bench

screenshots:
	scripts/screenshots

lint:
	.venv/bin/ruff check fieldwork tests
