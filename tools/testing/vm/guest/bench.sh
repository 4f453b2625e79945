#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The benchmark module (Documentation/benchmarks.rst, "The bench file"):
# goheap_bench.ko loads only on top of goheap and adds goheap/bench; a tiny
# pair and spans run each print every result line they should, well formed
# (known allocator names, figures that are numbers above 0); a bad command
# fails with EINVAL and leaves the last results as they were; a run with
# profile_rate= runs at that rate and puts the heap's back; neither
# goheap under goheap_bench nor goheap_bench during a run can be unloaded;
# rmmod takes the file away, and a second load brings it back. goheap is
# unloaded at the end, as every guest test leaves it.
. /goheap/testlib.sh

D=/sys/kernel/debug/goheap
MOD=/goheap/goheap_bench.ko

if [ ! -e $MOD ]; then
	skip "bench" "$MOD not shipped"
	exit 0
fi

loaded() {
	grep -q "^$1 " /proc/modules
}

# run CMD FILE - write CMD to the bench file (it returns when the run is
# done), then keep the results in FILE.
run() {
	echo "$1" >$D/bench && cat $D/bench >"$2"
}

# info FILE WORKLOAD ARGS - the first line is the run's info line, ending in
# ARGS (loops= ms= reps= size=).
info() {
	head -n 1 "$1" | grep -Eq "^bench=info workload=$2 cpus=[0-9]+ init_on_alloc=[01] init_on_free=[01] heap_page_size=[0-9]+ page_size=[0-9]+ kernel=[^ ]+ $3\$" ||
		{ head -n 1 "$1"; return 1; }
}

# field FILE KEY - KEY's value in FILE's info line.
field() {
	head -n 1 "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"
}

# names FILE WORKLOAD - every line is bench=info or bench=WORKLOAD, every
# result line names a known allocator, and none reports an error.
names() {
	awk -v w="$2" '
		$1 != "bench=info" && $1 != "bench=" w { print "line " NR ": " $0; bad = 1 }
		NR > 1 && $2 !~ /^alloc=(none|goheap|goheap_empty|kmalloc|kmem_cache|pages|vmalloc)$/ {
			print "line " NR ": " $0; bad = 1
		}
		/ error=/ { print "line " NR ": " $0; bad = 1 }
		END { exit bad }' "$1"
}

# result FILE PREFIX - exactly one line is "PREFIX n=N ns_per_op=T min=T",
# N and both times (tenths of a nanosecond: "12.3") above 0.
result() {
	awk -v p="$2" '
		index($0, p " n=") == 1 {
			n++
			rest = substr($0, length(p) + 2)
			if (rest !~ /^n=[0-9]+ ns_per_op=[0-9]+\.[0-9] min=[0-9]+\.[0-9]$/) {
				print "malformed: " $0; bad = 1
			}
			split(rest, f, /[ =]/)
			if (f[2] + 0 <= 0 || f[4] + 0 <= 0 || f[6] + 0 <= 0) {
				print "not above 0: " $0; bad = 1
			}
		}
		END {
			if (n != 1)
				print n + 0 " lines \"" p " n=...\""
			exit bad || n != 1
		}' "$1" || { cat "$1"; return 1; }
}

# lines FILE N - FILE has N lines.
lines() {
	n=$(wc -l <"$1")
	[ "$n" -eq "$2" ] || { echo "$n lines, not $2:"; cat "$1"; return 1; }
}

# pair_results FILE [RATE] - "pair size=64": info (the default heap's
# profile rate during the run: RATE, default 524288), empty loop, goheap,
# kmalloc, kmem_cache (no pages: 64 B is below a page).
pair_results() {
	info "$1" pair "loops=2000 ms=300 reps=5 size=64 profile_rate=${2:-524288}" &&
	names "$1" pair &&
	result "$1" "bench=pair alloc=none op=empty_loop" &&
	for a in goheap kmalloc kmem_cache; do
		result "$1" "bench=pair alloc=$a size=64" || return 1
	done &&
	lines "$1" 5
}

