# SPDX-License-Identifier: GPL-2.0
#
# goheap convenience targets. The module itself is built by Kbuild (see
# ./Kbuild and kmod/Kbuild) against the kernel tree in KDIR.
#
#   make              build kmod/goheap.ko against Debian's installed headers
#   make deps         install every package the harness needs (idempotent)
#   make check        all tests: host checks, stock guest, debug guest (KUnit)
#   make demo         boot the stock guest, load goheap, show its stats
#   make clean

VM := tools/testing/vm
# The build machine's running kernel is not the target: pick the newest
# installed Debian kernel that has headers and an image.
STOCK_KVER ?= $(shell bash -c '. $(VM)/lib.sh && stock_kver')
KDIR ?= /usr/src/linux-headers-$(STOCK_KVER)

.PHONY: all modules deps check demo clean

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

deps:
	$(VM)/deps.sh

check: deps
	$(VM)/check.sh

demo: deps
	$(VM)/demo.sh

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	rm -rf .build
