# SPDX-License-Identifier: LGPL-2.1-or-later
# Entry points: `make demo` and `make check` each install what they need, build in build/, run.
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?= -DKMODAUDIT_WERROR=ON

.PHONY: all deps-demo deps-check configure build fixtures demo check clean

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

clean:
	rm -rf $(BUILD)
