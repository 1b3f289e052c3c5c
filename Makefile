# Makefile: the two commands of the README, and a few conveniences. CMake does the build.
#   make demo   install what is missing, build, ingest the bundled sample feeds into ./spool
#   make test   install what is missing, build, run the whole test suite under ctest
#   make test-sanitize  the same suite under AddressSanitizer and UndefinedBehaviorSanitizer
#   make format-check   fails when a C file is not as clang-format writes it (scripts/format-check)
#   make install        install under PREFIX (default /usr), honouring DESTDIR; files in /etc
#                       are installed only where absent, never overwritten
#   make uninstall      remove what make install installed (not /etc, not /var/lib/feedspool)
#   make deb            build build-deb/feedspool_VERSION_ARCH.deb (debhelper, debian/)
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
PREFIX ?= /usr
DESTDIR ?=

.PHONY: all deps build demo test test-sanitize format-check install uninstall deb clean

all: build

deps:
	@sh scripts/install-deps

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=$(PREFIX)
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
	DESTDIR="$(DESTDIR)" cmake --install $(BUILD)

# Removes the files listed in the install manifest (under DESTDIR), then the folders
# of feedspool's own left empty. The configuration in /etc and the data stay.
uninstall:
	@test -f $(BUILD)/install_manifest.txt || \
	    { echo "make uninstall: no $(BUILD)/install_manifest.txt (make install writes it)" >&2; exit 1; }
	while IFS= read -r f || [ -n "$$f" ]; do rm -fv "$(DESTDIR)$$f"; done < $(BUILD)/install_manifest.txt
	-rmdir -p "$(DESTDIR)$(PREFIX)/share/feedspool/sample/feeds" "$(DESTDIR)$(PREFIX)/share/feedspool/sample/pages" \
	    "$(DESTDIR)$(PREFIX)/share/feedspool/schema" 2>/dev/null
	rm -f $(BUILD)/install_manifest.txt

# The Debian package, built from a copy of the tracked files (working-tree state) in
# build-deb/, so nothing is written outside the repository; the git revision goes along.
deb:
	@FEEDSPOOL_EXTRA_PACKAGES="debhelper lintian fakeroot" sh scripts/install-deps
	sh scripts/make-deb

clean:
	rm -rf $(BUILD) $(BUILD)-sanitize build-deb spool demo-state.db demo-state.db-wal demo-state.db-shm
