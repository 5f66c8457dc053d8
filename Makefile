# SPDX-License-Identifier: MIT OR LGPL-2.1-or-later
# Makefile - builds libringdev, the tools, the tests and (through Kbuild)
# the driver.  Objects go to $(O) (default build/) so that several variants
# (gcc, clang, ASan+UBSan, TSan) can be built side by side:
#   make                      library, tools, tests into build/
#   make O=build-asan SAN=asan
#   make check                every test (see tests/check.sh)
#   make bench                the main job: ringbench on shm + CPU
#   make install PREFIX=/usr/local DESTDIR=

VERSION := 0.1.0
SONAME  := libringdev.so.0
O       ?= build
PREFIX  ?= /usr/local
LIBDIR  ?= $(PREFIX)/lib
INCDIR  ?= $(PREFIX)/include
MANDIR  ?= $(PREFIX)/share/man
BINDIR  ?= $(PREFIX)/bin
CC      ?= cc
SAN     ?=

WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
CPPFLAGS += -D_GNU_SOURCE -Iinclude -Iinclude/uapi
CFLAGS   ?= -O2 -g
CFLAGS   += -std=gnu11 -fPIC -pthread $(WARN)
LDLIBS   += -pthread

# A sanitized library leaves the sanitizer runtime to the executable.
NO_UNDEF := $(if $(SAN),,-Wl,--no-undefined)

ifeq ($(SAN),asan)
CFLAGS  += -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
LDFLAGS += -fsanitize=address,undefined
endif
ifeq ($(SAN),tsan)
CFLAGS  += -fsanitize=thread -fno-omit-frame-pointer
LDFLAGS += -fsanitize=thread
endif

HAVE_DPDK := $(shell pkg-config --exists libdpdk 2>/dev/null && echo 1)
# io_uring batching (lib/batch.c) needs liburing: Debian's liburing-dev.
ifneq ($(MAKECMDGOALS),clean)
ifneq ($(shell pkg-config --exists liburing 2>/dev/null && echo 1),1)
$(error liburing-dev is missing: run scripts/deps.sh as root, or apt-get install liburing-dev)
endif
endif
LDLIBS   += -luring
HAVE_SDT  := $(shell echo '\#include <sys/sdt.h>' | $(CC) -E -x c - >/dev/null 2>&1 && echo 1)
ifeq ($(HAVE_SDT),1)
CPPFLAGS += -DRINGDEV_HAVE_SDT
endif

LIB_SRC   := $(wildcard lib/*.c)
LIB_OBJ   := $(LIB_SRC:%.c=$(O)/%.o)
BENCH_SRC := $(wildcard tools/ringbench/*.c)
BENCH_OBJ := $(BENCH_SRC:%.c=$(O)/%.o)
RINGCTL_SRC := $(wildcard tools/ringctl/*.c)
RINGCTL_OBJ := $(RINGCTL_SRC:%.c=$(O)/%.o)
TEST_SRC  := $(wildcard tests/unit/*.c)
TEST_LIB  := $(filter tests/unit/lib%.c,$(TEST_SRC))
TEST_BINS := $(patsubst tests/unit/%.c,$(O)/tests/%,$(filter-out $(TEST_LIB),$(TEST_SRC)))
EX_SRC    := $(wildcard examples/*.c)
EX_BINS   := $(EX_SRC:examples/%.c=$(O)/examples/%)
HEADERS   := $(wildcard include/ringdev/*.h) include/uapi/linux/ringdev.h

ifeq ($(HAVE_DPDK),1)
$(O)/tools/ringbench/%.o: CPPFLAGS += -DRINGBENCH_HAVE_DPDK
$(O)/tools/ringbench/%.o: CFLAGS += $(shell pkg-config --cflags libdpdk)
BENCH_LIBS := $(shell pkg-config --libs libdpdk)
endif

# The driver builds against KDIR: the running kernel's headers, else the
# newest installed ones (this machine runs a kernel without headers; the
# tests boot Debian's 6.1 in a VM).
KDIR ?= $(firstword $(wildcard /lib/modules/$(shell uname -r)/build) \
		    $(lastword $(sort $(wildcard /lib/modules/*/build))))

