# SPDX-License-Identifier: LGPL-2.1-or-later
# Entry points: `make demo` and `make check` each install what they need, build in build/, run.
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?= -DKMODAUDIT_WERROR=ON

.PHONY: all deps-demo deps-check configure build fixtures demo check check-asan check-fuzz clean

all: build

deps-demo:
	@bash .ci/install-deps demo
deps-check:
	@bash .ci/install-deps check

configure:
	@cmake -S . -B $(BUILD) $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

fixtures:
	@bash tests/fixtures/fetch-debs $(BUILD)/cache

demo: deps-demo
	@$(MAKE) --no-print-directory build fixtures
	@bash tests/demo.sh $(BUILD)

check: deps-check
	@$(MAKE) --no-print-directory build fixtures
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	@$(MAKE) --no-print-directory check-asan check-fuzz

# The unit tests again under ASan+UBSan, in a second build directory.
check-asan: fixtures
	@cmake -S . -B $(BUILD)/asan $(CMAKE_FLAGS) -DKMODAUDIT_SANITIZE=ON >/dev/null
	@cmake --build $(BUILD)/asan -j $(JOBS) >/dev/null
	@cd $(BUILD)/asan && KMODAUDIT_CACHE=$(abspath $(BUILD))/cache \
		ctest --output-on-failure -j $(JOBS) -L unit

# Every libFuzzer harness for FUZZ_SECONDS each (bench/fuzz runs them longer).
FUZZ_SECONDS ?= 15
check-fuzz: fixtures
	@CC=clang cmake -S . -B $(BUILD)/fuzz $(CMAKE_FLAGS) -DKMODAUDIT_FUZZ=ON >/dev/null
	@cmake --build $(BUILD)/fuzz -j $(JOBS) --target fuzzers >/dev/null
	@KMODAUDIT_CACHE=$(abspath $(BUILD))/cache bash tests/fuzz/run-all $(BUILD)/fuzz $(FUZZ_SECONDS)

clean:
	rm -rf $(BUILD)
