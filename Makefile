# circuit9: `make demo` runs the demo, `make test` builds everything and runs every test.
# Both install missing Debian packages first (tools/install-deps.sh, apt-get; sudo when not root).

BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
ARM_BUILD  ?= build-arm
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
FUZZ_SECONDS ?= 15
PYTHON     := /usr/bin/python3

.PHONY: all deps build test test-asan test-fuzz demo size clean

all: build

deps:
	@bash tools/install-deps.sh

$(BUILD)/Makefile: | deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: deps $(BUILD)/Makefile
	cmake --build $(BUILD) -j$(JOBS)

# Every test: C unit tests, Python API tests, golden scripts, a short fuzz smoke run, and the
# unit and golden tests again under AddressSanitizer + UndefinedBehaviorSanitizer.
test: build
	@bash tools/run_tests.sh $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD) $(FUZZ_SECONDS) $(JOBS) $(ARM_BUILD)

# Code and static RAM of every core on a Cortex-M0+ and a Cortex-M4F (-Os, C9_NO_MALLOC) beside the
# programs they replace, and the memory each core's main object takes (tests/arm/portability.py).
size: deps
	@/usr/bin/python3 tests/arm/portability.py --root $(ARM_BUILD) --jobs $(JOBS) size

demo: build
	@bash tools/demo.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD) $(ARM_BUILD)
