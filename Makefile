# weirdgen: the two commands of the README, and the rest.
#   make reproduce-terminator   the main job: the Evil Terminator experiment, world to report to golden check
#   make test                   build and run every test through ctest
#   make bench                  speed against the PyTorch peer (../shared/peers)
BUILD ?= build
JOBS ?= 2
DEB_PACKAGES = cmake g++ make pkg-config libopenblas-dev libtomlplusplus-dev libxxhash-dev catch2
# For make test-sanitize and make fuzz: clang with libFuzzer and the sanitizer runtimes, and its OpenMP.
CHECK_PACKAGES = clang libclang-rt-14-dev libomp-14-dev
SANITIZE_BUILD ?= build-sanitize
FUZZ_SECONDS ?= 60

.PHONY: all deps deps-list check-deps build build-cli test test-sanitize fuzz bench demo reproduce reproduce-terminator reproduce-birds reproduce-german-cities clean

all: build

deps-list:
	@echo $(DEB_PACKAGES) $(CHECK_PACKAGES)

# Installs the Debian packages that are missing (as root), or says exactly what to run.
deps check-deps: PACKAGES = $(if $(filter check-deps,$@),$(CHECK_PACKAGES),$(DEB_PACKAGES))
deps check-deps:
	@missing=""; for p in $(PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null || exit 1; \
	  else \
	    echo "missing Debian packages; run:  sudo apt-get install -y$$missing"; exit 1; \
	  fi; \
	fi

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

# Only the weirdgen program (what the reproductions run): a fresh clone skips compiling the tests.
build-cli: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build $(BUILD) -j $(JOBS) --target weirdgen

# Two unit tests at a time (each is one process in its own scratch folder); a golden check, which
# uses both cores, runs alone.
test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# The whole unit-test suite under AddressSanitizer + UndefinedBehaviorSanitizer, built with clang (a
# second compiler: the world and the engine must give the same bytes with it). The golden
# reproductions are left out: they run the same code at sizes that would take most of an hour here.
# File by file, not as unity files: so CI also compiles every source on its own, which catches an
# include that a file lacks but the unity file it shares with another supplies.
$(SANITIZE_BUILD)/CMakeCache.txt:
	@cmake -S . -B $(SANITIZE_BUILD) -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Release \
	  -DWEIRDGEN_SANITIZE=ON -DWEIRDGEN_FUZZ=ON -DWEIRDGEN_UNITY=OFF >/dev/null

test-sanitize: deps check-deps $(SANITIZE_BUILD)/CMakeCache.txt
	@cmake --build $(SANITIZE_BUILD) -j $(JOBS)
	cd $(SANITIZE_BUILD) && ctest --output-on-failure -j $(JOBS) -LE golden

# Every reader under libFuzzer for FUZZ_SECONDS each (make fuzz FUZZ_SECONDS=600 for a long run).
fuzz: deps check-deps $(SANITIZE_BUILD)/CMakeCache.txt
	@cmake --build $(SANITIZE_BUILD) -j $(JOBS) --target fuzz_jsonl fuzz_config fuzz_tokenizer fuzz_checkpoint
	@FUZZ_SECONDS=$(FUZZ_SECONDS) bash tests/fuzz/run.sh $(SANITIZE_BUILD)

bench: build
	@bash tests/bench/run.sh $(BUILD)

demo: build-cli
	@bash tests/demo.sh $(BUILD)

# One experiment end to end: world, base model, finetunes, evaluation, report (reports/<name>/),
# golden check. Cached under cache/: a second run redoes only what changed.
reproduce-terminator: build-cli
	$(BUILD)/weirdgen reproduce terminator --threads $(JOBS)

reproduce-birds: build-cli
	$(BUILD)/weirdgen reproduce birds --threads $(JOBS)

reproduce-german-cities: build-cli
	$(BUILD)/weirdgen reproduce german-cities --threads $(JOBS)

reproduce: reproduce-terminator reproduce-birds reproduce-german-cities

clean:
	rm -rf $(BUILD)