.PHONY: all lib tools tests examples install uninstall check bench clean deps driver
all: lib tools tests examples $(if $(KDIR),driver)

# Kbuild writes its outputs beside the sources: build in $(O)/kmod, whose
# files link back to driver/, so that driver/ holds only what we wrote.
KMOD := $(abspath $(O))/kmod
driver:
	@if [ -z "$(KDIR)" ]; then echo "driver: no kernel headers installed (linux-headers-amd64); skipped"; \
	else mkdir -p $(KMOD) && ln -sfn $(CURDIR)/include $(abspath $(O))/include && \
	for f in $(CURDIR)/driver/*.[ch] $(CURDIR)/driver/Kbuild; do ln -sf $$f $(KMOD)/; done && \
	$(MAKE) -C $(KDIR) M=$(KMOD) $(KFLAGS) modules; fi

lib: $(O)/libringdev.a $(O)/libringdev.so $(O)/libringdev.pc
tools: $(if $(BENCH_SRC),$(O)/ringbench) $(if $(RINGCTL_SRC),$(O)/ringctl)
tests: $(TEST_BINS) $(O)/deny-uring
examples: $(EX_BINS)

$(O)/%.o: %.c $(HEADERS) $(wildcard lib/*.h tools/*/*.h)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(O)/libringdev.a: $(LIB_OBJ)
	$(AR) rcs $@ $^

$(O)/$(SONAME).1: $(LIB_OBJ) lib/libringdev.map
	$(CC) $(LDFLAGS) -shared -Wl,-soname,$(SONAME) -Wl,--version-script,lib/libringdev.map \
		$(NO_UNDEF) -o $@ $(LIB_OBJ) $(LDLIBS)

$(O)/libringdev.so: $(O)/$(SONAME).1
	ln -sf $(SONAME).1 $(O)/$(SONAME)
	ln -sf $(SONAME) $@

$(O)/libringdev.pc: lib/libringdev.pc.in Makefile
	@mkdir -p $(@D)
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@VERSION@|$(VERSION)|' \
		-e 's|@PRIVATE@|$(LDLIBS)|' $< > $@

$(O)/ringbench: $(BENCH_OBJ) $(O)/libringdev.a
	$(CC) $(LDFLAGS) -o $@ $(BENCH_OBJ) $(O)/libringdev.a $(BENCH_LIBS) $(LDLIBS) -lm

$(RINGCTL_OBJ): tools/ringctl/ringctl.h
$(O)/ringctl: $(RINGCTL_OBJ) $(O)/libringdev.a
	$(CC) $(LDFLAGS) -o $@ $(RINGCTL_OBJ) $(O)/libringdev.a $(LDLIBS) -ldl

$(O)/tests/%: tests/unit/%.c $(O)/libringdev.a $(HEADERS) $(TEST_LIB) tests/unit/test.h
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Ilib $(CFLAGS) $(LDFLAGS) -o $@ $< $(TEST_LIB) $(O)/libringdev.a $(LDLIBS)

# Runs a test with io_uring_setup refused (seccomp): the fallback, tested.
$(O)/deny-uring: tests/deny-uring.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $<

$(O)/examples/%: examples/%.c $(O)/libringdev.a $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(O)/libringdev.a $(LDLIBS)

