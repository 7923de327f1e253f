# The two commands: `make run` (the product on demo data) and `make test` (every test).
SHELL := /bin/bash
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT_DASHBOARD ?= 8501
PORT_SCREEN ?= 8502
PORT_PORTAL ?= 8503
LIVE_RATE ?= 2
STREAMLIT := $(BIN)/python -m streamlit run --server.headless true --browser.gatherUsageStats false

.PHONY: run test bench venv lock migrate demo-data live-feed clean-data

$(BIN)/.installed: requirements.txt pyproject.toml
	@command -v $(PY) >/dev/null || { echo "need Python 3.11 ($(PY))"; exit 1; }
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.txt
	$(BIN)/pip install -q --no-deps -e .
	touch $@

venv: $(BIN)/.installed

# The explicit first steps: the apps never create or migrate a database themselves.
migrate: venv
	$(BIN)/jcy db upgrade

demo-data: migrate
	$(BIN)/python -m sample_data.build --scale demo --if-empty

run: demo-data
	@echo "Starting: dashboard http://127.0.0.1:$(PORT_DASHBOARD)  smart screen http://127.0.0.1:$(PORT_SCREEN)  portal http://127.0.0.1:$(PORT_PORTAL)"
	@trap 'kill 0' INT TERM EXIT; \
	$(STREAMLIT) apps/dashboard.py --server.port $(PORT_DASHBOARD) & \
	$(STREAMLIT) apps/smart_screen.py --server.port $(PORT_SCREEN) --theme.base dark --client.toolbarMode minimal & \
	$(STREAMLIT) apps/portal.py --server.port $(PORT_PORTAL) & \
	$(BIN)/python -m sample_data.live_feed --rate $(LIVE_RATE) & \
	sleep 4; \
	echo; echo "  案件统计 / dashboard : http://127.0.0.1:$(PORT_DASHBOARD)"; \
	echo "  智慧大屏 / screen    : http://127.0.0.1:$(PORT_SCREEN)"; \
	echo "  公众门户 / portal    : http://127.0.0.1:$(PORT_PORTAL)"; \
	echo "  live feed: $(LIVE_RATE) events/s  (Ctrl-C stops everything)"; echo; \
	wait

live-feed: venv
	$(BIN)/python -m sample_data.live_feed --rate $(LIVE_RATE)

test: venv
	$(BIN)/python -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

bench: venv
	$(BIN)/python -m bench.run $(BENCH_ARGS)

lock:
	$(BIN)/pip install -q -r requirements.in
	(echo "# Fully pinned; generated from requirements.in by 'make lock'. Do not edit by hand."; \
	 $(BIN)/pip freeze --exclude-editable | grep -v '^-e') > requirements.txt

clean-data:
	rm -rf data/
