# difos — the two commands: `make demo` and `make check`.
# Both install what they need from Debian packages first (as root).

BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 30
PYTEST     := /usr/bin/python3 -m pytest

.PHONY: all deps build asan fuzz-build gui deb docs check unit golden goldens integration e2e fuzz demo demo-stop bench clean

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

# The libFuzzer targets (clang); a folder left by another build is replaced.
$(FUZZ_BUILD)/build.ninja:
	rm -rf $(FUZZ_BUILD)
	CC=clang meson setup $(FUZZ_BUILD) -Dfuzz=true -Dfuzz_seconds=$(FUZZ_SECONDS) -Doptimization=1 \
		-Db_sanitize=address,undefined -Db_lundef=false >/dev/null

fuzz-build: deps $(FUZZ_BUILD)/build.ninja
	ninja -C $(FUZZ_BUILD)

# The GUI: TypeScript built with Vite into gui/dist (with .gz files).
gui: deps
	cd gui && npm ci --no-audit --no-fund --loglevel=error && npm run build

# The Debian package (debhelper, systemd unit): build-deb/difos_<version>_<arch>.deb,
# rebuilt only when the tree changed. Install it with apt install ./build-deb/difos_*.deb.
deb: gui
	./scripts/deb.sh

# The generated API reference: docs/api.md (the method table), docs/openapi.json
# and docs/openapi.md. The docs test fails while they differ from the code.
docs: build
	./scripts/docs.sh $(BUILD) write

# Unit tests and goldens under the sanitizers.
# The meson suites (tests/*/meson.build hold the one list of tests).
unit: asan
	meson test -C $(ASAN_BUILD) --no-rebuild --print-errorlogs --suite unit

golden: asan
	meson test -C $(ASAN_BUILD) --no-rebuild --print-errorlogs --suite golden

# Regenerate the renderer golden files after an intended change; review the diff.
goldens: build
	UPDATE_GOLDENS=1 $(BUILD)/tests/golden/golden tests/golden

# Network-namespace tests against the sanitizer build of difosd.
integration: asan
	DIFOS_BUILD=$(CURDIR)/$(ASAN_BUILD) $(PYTEST) -q -p no:cacheprovider tests/integration

fuzz: fuzz-build
	meson test -C $(FUZZ_BUILD) --no-rebuild --print-errorlogs --suite fuzz

check: deps
	./scripts/check.sh

demo: build gui
	./scripts/demo.sh start

demo-stop:
	./scripts/demo.sh stop

bench: build
	./bench/run.sh

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD) build-deb gui/dist
