#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest job for "make demo": load goheap, put a workload on it (the API
# client module holding 8 MiB of mixed sizes, tiny to large), show every
# file of its debugfs directory, run "goheap demo" when the tool was
# shipped (/goheap/goheap), and unload. Each step is echoed as a
# "# command" line before its output.

# run CMD... - echo CMD, then run it.
run() {
	echo "# $*"
	"$@"
}

rc=0
run insmod /goheap/goheap.ko || exit 1
if [ -e /goheap/goheap_client.ko ]; then
	run insmod /goheap/goheap_client.ko hold_mb=8 || rc=1
	dmesg | sed -n 's/.*goheap_client: /goheap_client: /p'
	echo
fi
run ls -l /sys/kernel/debug/goheap || rc=1
for f in $(find /sys/kernel/debug/goheap -type f -perm -0400 | sort); do
	echo
	run cat "$f" || rc=1
done
if [ -x /goheap/goheap ]; then
	echo
	run /goheap/goheap demo || rc=1
fi
echo
if grep -q '^goheap_client ' /proc/modules; then
	run rmmod goheap_client || rc=1
	run grep -E '^(HeapObjects|HeapAlloc|Mallocs|Frees) ' /sys/kernel/debug/goheap/memstats || rc=1
fi
run rmmod goheap || rc=1
exit $rc
