#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /dev/goheap and the memory cgroup (Documentation/userspace-api.rst, "The
# memory cgroup"). What goheap allocates for one caller, the pages of
# scattered spans among it, is charged to the caller's cgroup, so a cgroup
# v2 memory.max caps a process's scattered spans: GOHEAP_IOC_SPAN_ALLOC
# fails with ENOMEM near the cap, nothing is OOM-killed, and memory.current
# falls back once the process is gone. Heap spans are not charged there
# (their pages are the page heap's; RLIMIT_MEMLOCK and dev_max_bytes bound
# them instead): a process in the same cgroup holds twice memory.max of
# them while memory.current grows by their descriptors only.
#
# cgroup v2 is mounted on /sys/fs/cgroup if it is not yet, and unmounted
# again at the end. Without cgroup v2 or its memory controller (the
# tinyconfig guest kernels have no cgroups; Debian's kernels have both)
# the checks are SKIP, with the reason.
. /goheap/testlib.sh

G=/goheap/goheap
CG=/sys/fs/cgroup
C=$CG/goheap-memcg
T=/tmp/memcg
MAX=$((16 << 20))	# memory.max of the test cgroup
WANT=$((32 << 20))	# span bytes each process asks for: twice memory.max

if [ ! -x "$G" ]; then
	skip "memcg" "$G not shipped"
	exit 0
fi
if ! grep -qw cgroup2 /proc/filesystems; then
	skip "memcg: memory.max caps scattered spans" "no cgroup v2 in this kernel (CONFIG_CGROUPS)"
	exit 0
fi

mounted=0
if ! awk -v m=$CG '$2 == m && $3 == "cgroup2" { f = 1 } END { exit !f }' /proc/mounts; then
	check "mount cgroup2 on $CG" mount -t cgroup2 none $CG
	grep -q " $CG cgroup2 " /proc/mounts || exit 0
	mounted=1
fi

# cleanup - remove the test cgroup, unmount what we mounted.
cleanup() {
	[ ! -d $C ] || rmdir $C
	[ $mounted = 0 ] || umount $CG
}

if ! grep -qw memory $CG/cgroup.controllers; then
	skip "memcg: memory.max caps scattered spans" "no memory controller (CONFIG_MEMCG)"
	cleanup
	exit 0
fi

# event NAME - the count NAME of the test cgroup's memory.events.
event() {
	awk -v k="$1" '$1 == k { print $2 }' $C/memory.events
}

# in_cgroup CMD... - run CMD in the test cgroup (in the background too:
# it becomes CMD itself, so $! is CMD's pid).
IN_CGROUP='echo $$ >"$0/cgroup.procs" && exec "$@"'

# steps N NPAGES [FLAG] - N "alloc NPAGES FLAG" steps of goheap span, comma-separated.
steps() {
	_i=0
	while [ $_i -lt "$1" ]; do
		[ $_i = 0 ] || printf ' , '
		printf 'alloc %s %s' "$2" "$3"
		_i=$((_i + 1))
	done
}

check "insmod goheap.ko" insmod /goheap/goheap.ko
check "goheap info --json" sh -c "$G info --json >$T.info"
hp=$(sed -n 's/.*"heap_page_size": \([0-9]*\).*/\1/p' $T.info | head -n 1)
maxp=$(sed -n 's/.*"max_span_pages": \([0-9]*\).*/\1/p' $T.info | head -n 1)
if [ -z "$hp" ] || [ -z "$maxp" ]; then
	echo "FAIL: goheap info --json gave no heap_page_size or max_span_pages"
	sed 's/^/    /' $T.info | head -n 20
	rmmod goheap
	cleanup
	exit 1
fi
# Spans of 1 MiB (or the largest there is): 32 of them, one per step.
npages=$(( (1 << 20) / hp ))
[ "$npages" -le "$maxp" ] || npages=$maxp
span=$((npages * hp))
n=$((WANT / span))
echo "    memory.max $((MAX >> 20)) MiB; $n spans of $((span >> 10)) KiB per process"

check "enable the memory controller for children" \
	sh -c "echo +memory >$CG/cgroup.subtree_control"
check "make a cgroup with memory.max $((MAX >> 20)) MiB" \
	sh -c "mkdir $C && echo $MAX >$C/memory.max"

# Scattered spans: refused near memory.max with ENOMEM, nobody OOM-killed.
max0=$(event max)
rc=0
# shellcheck disable=SC2046 # the steps are words of goheap span's command line
sh -c "$IN_CGROUP" $C $G span $(steps $n "$npages" --scattered) >$T.sc 2>$T.sc.err || rc=$?
got=$(grep -c '^alloc  span' $T.sc)
echo "    scattered: $got spans ($((got * span >> 20)) MiB) allocated, then: $(tail -n 1 $T.sc.err)"
scattered_capped() {
	[ "$rc" = 1 ] || { echo "goheap span exit status $rc, want 1 (a step failed)"; return 1; }
	grep -q 'Cannot allocate memory' $T.sc.err || { cat $T.sc.err; return 1; }
	[ $((got * span)) -le $MAX ] || { echo "$got spans held, beyond memory.max"; return 1; }
	[ $((got * span)) -ge $((MAX / 2)) ] ||
		{ echo "only $got spans: refused far below memory.max"; return 1; }
	[ "$(event max)" -gt "$max0" ] || { echo "memory.events max did not grow"; return 1; }
}
check "scattered spans: ENOMEM at memory.max" scattered_capped
check "scattered spans: no OOM kill" sh -c "[ $(event oom_kill) = 0 ] && [ $(event oom) = 0 ]"
settled_current() {
	cur=$(cat $C/memory.current)
	echo "memory.current $cur"
	[ "$cur" -le $((2 << 20)) ]
}
check "scattered spans: memory.current back under 2 MiB after the process" settled_current

# Heap spans: not charged to the cgroup; the same process holds twice memory.max.
# shellcheck disable=SC2046
sh -c "$IN_CGROUP" $C $G span $(steps $n "$npages") , sleep 30 >$T.heap 2>&1 &
pid=$!
t=0
while ! grep -qs '^sleep' $T.heap && kill -0 $pid 2>/dev/null && [ $t -lt 100 ]; do
	usleep 100000
	t=$((t + 1))
done
got=$(grep -c '^alloc  span' $T.heap)
cur=$(cat $C/memory.current)
echo "    heap: $got spans ($((got * span >> 20)) MiB) held, memory.current $((cur >> 10)) KiB"
check "heap spans: twice memory.max held in the cgroup" test "$got" = "$n"
check "heap spans: memory.current grows by descriptors only (under 4 MiB)" \
	test "$cur" -le $((4 << 20))
kill $pid 2>/dev/null
wait $pid 2>/dev/null
check "heap spans: no OOM kill" sh -c "[ $(event oom_kill) = 0 ]"
check "heap spans: memory.current back under 2 MiB after the process" settled_current

cleanup
check "rmmod goheap" rmmod goheap
