#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The debugfs files have the documented format (Documentation/debugfs.rst),
# and memstats follows a known workload: goheap_client holding 16 MiB.
. /goheap/testlib.sh

D=/sys/kernel/debug/goheap
MEMSTATS_NAMES="Sys HeapSys HeapAlloc HeapInuse HeapIdle HeapReleased HeapObjects Mallocs
Frees TotalAlloc MSpanInuse MSpanSys MCacheInuse MCacheSys OtherSys LargeObjects LargeAlloc
TinyObjects TinyAlloc TinyBlocks PerCPUCachedObjects PerCPUCachedBytes CentralCachedObjects
CentralCachedBytes Chunks Grows GrowFallbacks Releases ReleasedBytes Scavenges HeapLimit
InvalidFrees InteriorFrees DoubleFrees PoisonErrors RedzoneErrors PerCPUSpanBytes"

stat() {
	awk -v k="$1" '$1 == k { print $2 }' $D/memstats
}

memstats_format() {
	n=0
	for name in $MEMSTATS_NAMES; do
		grep -Eq "^$name [0-9]+\$" $D/memstats || { echo "no line '$name <number>'"; return 1; }
		n=$((n + 1))
	done
	[ "$(wc -l <$D/memstats)" -eq "$n" ] || { echo "extra lines"; return 1; }
}

classes_format() {
	head -1 $D/classes | grep -Eq '^ *class +size +span +objs +mallocs +frees +live +live_bytes +partial +full +pcpu +central +refills +flushes +frag_bytes$' || return 1
	[ "$(wc -l <$D/classes)" -eq 70 ] || { echo "want 70 lines"; return 1; }
	awk 'NR > 1 && NF != 15 { print "row " NR ": " NF " fields"; bad = 1 } END { exit bad }' $D/classes || return 1
	awk 'NR > 1 && NR <= 67 && $1 != NR - 1 { bad = 1 } END { exit bad }' $D/classes || return 1
	[ "$(awk 'NR == 68 { print $1 } NR == 69 { print $1 } NR == 70 { print $1 }' $D/classes | tr '\n' ' ')" = "tiny large total " ]
}

pageheap_format() {
	for k in HeapPageSize Chunks PagesTotal PagesInuse PagesFree PagesReleased LargestFreeRun Grows GrowFallbacks Releases ReleasedBytes; do
		grep -Eq "^$k [0-9]+\$" $D/pageheap || { echo "no $k"; return 1; }
	done
	grep -Eq '^free_run_pages +runs$' $D/pageheap
}

percpu_format() {
	head -1 $D/percpu | grep -Eq '^ *cpu +online +cached +cached_bytes +mallocs +frees +refills +flushes +drains$' || return 1
	ncpu=$(ls -d /sys/devices/system/cpu/cpu[0-9]* | wc -l)
	[ "$(wc -l <$D/percpu)" -ge $((ncpu + 1)) ]
}

heap_invariants() {
	[ "$(stat HeapSys)" -eq $(($(stat HeapInuse) + $(stat HeapIdle))) ] &&
	[ "$(stat HeapIdle)" -ge "$(stat HeapReleased)" ] &&
	[ "$(stat Sys)" -eq $(($(stat HeapSys) + $(stat MSpanSys) + $(stat MCacheSys) + $(stat OtherSys))) ]
}

check "insmod goheap.ko" insmod /goheap/goheap.ko
check "memstats format" memstats_format
check "classes format" classes_format
check "pageheap format" pageheap_format
check "percpu format" percpu_format
check "fresh heap holds no objects" test "$(stat HeapObjects)" -eq 0
check "insmod goheap_client.ko hold_mb=16" insmod /goheap/goheap_client.ko hold_mb=16
check "HeapAlloc >= 16 MiB while held" test "$(stat HeapAlloc)" -ge $((16 << 20))
check "HeapInuse >= HeapAlloc" test "$(stat HeapInuse)" -ge "$(stat HeapAlloc)"
check "HeapObjects = Mallocs - Frees" test "$(stat HeapObjects)" -eq $(($(stat Mallocs) - $(stat Frees)))
check "heap invariants" heap_invariants
check "no misuse" test $(($(stat InvalidFrees) + $(stat InteriorFrees) + $(stat DoubleFrees))) -eq 0
check "validate: 0 errors while the client holds 16 MiB" validate_clean
echo "    validate while held: $(tail -n 1 $D/validate)"
check "validate is root-only (mode 0400)" sh -c '[ "$(stat -c %a '$D'/validate)" = 400 ]'
check "rmmod goheap_client" rmmod goheap_client
check "HeapObjects 0 after the client frees all" test "$(stat HeapObjects)" -eq 0
check "Mallocs = Frees" test "$(stat Mallocs)" -eq "$(stat Frees)"
check "heap invariants after free" heap_invariants
check "validate: 0 errors after the client frees all" validate_clean
echo "    memstats after the workload:"
sed 's/^/    /' $D/memstats
check "rmmod goheap" rmmod goheap

# Debug mode on the default heap: the client's own checks pass, nothing is
# found, and validate (which then also checks poison and red zones) agrees.
check "insmod goheap.ko debug=all" insmod /goheap/goheap.ko debug=all
check "dmesg names the debug mode" sh -c 'dmesg | grep -q "goheap: loaded: .*debug mode PZU"'
check "insmod goheap_client.ko hold_mb=4 on the debug heap" \
	insmod /goheap/goheap_client.ko hold_mb=4 churn_mb=4
check "validate: 0 errors on the debug heap while held" validate_clean
echo "    validate on the debug heap: $(tail -n 1 $D/validate)"
check "rmmod goheap_client (debug heap)" rmmod goheap_client
check "no corruption found" test $(($(stat PoisonErrors) + $(stat RedzoneErrors))) -eq 0
check "no misuse (debug heap)" \
	test $(($(stat InvalidFrees) + $(stat InteriorFrees) + $(stat DoubleFrees))) -eq 0
check "HeapObjects 0 (debug heap)" test "$(stat HeapObjects)" -eq 0
check "rmmod goheap (debug heap)" rmmod goheap
check "insmod goheap.ko debug=X is refused" sh -c '! insmod /goheap/goheap.ko debug=X'
check "goheap not loaded after the refusal" sh -c '! grep -q "^goheap " /proc/modules'
check "dmesg says why" sh -c 'dmesg | grep -q "debug takes letters P, Z and U, or all"'

