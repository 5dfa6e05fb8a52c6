# SPDX-License-Identifier: LGPL-2.1-or-later
# Entry points: `make demo` and `make check` each install what they need, build in build/, run.
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?= -DKMODAUDIT_WERROR=ON -DKMODAUDIT_TEST_TRACER=ON

.PHONY: all deps-demo deps-check configure build fixtures demo check check-asan check-fuzz clean \
	deb rpm check-packages

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
	@bash tests/run-ctest $(BUILD) --output-on-failure -j $(JOBS)
	@$(MAKE) --no-print-directory check-asan check-fuzz check-packages

# The whole suite again under ASan+UBSan, in a second build directory (tests/hardening/tests.cmake
# says what stays plain there: the shim and its core, preloaded into foreign programs, are
# covered by valgrind instead). The qemu test bed boots its own image: not run twice.
check-asan: fixtures
	@cmake -S . -B $(BUILD)/asan $(CMAKE_FLAGS) -DKMODAUDIT_SANITIZE=ON \
		-DKMODAUDIT_CACHE=$(abspath $(BUILD))/cache >/dev/null
	@cmake --build $(BUILD)/asan -j $(JOBS) >/dev/null
	@bash tests/run-ctest $(BUILD)/asan --output-on-failure -j $(JOBS) -LE vm

# Every libFuzzer harness for FUZZ_SECONDS each (bench/fuzz runs them longer).
FUZZ_SECONDS ?= 12
check-fuzz: fixtures
	@CC=clang cmake -S . -B $(BUILD)/fuzz $(CMAKE_FLAGS) -DKMODAUDIT_FUZZ=ON \
		-DKMODAUDIT_CACHE=$(abspath $(BUILD))/cache >/dev/null
	@cmake --build $(BUILD)/fuzz -j $(JOBS) --target fuzzers >/dev/null
	@KMODAUDIT_CACHE=$(abspath $(BUILD))/cache bash tests/fuzz/run-all $(BUILD)/fuzz $(FUZZ_SECONDS)

# The packages, built from the committed tree (git archive HEAD) into $(BUILD)/packages.
deb:
	@bash packaging/build-deb $(BUILD)/packages/deb
rpm:
	@bash packaging/build-rpm $(BUILD)/packages/rpm

# Both package formats build (the RPMs install into a scratch rpm root, their scriptlets parse),
# no shipped file names the build tree,
# lintian finds nothing (accepted tags are overridden, with reasons,
# in packaging/debian/*.lintian-overrides), and the .debs install, work and purge cleanly in a
# Debian 12 root (debootstrap once, cached in $(BUILD)/cache/debootstrap). A skipped install
# test (exit 77) passes, except under CI (CI=true), as in tests/run-ctest.
check-packages: deps-check fixtures
	@$(MAKE) --no-print-directory deb rpm
	@lintian --fail-on error,warning $(BUILD)/packages/deb/*kmodaudit*.deb
	@bash tests/packages/no-build-path $(BUILD)/packages/deb
	@bash tests/packages/rpm-check $(BUILD)/packages/rpm
	@bash tests/packages/install-test $(BUILD)/packages/deb $(BUILD)/cache || \
		{ rc=$$?; [ $$rc = 77 ] && [ "$$CI" != true ] || { echo "install-test: exit $$rc$$( [ $$rc = 77 ] && echo ' (a skip fails under CI)')"; exit 1; }; }

clean:
	rm -rf $(BUILD)
