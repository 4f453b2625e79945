#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# An experimenter's module (tools/testing/kmod/goheap_client.ko, built
# against the installed headers and goheap's Module.symvers) uses goheap
# through its exported API. It refuses to load if any of its own checks
# fails; while it is loaded goheap cannot be unloaded. It holds 100 objects
# of 128 B in a private heap, "client", whose debugfs directory has every
# file of the default heap's and goes when the heap does. Its node check
# puts a large object on every online node.
. /goheap/testlib.sh

# The cell's NUMA nodes (make check boots the 6.12 stock guest with two):
# the client allocates a large object on each online node.
want_nodes=$(cat /goheap/numa-nodes 2>/dev/null || echo 1)
nodes=0
for n in /sys/devices/system/node/node[0-9]*; do
	[ ! -d "$n" ] || nodes=$((nodes + 1))
done
check "the guest has $want_nodes NUMA node(s)" test "$nodes" -eq "$want_nodes"
check "insmod goheap.ko" insmod /goheap/goheap.ko
check "insmod goheap_client.ko (its API checks pass)" insmod /goheap/goheap_client.ko
dmesg | grep 'goheap_client: ' | sed 's/^/    /'
check "rmmod goheap refused while goheap_client uses it" sh -c '! rmmod goheap'
check "goheap still loaded" grep -q '^goheap ' /proc/modules
C=/sys/kernel/debug/goheap/heaps/client
for f in memstats classes pageheap percpu validate; do
	check "heaps/client/$f" test -r "$C/$f"
done
check "heaps/client/memstats: HeapObjects 100, HeapAlloc 12800" \
	sh -c "grep -qx 'HeapObjects 100' $C/memstats && grep -qx 'HeapAlloc 12800' $C/memstats"
check "heaps/client/classes: 100 live objects of 128 B (class 9)" \
	sh -c "awk '\$1 == 9 && \$2 == 128 && \$7 == 100 { f = 1 } END { exit !f }' $C/classes"
check "heaps/client/validate: 0 errors" sh -c "grep -q ', 0 errors$' $C/validate"
check "the default heap does not count the client heap's objects" \
	sh -c "! grep -qx 'HeapObjects 100' /sys/kernel/debug/goheap/memstats"
G=/goheap/goheap
check "goheap --heap client stats: HeapObjects 100" \
	sh -c "$G --heap client stats memstats | grep -Eq 'HeapObjects +100 '"
check "goheap --heap client --json stats: its figures, from debugfs" \
	sh -c "$G --heap client --json stats memstats | grep -q '\"HeapObjects\": 100'"
check "goheap --heap client stats classes: class 9 live 100" \
	sh -c "$G --heap client stats classes | grep -Eq '^ *9 .* 100 '"
check "goheap --heap nosuch stats classes fails (exit 1)" \
	sh -c "$G --heap nosuch stats classes; test \$? -eq 1"
check "goheap --heap ../x is a usage error (exit 2)" \
	sh -c "$G --heap ../x stats classes; test \$? -eq 2"
check "rmmod goheap_client" rmmod goheap_client
check "heaps/client gone with its heap" test ! -e "$C"
check "rmmod goheap" rmmod goheap
