#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest job for "make bench" (stock kernel): load goheap and then its
# benchmark module goheap_bench, run every workload listed in
# /goheap/bench-workloads through /sys/kernel/debug/goheap/bench, one
# "<workload> [key=value ...]" per line ('#' starts a comment), and print the
# result lines of each. Then check that the benchmark left nothing allocated
# in goheap's default heap, and unload both.
#
# Output (the result channel): the bench= lines the module wrote, plus
#   bench=boot cpus=N cmdline="..."          first, what this boot was
#   bench=job workload=W seconds=S status=0  after each workload
#   bench=leakcheck heap_objects=N           after the last one
# A workload that fails prints its error line (bench=... error=-N) and makes
# the job exit 1; the remaining workloads still run.

D=/sys/kernel/debug/goheap
LIST=/goheap/bench-workloads

rc=0
[ -r "$LIST" ] || { echo "bench=error no $LIST"; exit 1; }
insmod /goheap/goheap.ko || exit 1
if ! insmod /goheap/goheap_bench.ko; then
	echo "bench=error insmod goheap_bench.ko failed"
	rmmod goheap
	exit 1
fi
echo "bench=boot cpus=$(grep -c '^processor' /proc/cpuinfo) cmdline=\"$(cat /proc/cmdline)\""
grep -v '^[[:space:]]*\(#\|$\)' "$LIST" >/tmp/workloads
while read -r w; do
	echo "goheap-guest: bench $w" >/dev/kmsg
	start=$(date +%s)
	status=0
	# The write returns when the workload is done; it fails on bad input.
	if ! echo "$w" >"$D/bench"; then
		status=1
	fi
	cat "$D/bench"
	echo "bench=job workload=${w%% *} seconds=$(($(date +%s) - start)) status=$status"
	[ "$status" = 0 ] || rc=1
done </tmp/workloads
objs=$(awk '$1 == "HeapObjects" { print $2 }' "$D/memstats")
echo "bench=leakcheck heap_objects=$objs"
[ "$objs" = 0 ] || rc=1
rmmod goheap_bench || rc=1
rmmod goheap || rc=1
exit $rc
