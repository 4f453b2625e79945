#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The /dev/goheap fuzzer (tools/testing/selftests/goheap/fuzz/,
# shipped as /goheap/goheap_fuzz): random sequences of goheap ioctls, mmaps,
# munmaps, mremaps, mprotects, madvises, page touches, forks (children that
# exit, children killed with SIGKILL), closes and signals, with random and
# boundary values, every result checked against the fuzzer's own model of
# the ABI. On a kernel with fault injection (the debug guest) it also makes
# SPAN_ALLOC, mmap() (vm_insert_pages() of prefaulted spans) and first
# touches fail through /proc/thread-self/fail-nth, and each failure must be
# clean.
#
# Two fixed seeds as root (who also varies max_file_pages), then one as
# uid 1000 (held to RLIMIT_MEMLOCK, no PFNs), each for a bounded time. Each
# run is one PASS or FAIL line with the fuzzer's summary indented under it;
# a FAIL shows the operation that did not match the model, the ones before
# it and how to replay it. Each run ends with HeapInuse back where it
# started; then goheap must unload (no span, file or mapping left behind).
. /goheap/testlib.sh

BIN=/goheap/goheap_fuzz
ROOT_SEEDS="1 2"
ROOT_SECS=15
USER_SEED=3
USER_SECS=10

if [ ! -x "$BIN" ]; then
	skip "fuzzer" "$BIN not shipped"
	exit 0
fi

# Injected failures stay quiet (no stack dump, which the splat scan would
# flag) and may hit sleeping and order-0 allocations, as in jobs/kunit.sh.
# With probability 0 nothing fails unless the fuzzer sets its fail-nth. A
# page table that cannot be allocated on a first touch makes the kernel log
# "Huh VM_FAULT_OOM leaked out to the #PF handler. Retrying PF": expected.
for f in failslab/verbose fail_page_alloc/verbose failslab/ignore-gfp-wait \
	 fail_page_alloc/ignore-gfp-wait fail_page_alloc/min-order; do
	[ ! -w "/sys/kernel/debug/$f" ] || echo 0 >"/sys/kernel/debug/$f"
done

# fuzz NAME CMD... - one fuzzer run: PASS, FAIL or SKIP, its output indented.
fuzz() {
	_name=$1
	shift
	echo "goheap-guest: check $_name" >/dev/kmsg
	_rc=0
	"$@" >/tmp/fuzz.out 2>&1 || _rc=$?
	case $_rc in
	0) echo "PASS: $_name" ;;
	4) echo "SKIP: $_name (no /dev/goheap)" ;;
	*)
		echo "FAIL: $_name (exit status $_rc)"
		failed=1
		;;
	esac
	sed 's/^/    /' /tmp/fuzz.out
}


check "insmod goheap.ko dev_mode=0666" insmod /goheap/goheap.ko dev_mode=0666
if [ ! -e /dev/goheap ]; then
	skip "fuzzer" "no /dev/goheap"
	exit 0
fi
for seed in $ROOT_SEEDS; do
	fuzz "root, seed $seed, ${ROOT_SECS} s" "$BIN" -s "$seed" -t "$ROOT_SECS"
done
# as_user's su would take the fuzzer's options for its own: wrap them.
printf '#!/bin/sh\nexec %s -s %s -t %s\n' "$BIN" "$USER_SEED" "$USER_SECS" >/tmp/fuzz-user.sh
chmod 0755 /tmp/fuzz-user.sh
fuzz "uid 1000, seed $USER_SEED, ${USER_SECS} s" as_user /tmp/fuzz-user.sh
check "rmmod goheap after the fuzzer" rmmod_settled