install: lib
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCDIR)/ringdev \
		$(DESTDIR)$(INCDIR)/linux $(DESTDIR)$(MANDIR)/man3 $(DESTDIR)$(MANDIR)/man7 \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(BINDIR)
	install -m 644 $(O)/libringdev.a $(DESTDIR)$(LIBDIR)/
	install -m 755 $(O)/$(SONAME).1 $(DESTDIR)$(LIBDIR)/
	ln -sf $(SONAME).1 $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libringdev.so
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@VERSION@|$(VERSION)|' \
		-e 's|@PRIVATE@|$(LDLIBS)|' lib/libringdev.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/libringdev.pc
	install -m 644 include/ringdev/*.h $(DESTDIR)$(INCDIR)/ringdev/
	install -m 644 include/uapi/linux/ringdev.h $(DESTDIR)$(INCDIR)/linux/
	$(foreach s,1 3 7 8,$(if $(wildcard man/*.$(s)),install -m 644 $(wildcard man/*.$(s)) $(DESTDIR)$(MANDIR)/man$(s)/;))
	if [ -x $(O)/ringbench ]; then install -m 755 $(O)/ringbench $(DESTDIR)$(BINDIR)/; fi
	if [ -x $(O)/ringctl ]; then install -m 755 $(O)/ringctl $(DESTDIR)$(BINDIR)/; fi

uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/libringdev.* $(DESTDIR)$(LIBDIR)/pkgconfig/libringdev.pc
	rm -rf $(DESTDIR)$(INCDIR)/ringdev
	rm -f $(DESTDIR)$(INCDIR)/linux/ringdev.h $(DESTDIR)$(BINDIR)/ringbench \
		$(DESTDIR)$(BINDIR)/ringctl $(DESTDIR)$(MANDIR)/man8/ringctl.8

deps:
	@scripts/deps.sh check

# The README's two commands.
bench:
	@scripts/deps.sh bench
	$(MAKE) tools
	$(O)/ringbench

check: deps
	tests/check.sh

clean:
	rm -rf build build-* $(O)

# ---- CUDA (begin) ----------------------------------------------------------
# Device code, the sample GPU kernels and the GPU tests, built by `make`
# whenever nvcc is found; `make CUDA=0` skips them.  libringdev itself never
# links CUDA (lib/cuda_backend.c dlopen()s libcudart).  Outputs: $(O)/cuda/.
# Documentation/cuda.rst; tests/gpu/run.sh runs the tests.
CUDA       ?= 1
NVCC       ?= $(firstword $(wildcard /usr/local/cuda/bin/nvcc) $(shell command -v nvcc 2>/dev/null))
CUDA_ARCH  ?= -gencode arch=compute_80,code=sm_80 -gencode arch=compute_90,code=sm_90 \
	      -gencode arch=compute_90,code=compute_90
NVCCFLAGS  ?= -O2 -g
NVCCFLAGS  += -std=c++17 $(CUDA_ARCH) -Xcompiler -Wall,-Wextra,-Werror,-fPIC -Werror all-warnings
CUDA_CPPFLAGS := -D_GNU_SOURCE -Iinclude -Iinclude/uapi -Icuda/samples
CUDA_HDRS  := $(wildcard include/ringdev/cuda/*.cuh) include/ringdev/cuda.h cuda/samples/samples.h \
	      $(HEADERS)
CUDA_SAMPLE_OBJ := $(patsubst %.cu,$(O)/cuda/%.o,$(notdir $(wildcard cuda/samples/*.cu)))
CUDA_TEST_BINS  := $(patsubst tests/gpu/%.cu,$(O)/cuda/tests/%,$(wildcard tests/gpu/*.cu))
.PHONY: cuda
ifneq ($(and $(filter-out 0,$(CUDA)),$(NVCC)),)
all: cuda
cuda: $(O)/cuda/libringdev_samples.a $(CUDA_TEST_BINS) $(O)/cuda/ringbench-gpu.so

$(O)/cuda/%.o: cuda/samples/%.cu $(CUDA_HDRS)
	@mkdir -p $(@D)
	$(NVCC) $(CUDA_CPPFLAGS) $(NVCCFLAGS) -c $< -o $@

$(O)/cuda/libringdev_samples.a: $(CUDA_SAMPLE_OBJ)
	$(AR) rcs $@ $^

# -cudart shared: one libcudart in the process, the one libringdev dlopen()s.
$(O)/cuda/tests/%: tests/gpu/%.cu $(O)/cuda/libringdev_samples.a $(O)/libringdev.a $(CUDA_HDRS)
	@mkdir -p $(@D)
	$(NVCC) $(CUDA_CPPFLAGS) $(NVCCFLAGS) -cudart shared -o $@ $< \
		$(O)/cuda/libringdev_samples.a $(O)/libringdev.a -Xlinker -lpthread -Xlinker -luring

# ringbench's gpu scenario dlopen()s its device code from here.
$(O)/cuda/ringbench-gpu.so: tools/ringbench/gpu_helper.cu tools/ringbench/gpu_helper.h \
		$(O)/cuda/libringdev_samples.a $(CUDA_HDRS)
	$(NVCC) $(CUDA_CPPFLAGS) $(NVCCFLAGS) -shared -cudart shared -o $@ $< \
		$(O)/cuda/libringdev_samples.a
else
cuda:
	@echo "cuda: $(if $(NVCC),disabled (CUDA=0),nvcc not found); skipped"
endif

# Host simulation (tests/gpu/sim): the GPU tests and samples built by the
# host C++ compiler, "device" blocks on host threads, against a stand-in
# libcudart.so.13 that checks registrations and streams.  Needs the
# toolkit's headers (libcu++, cuda_runtime_api.h), not nvcc or a GPU.
# Honours SAN=tsan (with CXX=clang++ when CC=clang).  `make cudasim`.
CUDA_INC     ?= $(firstword $(wildcard /usr/local/cuda/include) \
		$(if $(NVCC),$(dir $(NVCC))../include))
SIM_SAN      := $(filter -fsanitize=% -fno-sanitize-recover=% -fno-omit-frame-pointer,$(CFLAGS))
SIM_CXXFLAGS := -std=c++17 -O2 -g -Wall -Wextra -Werror $(SIM_SAN) -DRINGDEV_CUDA_SIM \
		-include tests/gpu/sim/cuda_sim.h -Itests/gpu/sim -I$(CUDA_INC)/cccl \
		-I$(CUDA_INC) $(CUDA_CPPFLAGS)
SIM_HDRS     := $(CUDA_HDRS) $(wildcard tests/gpu/sim/*.h tests/gpu/*.h)
SIM_SAMPLES  := $(wildcard cuda/samples/*.cu)
SIM_BINS     := $(patsubst tests/gpu/%.cu,$(O)/cudasim/%,$(wildcard tests/gpu/*.cu))
# ringbench --gpu-lib loads it; a sanitized one could not load into ringbench.
ifeq ($(SAN),)
SIM_BINS     += $(O)/cudasim/ringbench-gpu.so
endif
.PHONY: cudasim
ifneq ($(wildcard $(CUDA_INC)/cccl/cuda/atomic),)
cudasim: $(SIM_BINS)

$(O)/cudasim/libcudart.so.13: tests/gpu/sim/cudart_sim.c tests/gpu/sim/cudart_sim.h
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -O2 -g -Wall -Wextra -Werror $(SIM_SAN) -fPIC -shared -I$(CUDA_INC) \
		-Wl,-soname,libcudart.so.13 -o $@ $< -pthread

# One program per test: its .cu, every sample, libringdev and the stand-in
# libcudart (found beside the program, by soname, also by libringdev's dlopen).
$(O)/cudasim/%: tests/gpu/%.cu $(SIM_SAMPLES) $(SIM_HDRS) $(O)/libringdev.a \
		$(O)/cudasim/libcudart.so.13
	$(CXX) $(SIM_CXXFLAGS) -o $@ -x c++ $< $(SIM_SAMPLES) -x none \
		$(O)/libringdev.a $(O)/cudasim/libcudart.so.13 -Wl,-rpath,'$$ORIGIN' \
		$(LDFLAGS) -luring -pthread

$(O)/cudasim/ringbench-gpu.so: tools/ringbench/gpu_helper.cu tools/ringbench/gpu_helper.h \
		$(SIM_SAMPLES) $(SIM_HDRS) $(O)/cudasim/libcudart.so.13
	$(CXX) $(SIM_CXXFLAGS) -fPIC -shared -o $@ -x c++ $< $(SIM_SAMPLES) -x none \
		$(O)/cudasim/libcudart.so.13 -Wl,-rpath,'$$ORIGIN' -pthread
else
cudasim:
	@echo "cudasim: no CUDA headers (libcu++ under $(or $(CUDA_INC),CUDA_INC)); skipped"
endif
# ---- CUDA (end) ------------------------------------------------------------
