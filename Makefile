# difos — the two commands: `make demo` and `make check`.
# Both install what they need from Debian packages first (as root).

BUILD      ?= build
ASAN_BUILD ?= build-asan
PYTEST     := /usr/bin/python3 -m pytest

.PHONY: all deps build asan gui docs check unit golden goldens integration e2e fuzz demo demo-stop bench clean

all: build

deps:
	@./scripts/install-deps.sh

$(BUILD)/build.ninja:
	meson setup $(BUILD) >/dev/null

$(ASAN_BUILD)/build.ninja:
	meson setup $(ASAN_BUILD) -Db_sanitize=address,undefined -Db_lundef=false >/dev/null

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

asan: deps $(ASAN_BUILD)/build.ninja
	ninja -C $(ASAN_BUILD)

# The GUI: TypeScript built with Vite into gui/dist (with .gz files).
gui: deps
	cd gui && npm ci --no-audit --no-fund --loglevel=error && npm run build

# The generated API reference: docs/openapi.json and docs/openapi.md.
docs: build
	$(BUILD)/difosd --print-openapi > docs/openapi.json
	/usr/bin/python3 scripts/openapi-md.py docs/openapi.json > docs/openapi.md

# Unit tests and goldens under the sanitizers.
unit: asan
	cd $(ASAN_BUILD) && ./test_types && ./test_store && ./test_schema && ./test_engine && ./test_auth && ./test_qos && ./test_routes && ./test_firewall

golden: asan
	$(ASAN_BUILD)/golden tests/golden

# Regenerate the renderer golden files after an intended change; review the diff.
goldens: build
	UPDATE_GOLDENS=1 $(BUILD)/golden tests/golden

# Network-namespace tests against the sanitizer build of difosd.
integration: asan
	DIFOS_BUILD=$(CURDIR)/$(ASAN_BUILD) $(PYTEST) -q -p no:cacheprovider tests/integration

fuzz: deps
	./tests/fuzz/run.sh 30

check: deps
	./scripts/check.sh

demo: build gui
	./scripts/demo.sh start

demo-stop:
	./scripts/demo.sh stop

bench: build
	./bench/run.sh

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) build-fuzz gui/dist
