# Makefile: the two commands of the README, and a few conveniences. CMake does the build.
#   make demo   install what is missing, build, ingest the bundled sample feeds into ./spool
#   make test   install what is missing, build, run the whole test suite under ctest
#   make test-sanitize  the same suite under AddressSanitizer and UndefinedBehaviorSanitizer
#   make format-check   fails when a C file is not as clang-format writes it (scripts/format-check)
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: all deps build demo test test-sanitize format-check install clean

all: build

deps:
	@sh scripts/install-deps

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=/usr
	cmake --build $(BUILD) -j$(JOBS)

demo: build
	rm -rf spool demo-state.db demo-state.db-wal demo-state.db-shm
	./$(BUILD)/feedspool demo

test: build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

# The same suite built with AddressSanitizer and UndefinedBehaviorSanitizer (leaks included).
test-sanitize: deps
	cmake -S . -B $(BUILD)-sanitize -DCMAKE_BUILD_TYPE=Debug -DFEEDSPOOL_SANITIZE=ON
	cmake --build $(BUILD)-sanitize -j$(JOBS)
	cd $(BUILD)-sanitize && ctest --output-on-failure -j$(JOBS) -E valgrind_once

format-check:
	@FEEDSPOOL_EXTRA_PACKAGES=clang-format sh scripts/install-deps
	@sh scripts/format-check

install: build
	cmake --install $(BUILD)

clean:
	rm -rf $(BUILD) $(BUILD)-sanitize spool demo-state.db demo-state.db-wal demo-state.db-shm
