# The two commands a newcomer types: `make demo` and `make test`. Everything else here is
# what those two use, and a few conveniences for developers.
BUILD ?= build
JOBS ?= $(shell nproc)
# Warnings are errors in CI (CI=true), warnings elsewhere.
WERROR := $(if $(filter true 1,$(CI)),ON,OFF)
CMAKE_FLAGS ?=
# make fuzz: FUZZ_SECONDS per target (20 when neither is given), FUZZ_RUNS executions per
# target; with both, whichever comes first.
FUZZ_SECONDS ?=
FUZZ_RUNS ?=
# make fuzz FUZZ_TARGETS=fuzz_codec,fuzz_sunspec: only those targets.
FUZZ_TARGETS ?=
# make fuzz FUZZ_JOBS=2: two processes per target on one corpus (both cores).
FUZZ_JOBS ?=

.PHONY: all deps configure build test test-asan unit demo fuzz bench clean

all: build

deps:
	bash scripts/install-deps.sh

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DREGPOLL_WERROR=$(WERROR) $(CMAKE_FLAGS)

configure: $(BUILD)/build.ninja

build: configure
	cmake --build $(BUILD) -j $(JOBS)

# Installs what is missing, builds, runs every test (unit, component, integration).
test: deps
	$(MAKE) build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 300

# Every test again, on a clang build with AddressSanitizer + UBSan in its own folder.
test-asan: deps
	bash scripts/test-asan.sh $(JOBS)

demo: deps
	$(MAKE) build
	bash scripts/demo.sh $(BUILD)

# libFuzzer + ASan/UBSan over every parser target (clang build in its own folder).
fuzz: deps
	bash tests/fuzz/run.sh $(if $(FUZZ_SECONDS),--seconds $(FUZZ_SECONDS)) $(if $(FUZZ_RUNS),--runs $(FUZZ_RUNS)) $(if $(FUZZ_TARGETS),--targets $(FUZZ_TARGETS)) $(if $(FUZZ_JOBS),--jobs $(FUZZ_JOBS))

bench: deps
	$(MAKE) build
	bash tests/bench/run.sh $(BUILD)

clean:
	rm -rf $(BUILD) build-fuzz build-asan
