# SPDX-License-Identifier: GPL-2.0
#
# goheap convenience targets. The module itself is built by Kbuild (see
# ./Kbuild and kmod/Kbuild) against the kernel tree in KDIR.
#
#   make              build kmod/goheap.ko for the running kernel
#                     (/lib/modules/$(uname -r)/build), or KDIR=
#   make deps         install every package the harness needs (idempotent)
#   make lint         host-only checks, in seconds: W=1 build, checkpatch
#                     --strict (kmod/, uapi/, tools/), kernel-doc, uapi C90
#   make check        all tests: make lint, host checks, then every cell of the kernel
#                     matrix (tools/testing/vm/kernels.sh); KERNELS="6.12 ..."
#                     runs only those cells
#   make demo         boot the stock guest, load goheap, show its stats
#   make bench        benchmarks against kmalloc/SLUB and the buddy allocator
#                     in stock guests (2 and 4 CPUs, init_on_alloc=0 and the
#                     default): .build/bench/report.md and charts
#   make bench-icount the same in deterministic mode (qemu -icount: figures are
#                     guest instruction counts), 1 CPU, init_on_alloc=0:
#                     .build/bench-icount/report.md
#   make stress       the stress test alone, long, in the debug guest (4 CPUs):
#                     GOHEAP_STRESS_SECONDS=600 by default
#   make debug-kernel build the 6.1 debug guest kernel (cached; make check does it)
#   make kernels      build every built kernel of the matrix (KERNELS= to choose)
#   make install      install the module, goheap tool, uapi header, udev rule (DESTDIR=,
#                     PREFIX=/usr/local); make uninstall removes them
#   make dkms-src     stage a DKMS source tree in $(DESTDIR)/usr/src/goheap-VERSION
#   make dkms-test    dkms add/build/remove a throw-away copy for Debian 12's 6.1
#                     and 6.12 kernels (DKMS_KERNELS=)
#   make htmldocs     build Documentation/ with Sphinx into .build/htmldocs
#   make clean

.DEFAULT_GOAL := all
VM := tools/testing/vm
# As every out-of-tree module: the running kernel's build tree unless KDIR=
# says otherwise. (The test harness picks each guest kernel itself.)
KDIR ?= /lib/modules/$(shell uname -r)/build
VERSION := 0.1.0
PREFIX ?= /usr/local
# The release the module is installed for: the one KDIR belongs to.
KREL ?= $(shell sed -n 's/^#define UTS_RELEASE "\(.*\)"/\1/p' $(KDIR)/include/generated/utsrelease.h 2>/dev/null)

# Static binaries shipped to /goheap/ in every guest (the goheap tool,
# selftests, ...). Add each one here with a rule that builds it statically.
# GUEST_ARCH=arm64 cross-compiles them into .build/arm64/ for the arm64
# guests.
GUEST_ARCH ?= x86_64
ifeq ($(GUEST_ARCH),arm64)
GUEST_OUT := .build/arm64
GUEST_CC := aarch64-linux-gnu-gcc
else
GUEST_OUT := .build
GUEST_CC := $(CC)
endif
GUEST_BINS := $(GUEST_OUT)/selftests/goheap_dev_test $(GUEST_OUT)/tools/goheap \
	      $(GUEST_OUT)/selftests/goheap_fuzz $(GUEST_OUT)/selftests/goheap_charge_test

$(GUEST_OUT)/selftests/goheap_dev_test: FORCE
	@$(MAKE) -s -C tools/testing/selftests/goheap CC=$(GUEST_CC) \
		OUTPUT=$(CURDIR)/$(GUEST_OUT)/selftests

# The accounting tests (guest/selftests.sh): the sub-make above builds them.
$(GUEST_OUT)/selftests/goheap_charge_test: $(GUEST_OUT)/selftests/goheap_dev_test
	@test -x $@

# The /dev/goheap fuzzer (guest/fuzz.sh). The sub-make above builds it too:
# wait for it, so that the two never write the binary at once under -j.
$(GUEST_OUT)/selftests/goheap_fuzz: $(GUEST_OUT)/selftests/goheap_dev_test FORCE
	@$(MAKE) -s -C tools/testing/selftests/goheap CC=$(GUEST_CC) \
		OUTPUT=$(CURDIR)/$(GUEST_OUT)/selftests fuzz

# The goheap tool (tools/goheap), shipped as /goheap/goheap.
$(GUEST_OUT)/tools/goheap: FORCE
	@$(MAKE) -s -C tools/goheap CC=$(GUEST_CC) OUTPUT=$(CURDIR)/$(GUEST_OUT)/tools

