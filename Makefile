# uni - the two commands: `make run` and `make test` (see README.md).
# A thin wrapper over CMake: every target first installs missing Debian
# packages (toolchain/install-deps), then configures build/ with Ninja.
BUILD ?= build
CMAKE_FLAGS ?=
JOBS ?= $(shell nproc)

.PHONY: all deps configure run test clean

all: configure
	cmake --build $(BUILD) -j $(JOBS)

deps:
	@./toolchain/install-deps

configure: deps
	@test -f $(BUILD)/build.ninja || \
	  cmake -S . -B $(BUILD) -G Ninja -DCMAKE_C_COMPILER=clang \
	    -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS)

run: all
	./toolchain/uni-run $(BUILD)/hello/hello.img

test: all
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

clean:
	rm -rf $(BUILD)
