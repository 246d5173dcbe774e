# uni - the two commands: `make run` and `make test` (see README.md), and
# `make bench` (bench/all: uni against a Linux guest; BENCH_FLAGS=--quick).
# A thin wrapper over CMake: every target first installs missing Debian
# packages (toolchain/install-deps), then configures build/ with Ninja.
BUILD ?= build
CMAKE_FLAGS ?=
JOBS ?= $(shell nproc)
PORT ?= 8080

.PHONY: all deps configure run hello test bench clean

all: configure
	cmake --build $(BUILD) -j $(JOBS)

deps:
	@./toolchain/install-deps

configure: deps
	@test -f $(BUILD)/build.ninja || \
	  cmake -S . -B $(BUILD) -G Ninja -DCMAKE_C_COMPILER=clang \
	    -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS)

# The demo: examples/httpd serving its site on 127.0.0.1:$(PORT) until
# Ctrl-C (uni-run stops QEMU). "serving on" is printed once the server
# listens; the recipe fails if it never does (e.g. the port is taken).
run: all
	@./toolchain/uni-run $(BUILD)/httpd/httpd.img -p $(PORT):80 | { \
	  up=1; while IFS= read -r line; do printf '%s\n' "$$line"; \
	    case $$line in "httpd: listening on port"*) up=0; \
	      echo "serving on http://127.0.0.1:$(PORT)";; \
	    esac; done; exit $$up; }

hello: all
	./toolchain/uni-run $(BUILD)/hello/hello.img

# The suite includes bench/all's quick subset (bench_quick), which needs
# bench/install-bench-deps' packages and the Debian kernel.
test: all
	@./bench/install-bench-deps >/dev/null
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

bench: all
	@./bench/install-bench-deps >/dev/null
	./bench/all --build-dir $(BUILD) $(BENCH_FLAGS)

clean:
	rm -rf $(BUILD)
