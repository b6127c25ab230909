# Two commands on a fresh machine: `make demo` and `make test`. Everything else is set up here.
export UV_PYTHON_DOWNLOADS := never
export UV_LINK_MODE := copy
# Compile the dependencies' bytecode once at install: machines that set PYTHONDONTWRITEBYTECODE
# (this one does) otherwise recompile langchain, openai and fastapi on every start, 3 s a process.
export UV_COMPILE_BYTECODE := 1
PYTHON ?= python3
UV := $(PYTHON) -m uv

.PHONY: setup demo test serve eval bench system-deps

setup:
	@$(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv
	@$(UV) sync --frozen --quiet

demo: setup
	$(UV) run warroom demo

test: setup system-deps
	$(UV) run ruff check agents api graphs flows tools warroom bench evals prompts tests
	$(UV) run ruff format --check agents api graphs flows tools warroom bench evals prompts tests
	$(UV) run pytest -q -n auto --dist loadfile

serve: setup
	$(UV) run warroom serve

bench: setup
	$(UV) run python -m bench.ingest

# `make eval LLM=1` also runs the model path (WARROOM_LLM_MODEL, OPENAI_API_KEY, OPENAI_BASE_URL);
# `make eval RECORDED=NAME` runs it with NAME's recorded answers (evals/recorded/) as the model.
eval: setup system-deps
	$(UV) run python -m evals $(if $(LLM),--llm) $(if $(RECORDED),--recorded $(RECORDED))

# Servers the tests run for real (PostgreSQL, Alertmanager, Chromium), installed when missing.
system-deps:
	@bash tests/system-deps.sh
