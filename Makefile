# Two entry points for a newcomer: `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: setup demo test check lab-deps go-check

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	# bytecode, as a regular pip install leaves it (even under PYTHONDONTWRITEBYTECODE): 0.07 s less per run
	$(BIN)/python -m compileall -q src >/dev/null
	touch $@

# Lint the bundled leak lab: findings are the point, so exit status 1 is success here.
demo: setup
	$(BIN)/ctxguard lint --select ALL lab/ || [ $$? -eq 1 ]  # every rule: opt-in ones are traps too

lab-deps:
	cd lab && go mod download

# ctxguard's Go companion module (go/): gofmt, vet, and its tests under the race detector
go-check:
	@cd go && out="$$(gofmt -l .)" && [ -z "$$out" ] || { echo "gofmt needed:"; echo "$$out"; exit 1; }
	cd go && go vet ./... && go test -race -count=1 ./...

check: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

# The load-sensitive tests (marked serial: the lab's verdicts under steady load) run alone,
# after the rest: beside other tests on two cores they starve, and a starved service is not
# the steady one they judge.
test: setup lab-deps check go-check
	$(BIN)/python -m pytest -n 2 --dist loadgroup -p no:cacheprovider -m 'not bench and not serial'
	$(BIN)/python -m pytest -p no:cacheprovider -m serial
