# Thin wrappers over ./dev (which creates .venv on first use).
.PHONY: demo test check lint bench
demo: ; ./dev demo
test: ; ./dev test
check: test
lint: ; ./dev lint
bench: ; ./dev bench
