#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Module lifecycle: goheap cannot be unloaded while a module that uses it
# is loaded or /dev/goheap is open, and 100 load/unload cycles (every tenth
# with the API client holding objects until it goes) give back every page:
# free memory, counted with the buddy allocator's per-CPU lists, ends
# where it started, within 1 MiB.
. /goheap/testlib.sh

memfree_kb() {
	pcp=$(awk '$1 == "count:" { n += $2 } END { print n + 0 }' /proc/zoneinfo)
	awk -v pcp="$pcp" '$1 == "MemFree:" { print $2 + pcp * 4 }' /proc/meminfo
}

cycles() {
	i=0
	while [ $i -lt 100 ]; do
		insmod /goheap/goheap.ko || return 1
		if [ $((i % 10)) = 0 ]; then
			insmod /goheap/goheap_client.ko hold_mb=2 || return 1
			rmmod goheap_client || return 1
		fi
		rmmod goheap || return 1
		i=$((i + 1))
	done
}

check "insmod goheap.ko" insmod /goheap/goheap.ko
exec 3</dev/goheap
check "rmmod refused while /dev/goheap is open" sh -c '! rmmod goheap'
exec 3<&-
check "rmmod goheap once the file is closed" rmmod goheap

# One cycle first, so that first-load allocations (module text, sysfs)
# are not counted as a leak.
insmod /goheap/goheap.ko && rmmod goheap
base=$(memfree_kb)
check "100 load/unload cycles" cycles
after=$(memfree_kb)
echo "    free memory $base -> $after KiB over 100 cycles"
check "100 cycles leak less than 1 MiB" test $((base - after)) -le 1024
