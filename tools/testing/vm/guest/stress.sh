#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Stress (Documentation/testing.rst, "Stress"). goheap_stress.ko loads
# goheap from kthreads on every CPU, from hardirq and from softirq, with
# cross-CPU frees and content checks, for SECONDS; meanwhile, in the
# background:
#
#   - every CPU but cpu0 goes offline and online again, in turn;
#   - echo 3 >/proc/sys/vm/drop_caches, over and over a second apart
#     (goheap's shrinker drains its caches and gives memory back), with
#     compaction every fourth time where the kernel has it;
#   - a memory hog takes 30 to 60 % of MemAvailable, touches it, holds it
#     a second and exits, over and over;
#   - user processes allocate, map, touch and unmap spans of /dev/goheap,
#     fork, get killed and exit, and leave spans in a shared file from
#     children that exit: two loops of goheap_span_stress runs as root,
#     each also running the goheap tool (a span held by a process killed
#     with SIGKILL, and "span run"), and one as uid 1000, whose processes
#     share one RLIMIT_MEMLOCK between them (/dev/goheap is opened up to
#     0666 for it).
#
# SECONDS is read from /goheap/stress-seconds (make check's debug guest
# ships 60, make stress 600 unless told otherwise), else 20; the seed from
# /goheap/stress-seed, else random (printed either way).
#
# Afterwards: goheap_stress reported no error; each background load ran;
# no OOM kill; every CPU is online; with the caches drained (drop_caches),
# memstats balance: HeapObjects 0, Mallocs = Frees, nothing cached, no heap
# page in a span (HeapInuse back to the fresh heap's), every misuse counter
# 0; nothing charged to any user (GET_INFO's dev_charged, and uid 1000's
# user_charged, 0); validate finds the metadata consistent; both modules
# unload.
. /goheap/testlib.sh

D=/sys/kernel/debug/goheap
STRESS=/goheap/goheap_stress.ko
SPANS=/goheap/goheap_span_stress
G=/goheap/goheap
T=/tmp/stress
STOP=$T.stop

if [ ! -e "$STRESS" ]; then
	skip "stress" "$STRESS not shipped"
	exit 0
fi

secs=20
[ ! -r /goheap/stress-seconds ] || secs=$(cat /goheap/stress-seconds)
seed=$((RANDOM * 32768 + RANDOM + 1))
[ ! -r /goheap/stress-seed ] || seed=$(cat /goheap/stress-seed)

stat() {
	awk -v k="$1" '$1 == k { print $2 }' $D/memstats
}

# CPUs that can go offline: each one's "online" file, cpu0 left out.
hp_cpus() {
	for f in /sys/devices/system/cpu/cpu[0-9]*/online; do
		[ -w "$f" ] && [ "$f" != /sys/devices/system/cpu/cpu0/online ] && echo "$f"
	done
}

hotplug_loop() {
	n=0 bad=0
	while [ ! -e $STOP ]; do
		for f in $HP; do
			[ ! -e $STOP ] || break
			if echo 0 >"$f" 2>/dev/null; then
				usleep $((RANDOM % 300000))
				tries=0
				until echo 1 >"$f" 2>/dev/null || [ $tries -ge 50 ]; do
					tries=$((tries + 1))
					bad=$((bad + 1))
					usleep 100000
				done
				n=$((n + 1))
			else
				bad=$((bad + 1))
			fi
			usleep $((100000 + RANDOM % 200000))
		done
	done
	echo "$n $bad" >$T.hotplug
}

drop_loop() {
	n=0 c=0 longest=0
	while [ ! -e $STOP ]; do
		t0=$(date +%s)
		echo 3 >/proc/sys/vm/drop_caches && n=$((n + 1))
		t=$(($(date +%s) - t0))
		[ $t -le $longest ] || longest=$t
		if [ $((n % 4)) = 0 ] && [ -w /proc/sys/vm/compact_memory ]; then
			echo 1 >/proc/sys/vm/compact_memory && c=$((c + 1))
		fi
		sleep 1
	done
	echo "$n $c $longest" >$T.drop
}

hog_loop() {
	n=0 max=0 t0=$(date +%s)
	while [ ! -e $STOP ]; do
		avail=$(awk '$1 == "MemAvailable:" { print $2 }' /proc/meminfo)
		mb=$((avail * (30 + RANDOM % 31) / 100 / 1024))
		if [ "$mb" -gt 0 ]; then
			# dd reads (touches) all of it at once, then blocks on the pipe.
			dd if=/dev/zero bs=${mb}M count=1 2>/dev/null | sleep 1
			n=$((n + 1))
			[ "$mb" -le "$max" ] || max=$mb
		else
			sleep 1
		fi
	done
	echo "$n $max $(($(date +%s) - t0))" >$T.hog
}

