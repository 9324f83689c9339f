# The two commands of the README, and the chores around them.
.PHONY: ask test lint bench clean

Q ?= How do I find the front door to the NHS?

ask:  ## set up, build the index on first use, answer $(Q)
	@scripts/setup
	@.venv/bin/partnerbot ask "$(Q)"

test:  ## set up (with test tools and system packages) and run every test
	@scripts/setup dev
	@scripts/system-deps
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/hadolint Dockerfile
	.venv/bin/mypy
	.venv/bin/pytest

lint:
	@scripts/setup dev
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/hadolint Dockerfile

bench:
	@scripts/setup dev
	.venv/bin/python bench/run.py

clean:
	rm -rf .venv data
