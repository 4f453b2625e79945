#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Giving memory back (Documentation/design.rst, "Giving memory back"):
# 256 MiB of mixed sizes are allocated and freed (goheap_client churn_mb),
# then the shrinker (drop_caches), or the scavenger alone, must return at
# least 95 % of the pages, seen from /proc/meminfo and from goheap; and a
# memory limit makes allocation fail cleanly.
. /goheap/testlib.sh

D=/sys/kernel/debug/goheap
stat() {
	awk -v k="$1" '$1 == k { print $2 }' $D/memstats
}
# held - bytes of pages goheap holds: chunks minus the holes released in them.
held() {
	echo $(($(stat HeapSys) - $(stat HeapReleased)))
}
# memfree_kb - free memory: MemFree plus the pages freed onto the buddy
# allocator's per-CPU lists, which MemFree does not count.
memfree_kb() {
	pcp=$(awk '$1 == "count:" { n += $2 } END { print n + 0 }' /proc/zoneinfo)
	awk -v pcp="$pcp" '$1 == "MemFree:" { print $2 + pcp * 4 }' /proc/meminfo
}
# at_least_95 TAKEN BACK - BACK is at least 95 % of TAKEN.
at_least_95() {
	[ "$2" -ge 0 ] && [ $(($2 * 100)) -ge $(($1 * 95)) ]
}

# Shrinker.
check "insmod goheap.ko scavenge_idle_secs=0" insmod /goheap/goheap.ko scavenge_idle_secs=0
base=$(memfree_kb)
check "churn 256 MiB" insmod /goheap/goheap_client.ko churn_mb=256
rmmod goheap_client
peak=$(memfree_kb)
held=$(held)
echo 2 >/proc/sys/vm/drop_caches
after=$(memfree_kb)
left=$(held)
echo "    shrinker: held $held -> $left bytes; MemFree $base -> $peak -> $after KiB"
check "goheap held >= 200 MiB after the churn" test "$held" -ge $((200 << 20))
check "shrinker: held down to <= 5 %" test $((left * 20)) -le "$held"
check "shrinker: MemFree got >= 95 % back" at_least_95 $((base - peak)) $((after - peak))
check "rmmod goheap" rmmod goheap

# Scavenger alone (idle time 1 s).
check "insmod goheap.ko scavenge_idle_secs=1" insmod /goheap/goheap.ko scavenge_idle_secs=1
check "churn 256 MiB" insmod /goheap/goheap_client.ko churn_mb=256
rmmod goheap_client
peak=$(memfree_kb)
held=$(held)
# The page heap counts chunks as released before it frees their pages (a
# pass of the scavenger frees them after dropping the heap lock), so wait
# for MemFree as well.
t=0
while { [ $(($(held) * 20)) -gt "$held" ] ||
	! at_least_95 $((held / 1024)) $(($(memfree_kb) - peak)); } && [ $t -lt 60 ]; do
	sleep 1
	t=$((t + 1))
done
after=$(memfree_kb)
left=$(held)
echo "    scavenger: held $held -> $left bytes in ${t} s; MemFree $peak -> $after KiB; ReleasedBytes $(stat ReleasedBytes); Scavenges $(stat Scavenges)"
check "scavenger: held down to <= 5 % within 60 s" test $((left * 20)) -le "$held"
check "scavenger: MemFree got >= 95 % back" at_least_95 $((held / 1024)) $((after - peak))
check "rmmod goheap" rmmod goheap

# Memory limit: 32 MiB.
check "insmod goheap.ko max_heap_bytes=32M" insmod /goheap/goheap.ko max_heap_bytes=33554432
check "holding 64 MiB fails at the limit" sh -c '! insmod /goheap/goheap_client.ko hold_mb=64'
check "HeapSys never above the limit" test "$(stat HeapSys)" -le 33554432
check "HeapLimit reported" test "$(stat HeapLimit)" -eq 33554432
check "holding 16 MiB works under the limit" insmod /goheap/goheap_client.ko hold_mb=16
check "rmmod goheap_client" rmmod goheap_client
check "rmmod goheap" rmmod goheap
