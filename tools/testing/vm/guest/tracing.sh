#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# goheap's trace events (kmod/trace.h) through tracefs: every event of the
# goheap system exists; with all of them enabled around a known workload
# (goheap_client.ko, whose load runs its checks of the exported API: all
# sizes, tiny and bulk calls, softirq callers), the events count exactly
# what memstats counts: goheap_alloc plus the objects of goheap_alloc_bulk
# is the rise of Mallocs, goheap_free plus goheap_free_bulk's the rise of
# Frees, goheap_grow the rise of Grows, goheap_invalid_free the rise of
# the bad-free counters, counting the events of the default heap (the
# client's private heaps have events of their own, which name their heap).
# And their fields say what they should.
. /goheap/testlib.sh

T=/sys/kernel/tracing
D=/sys/kernel/debug/goheap
EVENTS="alloc free alloc_bulk free_bulk refill flush span_alloc span_free grow release
limit_hit invalid_free"

[ -d $T/events ] || mount -t tracefs nodev $T 2>/dev/null
if [ ! -d $T/events ]; then
	skip "trace events" "no tracefs in this kernel"
	exit 0
fi

stat() {
	awk -v k="$1" '$1 == k { print $2 }' $D/memstats
}

# events_present - every event of the goheap system, with its format.
events_present() {
	for e in $EVENTS; do
		[ -r "$T/events/goheap/goheap_$e/format" ] || { echo "no goheap:goheap_$e"; return 1; }
	done
}

# tally - from the captured trace, in one pass: "<event> <lines>" for each
# event of the default heap (heap=default, the heap memstats describes),
# plus "alloc_bulk.allocated <sum>" and "free_bulk.freed <sum>", and
# "client.<event> <lines>" for the client's private heap "client".
tally() {
	awk '
		match($0, / goheap_[a-z_]+: heap=client /) {
			e = substr($0, RSTART + 8, RLENGTH - 10 - 12)
			c[e]++
			next
		}
		match($0, / goheap_[a-z_]+: heap=default /) {
			e = substr($0, RSTART + 8, RLENGTH - 10 - 13)
			n[e]++
			if (e == "alloc_bulk" && match($0, / allocated=[0-9]+/))
				a += substr($0, RSTART + 11, RLENGTH - 11)
			if (e == "free_bulk" && match($0, / freed=[0-9]+/))
				f += substr($0, RSTART + 7, RLENGTH - 7)
		}
		END {
			for (e in n)
				print e, n[e]
			for (e in c)
				print "client." e, c[e]
			print "alloc_bulk.allocated", a + 0
			print "free_bulk.freed", f + 0
		}' /tmp/trace.txt >/tmp/tally.txt
}

# count EVENT - lines of EVENT in the captured trace (tally() first).
count() {
	awk -v k="$1" '$1 == k { print $2; f = 1 } END { if (!f) print 0 }' /tmp/tally.txt
}

# field_sum EVENT FIELD - the sum of FIELD over EVENT's lines (tally() first).
field_sum() {
	count "$1.$2"
}

# equal WHAT GOT WANT
equal() {
	[ "$2" = "$3" ] || { echo "$1: events say $2, memstats $3"; return 1; }
}

check "insmod goheap.ko" insmod /goheap/goheap.ko
check "all 12 events of system goheap are there" events_present

echo 0 >$T/tracing_on
echo >$T/trace
echo 32768 >$T/buffer_size_kb
echo 1 >$T/events/goheap/enable
m0=$(stat Mallocs) f0=$(stat Frees) g0=$(stat Grows)
b0=$(($(stat InvalidFrees) + $(stat InteriorFrees) + $(stat DoubleFrees)))
echo 1 >$T/tracing_on
check "insmod goheap_client.ko" insmod /goheap/goheap_client.ko
check "rmmod goheap_client" rmmod goheap_client
echo 0 >$T/tracing_on
m1=$(stat Mallocs) f1=$(stat Frees) g1=$(stat Grows)
b1=$(($(stat InvalidFrees) + $(stat InteriorFrees) + $(stat DoubleFrees)))
cat $T/trace >/tmp/trace.txt
echo 0 >$T/events/goheap/enable
tally

check "no event lost (no ring-buffer overrun)" \
	sh -c "! grep -h '^overrun: [1-9]' $T/per_cpu/cpu*/stats"
check "the workload made events" test "$(count alloc)" -gt 100
check "goheap_alloc + goheap_alloc_bulk allocated = Mallocs' rise" \
	equal Mallocs $(($(count alloc) + $(field_sum alloc_bulk allocated))) $((m1 - m0))
check "goheap_free + goheap_free_bulk freed = Frees' rise" \
	equal Frees $(($(count free) + $(field_sum free_bulk freed))) $((f1 - f0))
