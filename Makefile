# SalesKPI front door. Every target installs the Debian packages it needs first.
#   make demo   build, install the extension, create a demo store, show the dashboard live
#   make test   all tests: unit, engine against an independent oracle, real office
#   make bench  benchmarks (see docs/performance.md)
#   make test-tsan  the unit tests under ThreadSanitizer (docs/reliability.md)
#   make test-dates  the whole suite under libfaketime at four instants (docs/design.md)
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all deps build test test-unit test-tsan test-dates demo bench install uninstall screenshots clean

all: build

deps:
	@scripts/install-deps.sh all

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

test: build
	@cd $(BUILD) && ctest --output-on-failure -j2 --timeout 1200

# Only the tests that need no office.
test-unit: build
	@cd $(BUILD) && ctest --output-on-failure -j2 -LE office

# The engine's and the add-in's UNO-free unit tests under ThreadSanitizer, in
# their own build dir (docs/reliability.md): any data race fails the run.
TSAN_BUILD ?= build-tsan
test-tsan: deps
	@cmake -S . -B $(TSAN_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSALESKPI_SANITIZE=thread >/dev/null
	@cmake --build $(TSAN_BUILD) -j$(JOBS) --target engine_tests saleskpi_addin_tests
	@cd $(TSAN_BUILD) && export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" && \
		./bin/engine_tests --gtest_brief=1 && ./bin/saleskpi_addin_tests --gtest_brief=1

# The whole suite at a new year, just before midnight, a leap day and now.
test-dates: build
	@scripts/test-dates.sh $(BUILD)

install: build
	@scripts/oxt-install.sh $(BUILD)/saleskpi.oxt

uninstall:
	@scripts/oxt-uninstall.sh

demo: build
	@scripts/demo.sh $(BUILD)

bench: build
	@scripts/bench.sh $(BUILD)

# The README's pictures, taken by the project itself in a real office under Xvfb
# (docs/images/sidebar.png comes from tests/office/test_sidebar.py, SidebarUnderXvfb).
screenshots: build
	@/usr/bin/python3 scripts/demo.py --build $(BUILD) --no-window --live-seconds 0 \
		--screenshot docs/images/workbook.png --dashboard-screenshot docs/images/dashboard.png

clean:
	rm -rf $(BUILD)
