#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest job (stock kernel): run every guest test in /goheap/tests/ (copied
# from tools/testing/vm/guest/*.sh) in name order. Before each it prints
# "GOHEAP-TEST: <name>" on the result channel and writes a marker to the
# kernel log, so kernel messages can be matched to the test that caused them.
# A test that exits non-zero, or leaves goheap or goheap_bench loaded, gets an
# extra FAIL line (and they are unloaded so the next test starts clean).
#
# Exit status: 1 if any test printed a FAIL line, else 0.

failed=0
for t in /goheap/tests/*.sh; do
	[ -e "$t" ] || continue
	name=${t##*/}
	echo "GOHEAP-TEST: $name"
	echo "goheap-guest: test $name" >/dev/kmsg
	rc=0
	sh "$t" >/tmp/test.out 2>&1 || rc=$?
	cat /tmp/test.out
	if [ "$rc" != 0 ]; then
		echo "FAIL: exit status $rc"
	fi
	for m in goheap_bench goheap; do
		if grep -q "^$m " /proc/modules; then
			echo "FAIL: left $m loaded"
			rmmod "$m"
		fi
	done
	if [ "$rc" != 0 ] || grep -q '^FAIL:' /tmp/test.out; then
		failed=1
	fi
done
echo "goheap-guest: tests done" >/dev/kmsg
exit $failed
