#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest job for "make demo": load goheap, show every file of its debugfs
# directory, run "goheap demo" when the tool was shipped (/goheap/goheap),
# and unload. Each step is echoed as a "# command" line before its output.

# run CMD... - echo CMD, then run it.
run() {
	echo "# $*"
	"$@"
}

rc=0
run insmod /goheap/goheap.ko || exit 1
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
run rmmod goheap || rc=1
exit $rc