# span_loop ID - user processes on /dev/goheap until told to stop.
span_loop() {
	n=0 bad=0 k=0 nomem=0
	while [ ! -e $STOP ]; do
		n=$((n + 1))
		$SPANS -t 2 -p 32 -s $((seed + $1 * 100000 + n)) >>$T.spans.$1 2>&1 || {
			echo "error: goheap_span_stress exit status $?" >>$T.spans.$1
			bad=$((bad + 1))
		}
		[ -x $G ] || continue
		$G span alloc $((1 + RANDOM % 16)) , map , touch , sleep 5 >/dev/null 2>&1 &
		usleep $((RANDOM % 400000))
		kill -9 $! 2>/dev/null
		wait $! 2>/dev/null
		k=$((k + 1))
		# Spans of up to 64 heap pages need order-7 blocks: under the hog
		# the answer may be ENOMEM, as documented. Anything else is an error.
		$G span run --pages $((1 + RANDOM % 64)) --touch >/dev/null 2>$T.run.$1 && continue
		if grep -q 'Cannot allocate memory' $T.run.$1; then
			nomem=$((nomem + 1))
		else
			sed 's/^/error: /' $T.run.$1 >>$T.spans.$1
			bad=$((bad + 1))
		fi
	done
	echo "$n $bad $k $nomem" >$T.span.$1
}

# user_span_loop ID - the same goheap_span_stress runs as uid 1000, whose
# processes share one user charge and one RLIMIT_MEMLOCK.
user_span_loop() {
	n=0 bad=0
	while [ ! -e $STOP ]; do
		n=$((n + 1))
		# as_user's su would take the options for its own: wrap them.
		printf '#!/bin/sh\nexec %s -t 2 -p 8 -s %s\n' $SPANS $((seed + $1 * 100000 + n)) \
			>$T.user.$1.sh
		chmod 0755 $T.user.$1.sh
		as_user $T.user.$1.sh >>$T.spans.$1 2>&1 || {
			echo "error: goheap_span_stress (uid 1000) exit status $?" >>$T.spans.$1
			bad=$((bad + 1))
		}
	done
	echo "$n $bad 0 0" >$T.span.$1
}

# info_num WHO KEY - KEY of goheap info --json, run as root or as uid 1000.
info_num() {
	if [ "$1" = root ]; then
		$G info --json
	else
		printf '#!/bin/sh\nexec %s info --json\n' $G >$T.info.sh
		chmod 0755 $T.info.sh
		as_user $T.info.sh
	fi | sed -n "s/.*\"$2\": \([0-9]*\).*/\1/p" | head -n 1
}

# nothing_charged - no span memory is charged to anyone any more (a span a
# pipe held goes back from a work item that runs every second: 5 s at most).
nothing_charged() {
	t=0
	while [ "$(info_num root dev_charged)" != 0 ] && [ $t -lt 5 ]; do
		sleep 1
		t=$((t + 1))
	done
	d=$(info_num root dev_charged) u=$(info_num user user_charged)
	echo "dev_charged $d B, uid 1000's user_charged $u B"
	[ "$d" = 0 ] && [ "$u" = 0 ]
}

# memstats_clean - the heap balances: every object freed, nothing cached,
# no page in a span beyond the fresh heap's, no misuse counted.
memstats_clean() {
	bad=0
	for k in HeapObjects PerCPUCachedObjects CentralCachedObjects LargeObjects TinyObjects; do
		[ "$(stat $k)" = 0 ] || { echo "$k $(stat $k), want 0"; bad=1; }
	done
	[ "$(stat Mallocs)" = "$(stat Frees)" ] ||
		{ echo "Mallocs $(stat Mallocs) != Frees $(stat Frees)"; bad=1; }
	[ "$(stat HeapInuse)" -le "$inuse0" ] ||
		{ echo "HeapInuse $(stat HeapInuse), fresh heap $inuse0"; bad=1; }
	awk '$1 ~ /^(Invalid|Interior|Double)Frees$|Errors$/ && $2 != 0 { print; bad = 1 }
	     END { exit bad }' $D/memstats || bad=1
	[ "$(stat HeapSys)" -eq $(($(stat HeapInuse) + $(stat HeapIdle))) ] ||
		{ echo "HeapSys != HeapInuse + HeapIdle"; bad=1; }
	[ $bad = 0 ] || sed 's/^/memstats: /' $D/memstats
	return $bad
}

