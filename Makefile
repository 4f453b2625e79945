# SPDX-License-Identifier: GPL-2.0
#
# goheap convenience targets. The module itself is built by Kbuild (see
# ./Kbuild and kmod/Kbuild) against the kernel tree in KDIR.
#
#   make              build kmod/goheap.ko against Debian's installed headers
#   make deps         install every package the harness needs (idempotent)
#   make check        all tests: host checks, stock guest, debug guest (KUnit)
#   make demo         boot the stock guest, load goheap, show its stats
#   make debug-kernel build the debug guest kernel (cached; make check does it)
#   make clean

.DEFAULT_GOAL := all
VM := tools/testing/vm
# The build machine's running kernel is not the target: pick the newest
# installed Debian kernel that has headers and an image.
STOCK_KVER ?= $(shell bash -c '. $(VM)/lib.sh && stock_kver')
KDIR ?= /usr/src/linux-headers-$(STOCK_KVER)

# Static binaries shipped to /goheap/ in every guest (the goheap tool,
# selftests, ...). Add each one here with a rule that builds it statically.
GUEST_BINS := .build/selftests/goheap_dev_test

.build/selftests/goheap_dev_test: FORCE
	@$(MAKE) -s -C tools/testing/selftests/goheap OUTPUT=$(CURDIR)/.build/selftests

FORCE:

.PHONY: all modules deps check demo debug-kernel guest-bins print-guest-bins clean

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

deps:
	@$(VM)/deps.sh

check: deps
	@$(VM)/check.sh

demo: deps
	@$(VM)/demo.sh

debug-kernel: deps
	@bash -c '. $(VM)/lib.sh && ensure_debug_kernel'

# Used by the VM harness (lib.sh: guest_bins).
guest-bins: $(GUEST_BINS)
	@:

print-guest-bins:
	@echo $(abspath $(GUEST_BINS))

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	rm -rf .build