# The user-space side of the stress test (tools/testing/vm/guest/stress.sh).
GUEST_BINS += $(GUEST_OUT)/selftests/goheap_span_stress

$(GUEST_OUT)/selftests/goheap_span_stress: tools/testing/selftests/goheap/goheap_span_stress.c \
		uapi/linux/goheap.h
	@mkdir -p $(@D)
	@$(GUEST_CC) -O2 -Wall -Wextra -Werror -std=gnu11 -static -Iuapi -o $@ $<

FORCE:

.PHONY: all modules deps lint check demo bench bench-icount stress debug-kernel kernels guest-bins print-guest-bins clean \
	install uninstall dkms-src dkms-test htmldocs

all: modules

modules:
	@test -e $(KDIR)/Makefile || { \
		echo "no kernel build tree in $(KDIR): install linux-headers-$$(uname -r)," >&2; \
		echo "or pass KDIR= (installed: $$(ls -d /usr/src/linux-headers-* 2>/dev/null | \
			grep -v -- '-common' | tr '\n' ' '))" >&2; exit 1; }
	@echo "building goheap for $$(sed -n 's/^#define UTS_RELEASE "\(.*\)"/\1/p' \
		$(KDIR)/include/generated/utsrelease.h 2>/dev/null || echo '?') ($(KDIR))"
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

deps:
	@$(VM)/deps.sh

lint:
	@$(VM)/deps.sh lint
	@$(VM)/lint.sh

check: deps
	@$(VM)/check.sh

demo:
	@$(VM)/deps.sh stock
	@$(VM)/demo.sh

bench: deps
	@$(VM)/bench.sh

bench-icount: deps
	@BENCH_ICOUNT=1 $(VM)/bench.sh

stress: deps
	@$(VM)/stress.sh

debug-kernel: deps
	@bash -c '. $(VM)/lib.sh && ensure_debug_kernel'

# Every built kernel of the matrix (KERNELS= to choose), cached as make
# check would build them.
kernels: deps
	@bash -c '. $(VM)/lib.sh && for c in $$(cells_selected); do \
		cell_stock $$c >/dev/null || ensure_kernel $$c || exit 1; done'

# Used by the VM harness (lib.sh: guest_bins).
guest-bins: $(GUEST_BINS)
	@:

print-guest-bins:
	@echo $(abspath $(GUEST_BINS))

install: modules .build/tools/goheap
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_PATH=$(DESTDIR) INSTALL_MOD_DIR=updates \
		DEPMOD=true modules_install
	install -D -m 0755 .build/tools/goheap $(DESTDIR)$(PREFIX)/bin/goheap
	install -D -m 0644 uapi/linux/goheap.h $(DESTDIR)$(PREFIX)/include/linux/goheap.h
	install -D -m 0644 tools/dkms/60-goheap.rules $(DESTDIR)/etc/udev/rules.d/60-goheap.rules
	[ -n "$(DESTDIR)" ] || depmod -a $(KREL)

uninstall:
	rm -f $(DESTDIR)/lib/modules/$(KREL)/updates/kmod/goheap.ko
	rm -f $(DESTDIR)/lib/modules/$(KREL)/updates/kmod/bench/goheap_bench.ko
	rm -f $(DESTDIR)$(PREFIX)/include/linux/goheap.h
	rm -f $(DESTDIR)$(PREFIX)/bin/goheap
	rm -f $(DESTDIR)/etc/udev/rules.d/60-goheap.rules
	[ -n "$(DESTDIR)" ] || depmod -a $(KREL)

dkms-src:
	tools/dkms/dkms.sh src $(DESTDIR)/usr/src/goheap-$(VERSION) $(VERSION)

# The kernels make dkms-test builds for: Debian 12's 6.1 and 6.12.
DKMS_KERNELS ?= $(shell bash -c '. $(VM)/lib.sh && stock_release "$$(cell_stock 6.1)" && \
	stock_release "$$(cell_stock 6.12)"')

dkms-test: deps
	tools/dkms/dkms.sh test $(VERSION) $(DKMS_KERNELS)

htmldocs:
	@sphinx-build -q -W -b html Documentation .build/htmldocs

# Without a kernel tree, remove what Kbuild leaves in kmod/ by name.
clean:
	if [ -e $(KDIR)/Makefile ]; then $(MAKE) -C $(KDIR) M=$(CURDIR) clean; else \
		find Kbuild kmod \( -name '*.o' -o -name '*.ko' -o -name '*.mod' -o -name '*.mod.c' \
			-o -name '.*.cmd' -o -name '*.order' -o -name '*.symvers' \) -delete; fi
	rm -rf .build
