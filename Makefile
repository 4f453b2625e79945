# SPDX-License-Identifier: GPL-2.0
#
# goheap convenience targets. The module itself is built by Kbuild (see
# ./Kbuild and kmod/Kbuild) against the kernel tree in KDIR.
#
#   make              build kmod/goheap.ko against Debian's installed headers
#   make deps         install every package the harness needs (idempotent)
#   make check        all tests: host checks, stock guest, debug guest (KUnit)
#   make demo         boot the stock guest, load goheap, show its stats
#   make bench        benchmarks against kmalloc/SLUB and the buddy allocator
#                     in stock guests (2 and 4 CPUs, init_on_alloc=0 and the
#                     default): .build/bench/report.md and charts
#   make bench-icount the same in deterministic mode (qemu -icount: figures are
#                     guest instruction counts), 1 CPU, init_on_alloc=0:
#                     .build/bench-icount/report.md
#   make stress       the stress test alone, long, in the debug guest (4 CPUs):
#                     GOHEAP_STRESS_SECONDS=600 by default
#   make debug-kernel build the debug guest kernel (cached; make check does it)
#   make install      install the module, goheap tool, uapi header, udev rule (DESTDIR=,
#                     PREFIX=/usr/local); make uninstall removes them
#   make dkms-src     stage a DKMS source tree in $(DESTDIR)/usr/src/goheap-VERSION
#   make dkms-test    dkms add/build/remove a throw-away copy for the stock kernel
#   make htmldocs     build Documentation/ with Sphinx into .build/htmldocs
#   make clean

.DEFAULT_GOAL := all
VM := tools/testing/vm
# The build machine's running kernel is not the target: pick the newest
# installed Debian kernel that has headers and an image.
STOCK_KVER ?= $(shell bash -c '. $(VM)/lib.sh && stock_kver')
KDIR ?= /usr/src/linux-headers-$(STOCK_KVER)
VERSION := 0.1.0
PREFIX ?= /usr/local
# The release the module is installed for: the one KDIR belongs to.
KREL ?= $(shell sed -n 's/^#define UTS_RELEASE "\(.*\)"/\1/p' $(KDIR)/include/generated/utsrelease.h 2>/dev/null)

# Static binaries shipped to /goheap/ in every guest (the goheap tool,
# selftests, ...). Add each one here with a rule that builds it statically.
GUEST_BINS := .build/selftests/goheap_dev_test .build/tools/goheap .build/selftests/goheap_fuzz

.build/selftests/goheap_dev_test: FORCE
	@$(MAKE) -s -C tools/testing/selftests/goheap OUTPUT=$(CURDIR)/.build/selftests

# The /dev/goheap fuzzer (guest/fuzz.sh). The sub-make above builds it too:
# wait for it, so that the two never write the binary at once under -j.
.build/selftests/goheap_fuzz: .build/selftests/goheap_dev_test FORCE
	@$(MAKE) -s -C tools/testing/selftests/goheap OUTPUT=$(CURDIR)/.build/selftests fuzz

# The goheap tool (tools/goheap), shipped as /goheap/goheap.
.build/tools/goheap: FORCE
	@$(MAKE) -s -C tools/goheap OUTPUT=$(CURDIR)/.build/tools

# The user-space side of the stress test (tools/testing/vm/guest/stress.sh).
GUEST_BINS += .build/selftests/goheap_span_stress

.build/selftests/goheap_span_stress: tools/testing/selftests/goheap/goheap_span_stress.c \
		uapi/linux/goheap.h
	@mkdir -p $(@D)
	@$(CC) -O2 -Wall -Wextra -Werror -std=gnu11 -static -Iuapi -o $@ $<

FORCE:

.PHONY: all modules deps check demo bench bench-icount stress debug-kernel guest-bins print-guest-bins clean \
	install uninstall dkms-src dkms-test htmldocs

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

deps:
	@$(VM)/deps.sh

check: deps
	@$(VM)/check.sh

demo: deps
	@$(VM)/demo.sh

bench: deps
	@$(VM)/bench.sh

bench-icount: deps
	@BENCH_ICOUNT=1 $(VM)/bench.sh

stress: deps
	@$(VM)/stress.sh

debug-kernel: deps
	@bash -c '. $(VM)/lib.sh && ensure_debug_kernel'

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
	rm -f $(DESTDIR)$(PREFIX)/include/linux/goheap.h
	rm -f $(DESTDIR)$(PREFIX)/bin/goheap
	rm -f $(DESTDIR)/etc/udev/rules.d/60-goheap.rules
	[ -n "$(DESTDIR)" ] || depmod -a $(KREL)

dkms-src:
	tools/dkms/dkms.sh src $(DESTDIR)/usr/src/goheap-$(VERSION) $(VERSION)

dkms-test: deps
	tools/dkms/dkms.sh test $(VERSION) $(KREL)

htmldocs:
	@sphinx-build -q -W -b html Documentation .build/htmldocs

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	rm -rf .build