check "goheap_grow = Grows' rise" equal Grows "$(count grow)" $((g1 - g0))
check "goheap_invalid_free = the bad frees' rise" equal "bad frees" "$(count invalid_free)" \
	$((b1 - b0))
# The client's private heap "client" holds 100 objects of 128 B from load to
# unload, and its events name it: 100 allocations, 100 frees, one grow.
check "heap=client: 100 goheap_alloc, 100 goheap_free, 1 goheap_grow" \
	equal "client heap" "$(count client.alloc) $(count client.free) $(count client.grow)" \
	"100 100 1"

# alloc_fields - a goheap_alloc line of the benchmark's pair workload has
# kmem:'s fields, and they are consistent: the call site is a function of
# goheap_bench, symbolized (goheap_client's calls come from its init code,
# which is gone once it has loaded, so they show as bare addresses), a
# small object's class is 1..66 and bytes_alloc >= bytes_req.
alloc_fields() {
	line=$(grep ' goheap_alloc: heap=default call_site=[a-z_0-9]*+0x[0-9a-f]*/0x[0-9a-f]* \[goheap_bench\] ' \
		/tmp/fields.txt | grep ' cls=[1-9]' | head -n 1)
	if [ -z "$line" ]; then
		echo "no goheap_alloc of a small object from goheap_bench; the first ones:"
		grep ' goheap_alloc: ' /tmp/fields.txt | head -n 3
		echo "trace: $(wc -l </tmp/fields.txt) lines; bench said:"
		head -n 5 /tmp/bench.txt /tmp/bench.err
		return 1
	fi
	echo "$line"
	req=$(echo "$line" | sed -n 's/.* bytes_req=\([0-9]*\) .*/\1/p')
	got=$(echo "$line" | sed -n 's/.* bytes_alloc=\([0-9]*\) .*/\1/p')
	cls=$(echo "$line" | sed -n 's/.* cls=\([0-9]*\) .*/\1/p')
	echo "$line" | grep -q ' ptr=[0-9a-f]* .* gfp_flags=[A-Z_|]* node=-1 ' || return 1
	echo "$line" | grep -q ' cpu=[0-9]*$' || return 1
	[ "$got" -ge "$req" ] && [ "$cls" -ge 1 ] && [ "$cls" -le 66 ]
}
if [ -e /goheap/goheap_bench.ko ]; then
	echo >$T/trace
	echo 1 >$T/events/goheap/goheap_alloc/enable
	insmod /goheap/goheap_bench.ko 2>/tmp/bench.err
	echo 1 >$T/tracing_on
	echo "pair loops=2000 size=64" 2>>/tmp/bench.err >$D/bench
	echo 0 >$T/tracing_on
	cat $T/trace >/tmp/fields.txt
	cat $D/bench >/tmp/bench.txt
	rmmod goheap_bench
	echo 0 >$T/events/goheap/goheap_alloc/enable
	check "goheap_alloc fields: call site, ptr, sizes, gfp, node, class, cpu" alloc_fields
else
	skip "goheap_alloc fields" "no goheap_bench.ko shipped"
fi

# The client makes large and tiny objects too: class 0 and the tiny class.
check "a large object (cls=0) and a tiny one (cls=67) were traced" \
	sh -c "grep -q ' goheap_alloc: .* cls=0 ' /tmp/trace.txt &&
	       grep -q ' goheap_alloc: .* cls=67 ' /tmp/trace.txt"
check "refill and flush name a class and a CPU" \
	sh -c "grep -Eq ' goheap_refill: heap=default cls=[0-9]+ objs=[0-9]+ cpu=[0-9]+$' /tmp/trace.txt"
check "span_alloc names the span's kind" \
	sh -c "grep -Eq ' goheap_span_alloc: heap=default pfn=0x[0-9a-f]+ npages=[0-9]+ kind=(small|large|raw) ' /tmp/trace.txt"

# release: drop_caches runs the shrinker, which gives free chunks back.
echo >$T/trace
echo 1 >$T/events/goheap/goheap_release/enable
echo 1 >$T/tracing_on
echo 3 >/proc/sys/vm/drop_caches
echo 0 >$T/tracing_on
echo 0 >$T/events/goheap/goheap_release/enable
check "drop_caches: a goheap_release with reason=shrinker" \
	grep -Eq ' goheap_release: heap=default pages=[1-9][0-9]* bytes=[0-9]+ reason=shrinker$' $T/trace

# One line of each event seen, for the record (Documentation/tracing.rst).
cat $T/trace >>/tmp/trace.txt
for e in $EVENTS; do
	grep -h -m 1 " goheap_$e: " /tmp/fields.txt /tmp/trace.txt 2>/dev/null | head -n 1
done | sed 's/^ */sample: /'

echo >$T/trace
echo 1408 >$T/buffer_size_kb
check "rmmod goheap" rmmod goheap
