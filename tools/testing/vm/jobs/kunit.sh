#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest job (debug kernel): load goheap.ko, then goheap_kunit.ko, whose
# suites run while it loads and print KTAP to the kernel log between the
# markers GOHEAP-KUNIT-BEGIN and GOHEAP-KUNIT-END (the host cuts that part
# out of the console log and hands it to kunit.py parse). Then unload both;
# every step is a check of its own.
. /goheap/testlib.sh

echo "GOHEAP-TEST: kunit"
check "insmod goheap.ko" insmod /goheap/goheap.ko
# goheap_fault and the selftests inject allocation failures with fail-nth:
# have the injectors stay quiet (by default each prints a stack trace), and
# let them fail sleeping and order-0 allocations too. With probability 0
# they fail nothing unless a task sets its fail-nth.
for f in failslab/verbose fail_page_alloc/verbose failslab/ignore-gfp-wait \
	 fail_page_alloc/ignore-gfp-wait fail_page_alloc/min-order; do
	[ ! -w "/sys/kernel/debug/$f" ] || echo 0 >"/sys/kernel/debug/$f"
done
echo "GOHEAP-KUNIT-BEGIN" >/dev/kmsg
check "insmod goheap_kunit.ko" insmod /goheap/goheap_kunit.ko
echo "GOHEAP-KUNIT-END" >/dev/kmsg
check "rmmod goheap_kunit" rmmod goheap_kunit
check "rmmod goheap" rmmod goheap
# Then the guest tests shipped to this guest (the /dev/goheap selftests),
# under KASAN, DEBUG_PAGEALLOC and PAGE_TABLE_CHECK.
if [ -e /goheap/tests.sh ]; then
	sh /goheap/tests.sh || failed=1
fi
exit "$failed"
