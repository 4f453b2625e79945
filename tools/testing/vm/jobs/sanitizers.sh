#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest job (debug kernel, booted with kasan_multi_shot and kmemleak=on):
# the suites that make KASAN and kmemleak report on purpose, in a boot of
# their own. A KASAN report taints the kernel, which turns lockdep off for
# the rest of the boot, and kmemleak slows every allocation and adds
# allocation points of its own, so neither may touch the main debug run.
#
# goheap_sanitizer_kunit.ko's KTAP goes between the GOHEAP-KUNIT-BEGIN and
# GOHEAP-KUNIT-END markers, as in jobs/kunit.sh. Its kmemleak suite leaks
# one 1234 B object of the default heap; kmemleak must report it (with the
# suite's function in its backtrace) and forget it once goheap is unloaded.
. /goheap/testlib.sh

KMEMLEAK=/sys/kernel/debug/kmemleak

# leak_reported - kmemleak's last scan lists goheap_kmemleak's 1234 B object.
leak_reported() {
	awk '/^unreferenced object / { ours = /\(size 1234\)/ }
	     ours && /goheap_kmemleak_leak/ { found = 1 }
	     END { exit !found }' "$KMEMLEAK"
}

echo "GOHEAP-TEST: sanitizers"
check "insmod goheap.ko" insmod /goheap/goheap.ko
echo "GOHEAP-KUNIT-BEGIN" >/dev/kmsg
check "insmod goheap_sanitizer_kunit.ko" insmod /goheap/goheap_sanitizer_kunit.ko
echo "GOHEAP-KUNIT-END" >/dev/kmsg
if [ -w "$KMEMLEAK" ]; then
	# kmemleak only reports objects older than 5 s. The suite's module stays
	# loaded so that the backtrace names its function.
	sleep 6
	echo scan >"$KMEMLEAK"
	check "kmemleak reports the 1234 B object goheap_kmemleak leaked" leak_reported
	leak_reported || sed -n '1,40s/^/    /p' "$KMEMLEAK"
	check "rmmod goheap_sanitizer_kunit" rmmod goheap_sanitizer_kunit
	check "rmmod goheap (the leaked object still in its heap)" rmmod goheap
	echo scan >"$KMEMLEAK"
	check "kmemleak forgets the object once goheap is unloaded" eval '! leak_reported'
else
	skip "kmemleak reports a leaked goheap object" "kmemleak is off"
	check "rmmod goheap_sanitizer_kunit" rmmod goheap_sanitizer_kunit
	check "rmmod goheap" rmmod goheap
fi
exit "$failed"