# spans_results FILE - "spans": info, empty loop, then for each span length
# (bench_spans() in kmod/bench/span.c) goheap, goheap_empty and pages of
# the covering order, and vmalloc where that order is larger than the span.
spans_results() {
	info "$1" spans "loops=100 ms=300 reps=5 size=0 profile_rate=524288" &&
	names "$1" spans &&
	result "$1" "bench=spans alloc=none op=empty_loop" || return 1
	hps=$(field "$1" heap_page_size)
	ps=$(field "$1" page_size)
	want=2
	for np in 1 2 3 4 8 16 64 512; do
		bytes=$((np * hps))
		order=0
		while [ $((ps << order)) -lt $bytes ]; do
			order=$((order + 1))
		done
		# Beyond x86's largest buddy order: not run.
		[ $order -le 10 ] || continue
		allocs="goheap goheap_empty pages"
		[ $((ps << order)) -eq $bytes ] || allocs="$allocs vmalloc"
		for a in $allocs; do
			what="alloc=$a pages=$np bytes=$bytes order=$order"
			result "$1" "bench=spans $what" || return 1
			want=$((want + 1))
		done
	done
	lines "$1" $want
}

# refused CMD - writing CMD to the bench file fails with EINVAL.
refused() {
	if echo "$1" 2>/tmp/bench-err >$D/bench; then
		echo "the write succeeded"
		return 1
	fi
	grep -q 'Invalid argument' /tmp/bench-err || { cat /tmp/bench-err; return 1; }
}

# busy - while a run is going (scaling, which runs for a fixed time: 500 ms
# per allocator and thread count), goheap_bench cannot be unloaded; the
# run then completes.
busy() {
	echo "scaling ms=500 reps=1" >$D/bench &
	pid=$!
	sleep 1
	rc=0
	if rmmod goheap_bench 2>/dev/null; then
		echo "rmmod goheap_bench succeeded during a run"
		rc=1
	fi
	wait $pid || { echo "the scaling run failed"; rc=1; }
	return $rc
}

memstat() {
	awk -v k="$1" '$1 == k { print $2 }' $D/memstats
}

check "insmod goheap_bench.ko refused without goheap" sh -c "! insmod $MOD"
check "goheap_bench not loaded after the refusal" sh -c '! grep -q "^goheap_bench " /proc/modules'
check "insmod goheap.ko" insmod /goheap/goheap.ko
check "no bench file with goheap alone" test ! -e $D/bench
check "insmod goheap_bench.ko" insmod $MOD
check "bench file present, root-only (mode 0600)" test "$(stat -c %a $D/bench 2>&1)" = 600
check "goheap_bench holds goheap" test -e /sys/module/goheap/holders/goheap_bench
check "rmmod goheap refused while goheap_bench is loaded" sh -c '! rmmod goheap'
check "goheap still loaded" loaded goheap

check "run \"pair size=64 loops=2000\"" run "pair size=64 loops=2000" /tmp/bench-pair.txt
check "pair: every result line, well formed" pair_results /tmp/bench-pair.txt
check "run \"spans loops=100\"" run "spans loops=100" /tmp/bench-spans.txt
check "spans: every result line, well formed" spans_results /tmp/bench-spans.txt
for cmd in "nosuch" "pair loops=0" "pair ms=100" "spans size=64" "pair size=x" "pair loops" \
	   "pair profile_rate=1073741825"; do
	check "\"$cmd\" refused with EINVAL" refused "$cmd"
done
check "the results are still those of the spans run" cmp $D/bench /tmp/bench-spans.txt
check "run \"pair size=64 loops=2000 profile_rate=0\"" \
	run "pair size=64 loops=2000 profile_rate=0" /tmp/bench-pair0.txt
check "pair profile_rate=0: every result line, well formed, at rate 0" \
	pair_results /tmp/bench-pair0.txt 0
check "the default heap's profile_rate is 524288 again after the run" \
	grep -qx 524288 $D/profile_rate
check "the runs left no object in goheap's heap" test "$(memstat HeapObjects)" -eq 0
check "validate: 0 errors after the runs" validate_clean

check "rmmod goheap_bench refused during a run" busy
check "rmmod goheap_bench" rmmod goheap_bench
check "bench file gone" test ! -e $D/bench
check "goheap's debugfs directory stays" test -d $D
check "insmod goheap_bench.ko again" insmod $MOD
check "bench file back" test -e $D/bench
check "rmmod goheap_bench again" rmmod goheap_bench

# Whatever failed above, leave nothing loaded.
! loaded goheap_bench || rmmod goheap_bench
check "rmmod goheap" rmmod goheap
