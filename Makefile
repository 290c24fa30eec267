# Conveniences over the two scripts the README names.
.PHONY: run test screenshots lint

run:
	scripts/run

test:
	scripts/test

screenshots:
	scripts/screenshots

lint:
	.venv/bin/ruff check fieldwork tests