rm -f $T.*
echo "    $secs s of load, seed $seed, $(grep -c '^processor' /proc/cpuinfo) CPUs"
grep -q '^goheap ' /proc/modules || check "insmod goheap.ko" insmod /goheap/goheap.ko
# For the uid 1000 loop; the node goes with the module.
chmod 0666 /dev/goheap
cp $D/memstats $T.before
inuse0=$(stat HeapInuse)
HP=$(hp_cpus)

[ -z "$HP" ] || hotplug_loop &
drop_loop &
hog_loop &
if [ -x $SPANS ]; then
	span_loop 1 &
	span_loop 2 &
	user_span_loop 3 &
fi
start=$(date +%s)
check "goheap_stress: $secs s of load, no error" \
	insmod $STRESS duration_s="$secs" seed="$seed"
touch $STOP
wait
echo "    load and background ended after $(($(date +%s) - start)) s"
dmesg | sed -n 's/^\[[^]]*\] \(goheap_stress: \)/    \1/p'

for f in $HP; do
	[ "$(cat "$f")" = 1 ] || echo 1 >"$f"
done
check "every CPU online again" test "$(grep -c '^processor' /proc/cpuinfo)" -eq \
	"$(ls -d /sys/devices/system/cpu/cpu[0-9]* | wc -l)"
if [ -n "$HP" ]; then
	read -r n bad <$T.hotplug
	echo "    CPU hotplug: $n offline/online cycles over $(echo $HP | wc -w) CPUs, $bad refused writes"
	check "CPUs went offline and online during the load" test "$n" -gt 0
else
	skip "CPU hotplug during the load" "no CPU can go offline"
fi
read -r n c t <$T.drop
echo "    drop_caches: $n times (the longest took $t s), compact_memory: $c times"
check "drop_caches ran during the load" test "$n" -gt 0
read -r n max t <$T.hog
echo "    memory hog: $n rounds in $t s, up to $max MiB"
check "memory hog ran during the load" test "$n" -gt 0
check "no OOM kill" sh -c '! dmesg | grep -E "Out of memory|invoked oom-killer"'
if [ -x $SPANS ]; then
	runs=0 bad=0 kills=0 nomem=0
	for i in 1 2 3; do
		read -r n b k m <$T.span.$i
		runs=$((runs + n)) bad=$((bad + b)) kills=$((kills + k)) nomem=$((nomem + m))
	done
	cat $T.spans.* | awk -v runs=$runs -v kills=$kills -v nomem=$nomem '
		/^goheap_span_stress: [0-9]/ { s += $2; f += $7; k += $9; b += $12; e += $14; l += $16; o += $21 }
		END { printf "    user processes: %d goheap_span_stress runs (a third as uid 1000): %d spans, %d forks (%d children killed), %d frees refused (EBUSY) while a child mapped the span, %d span allocations refused (ENOMEM), %d left mapped at close or exit, %d left by exited children; %d goheap tool runs killed holding a span, %d span runs refused (ENOMEM)\n", runs, s, f, k, b, e, l, o, kills, nomem }'
	grep -h 'error:' $T.spans.* | head -n 10 | sed 's/^/    /'
	check "user processes: spans mapped, forked, killed; no error" test "$bad" = 0 -a "$runs" -gt 0
else
	skip "user processes on /dev/goheap" "$SPANS not shipped"
fi

# The shrinker drains every CPU's cache and every transfer cache.
echo 3 >/proc/sys/vm/drop_caches
check "memstats balance after the load (caches drained)" memstats_clean
if [ -x $G ]; then
	check "nothing charged to any user after the load" nothing_charged
else
	skip "nothing charged to any user after the load" "$G not shipped"
fi
check "validate: 0 errors after the load" validate_clean
echo "    memstats before -> after:"
awk 'NR == FNR { a[$1] = $2; next } { printf "    %-22s %12s -> %s\n", $1, a[$1], $2 }' \
	$T.before $D/memstats | grep -E ' (Sys|HeapSys|HeapInuse|HeapObjects|Mallocs|Frees|TotalAlloc|Grows|Releases) '
if grep -q '^goheap_stress ' /proc/modules; then
	check "rmmod goheap_stress" rmmod goheap_stress
fi
check "rmmod goheap" rmmod goheap
