#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Load and unload goheap.ko twice (lkmpg style: the second round catches
# state the first unload left behind): insmod succeeds and creates
# /sys/kernel/debug/goheap/; rmmod succeeds and removes it.
. /goheap/testlib.sh

for round in 1 2; do
	check "insmod goheap.ko (round $round)" insmod /goheap/goheap.ko
	check "debugfs goheap/ present (round $round)" test -d /sys/kernel/debug/goheap
	check "rmmod goheap (round $round)" rmmod goheap
	check "debugfs goheap/ gone (round $round)" test ! -e /sys/kernel/debug/goheap
done
