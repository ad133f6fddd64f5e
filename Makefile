# weirdgen: the two commands of the README, and the rest.
#   make reproduce-terminator   the main job: the Evil Terminator experiment, world to report to golden check
#   make test                   build and run every test through ctest
#   make bench                  speed against the PyTorch peer (../shared/peers)
BUILD ?= build
JOBS ?= 2
DEB_PACKAGES = cmake g++ make pkg-config libopenblas-dev libtomlplusplus-dev libxxhash-dev catch2

.PHONY: all deps deps-list build test bench demo reproduce reproduce-terminator reproduce-birds reproduce-german-cities clean

all: build

deps-list:
	@echo $(DEB_PACKAGES)

# Installs the Debian packages that are missing (as root), or says exactly what to run.
deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
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

test: build
	cd $(BUILD) && ctest --output-on-failure -j 1

bench: build
	@bash tests/bench/run.sh $(BUILD)

demo: build
	@bash tests/demo.sh $(BUILD)

# One experiment end to end: world, base model, finetunes, evaluation, report (reports/<name>/),
# golden check. Cached under cache/: a second run redoes only what changed.
reproduce-terminator: build
	$(BUILD)/weirdgen reproduce terminator --threads $(JOBS)

reproduce-birds: build
	$(BUILD)/weirdgen reproduce birds --threads $(JOBS)

reproduce-german-cities: build
	$(BUILD)/weirdgen reproduce german-cities --threads $(JOBS)

reproduce: reproduce-terminator reproduce-birds reproduce-german-cities

clean:
	rm -rf $(BUILD)
