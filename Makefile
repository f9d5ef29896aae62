# SalesKPI front door. Every target installs the Debian packages it needs first.
#   make demo   build, install the extension, create a demo store, show the dashboard live
#   make test   all tests: unit, engine against an independent oracle, real office
#   make bench  benchmarks (see docs/performance.md)
#   make test-tsan  the unit tests under ThreadSanitizer (docs/reliability.md)
#   make test-dates  the whole suite under libfaketime at five instants (docs/design.md)
#   make test-faults  the fault suite: kill -9 at random moments, a DMS writer during imports (docs/reliability.md)
#   make test-asan    unit and CLI tests built with AddressSanitizer + UBSan (build-asan/)
#   make fuzz         every libFuzzer target for FUZZ_SECONDS (default 60) each (build-fuzz/, Clang)
BUILD ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_JOBS ?= 1
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all deps build test test-unit test-tsan test-dates test-faults test-asan fuzz demo bench install uninstall screenshots clean

all: build

deps:
	@scripts/install-deps.sh all

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

test: build
	@cd $(BUILD) && ctest --output-on-failure -j2 --timeout 1200 -LE faults

# The fault suite (tests/faults): one ctest label, one line per suite in tests/faults/CMakeLists.txt.
# Run alone: it measures waits and kills processes at random moments.
test-faults: build
	@scripts/install-deps.sh faults
	@cd $(BUILD) && ctest --output-on-failure -L faults --timeout 3600

# The unit tests (engine and add-in), the CLI tests and the oracle comparison
# with AddressSanitizer + UndefinedBehaviorSanitizer; no office (the add-in's
# UNO component is not built).
test-asan: deps
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSALESKPI_SANITIZE=address $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(ASAN_BUILD) -j$(JOBS) --target kpi engine_tests saleskpi_addin_tests fuzz_replays
	@cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
		ctest --output-on-failure -j2 --timeout 3600 -L 'unit|engine|addin' -E '^addin_package$$'

# libFuzzer over the parsers (tests/fuzz), each for FUZZ_SECONDS from its committed seed corpus;
# fails on a crash, a leak or undefined behaviour (the input is left in build-fuzz/fuzz/work/*/artifacts).
fuzz:
	@scripts/install-deps.sh fuzz
	@cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-14 -DSALESKPI_FUZZ=ON \
		-DSALESKPI_WITH_ADDIN=OFF -DSALESKPI_WITH_TESTS=OFF >/dev/null
	@cmake --build $(FUZZ_BUILD) -j$(JOBS) --target fuzzers
	@cd $(FUZZ_BUILD) && FUZZ_SECONDS=$(FUZZ_SECONDS) ctest --output-on-failure -L fuzz -j$(FUZZ_JOBS) --timeout 0

# Only the tests that need no office.
test-unit: build
	@cd $(BUILD) && ctest --output-on-failure -j2 -LE office

# The engine's and the add-in's UNO-free unit tests under ThreadSanitizer, in
# their own build dir (docs/reliability.md): any data race fails the run. The
# add-in's PostgreSQL tests (listener, engine host) run against a throwaway
# cluster in $(TSAN_BUILD)/pg.
TSAN_BUILD ?= build-tsan
test-tsan: deps
	@cmake -S . -B $(TSAN_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSALESKPI_SANITIZE=thread >/dev/null
	@cmake --build $(TSAN_BUILD) -j$(JOBS) --target engine_tests saleskpi_addin_tests saleskpi_addin_pg_tests postgres_tests
	@cd $(TSAN_BUILD) && export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" && \
		./bin/engine_tests --gtest_brief=1 && ./bin/saleskpi_addin_tests --gtest_brief=1 && \
		$(CURDIR)/scripts/pg-cluster.sh start --fresh $$PWD/pg >/dev/null && \
		{ KPI_TEST_PG=$$PWD/pg/conninfo ./bin/saleskpi_addin_pg_tests --gtest_brief=1 && \
		  KPI_TEST_PG=$$PWD/pg/conninfo ./bin/postgres_tests --gtest_brief=1 --gtest_filter='PgFirstLoad.*'; status=$$?; \
		  $(CURDIR)/scripts/pg-cluster.sh stop $$PWD/pg; exit $$status; }

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
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
