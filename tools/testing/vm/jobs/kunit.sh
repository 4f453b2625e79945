#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest job (kernels with KUnit): load goheap.ko, then each suite module
# named in /goheap/kunit-modules, in that order (one module per suite,
# goheap_<suite>_kunit.ko; the host picks them, see KUNIT= in check.sh).
# Each suite runs while its module loads and prints KTAP to the kernel log;
# the whole run sits between the markers GOHEAP-KUNIT-BEGIN and
# GOHEAP-KUNIT-END, which the host cuts out of the console log and hands to
# kunit.py parse. Every module is unloaded right after its suite, then
# goheap; every step is a check of its own.
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
for m in $(cat /goheap/kunit-modules); do
	check "insmod $m" insmod "/goheap/$m"
	check "rmmod ${m%.ko}" rmmod "${m%.ko}"
done
echo "GOHEAP-KUNIT-END" >/dev/kmsg
# lockdep has learned the per-CPU claim's order (a lockdep map of its own,
# goheap_cpu_claim; on PREEMPT_RT the claim is a spinlock_t, rt_lock). Only
# a run with goheap_api is sure to nest locks in the claim (its caches
# overflow and drain); a KUNIT= selection without it may never do so.
if [ -r /proc/lockdep ] && grep -q goheap_api_kunit /goheap/kunit-modules 2>/dev/null; then
	claim_deps() {
		# A class line starts with its key (hashed, or "(____ptrval____)"
		# early on 6.1), its dependencies with " -> ".
		awk '
			/^[^ ]/ { in_claim = / (goheap_cpu_claim|&cc->rt_lock)$/; next }
			in_claim && /^ -> / { print; n++ }
			END { exit !n }' /proc/lockdep && return 0
		grep -E 'goheap_cpu_claim|&cc->rt_lock' /proc/lockdep | head -n 5
		grep -E 'debug_locks|lock-classes' /proc/lockdep_stats
		return 1
	}
	check "lockdep knows the per-CPU claim and what nests in it" claim_deps
fi
check "rmmod goheap" rmmod goheap
# Then the guest tests shipped to this guest (the /dev/goheap selftests),
# under KASAN, DEBUG_PAGEALLOC and PAGE_TABLE_CHECK.
if [ -e /goheap/tests.sh ]; then
	sh /goheap/tests.sh || failed=1
fi
exit "$failed"
