#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The goheap tool (tools/goheap, shipped as /goheap/goheap): its commands
# run against the module, their --json output is parsed and checked against
# known facts, and bad arguments are refused with exit status 2.
#
#   - stats --json figures equal /sys/kernel/debug/goheap/memstats;
#   - a fresh demand-mapped span of N heap pages takes N x (heap page /
#     4 KiB) faults when every hardware page is touched, 0 when prefaulted;
#   - a contiguous span is one run; a scattered one is one run per page;
#     every 8 KiB heap page is two adjacent hardware pages;
#   - an unprivileged caller gets no PFN and none of the heap's statistics
#     (its own file's only);
#   - the same in a heap of 4 KiB pages (heap_page_size=4096).
#
# The --json layout keeps one key per line and each table row on one line
# (tools/goheap/json.c), so sed and grep are enough to read it.
. /goheap/testlib.sh

G=/goheap/goheap
D=/sys/kernel/debug/goheap
T=/tmp/tool

if [ ! -x "$G" ]; then
	skip "goheap tool" "$G not shipped"
	exit 0
fi

# jnum FILE KEY - the value of the first "KEY": in FILE.
jnum() {
	sed -n "s/.*\"$2\": \([^,}]*\).*/\1/p" "$1" | head -n 1
}

# jrow FILE FIELD VALUE KEY - KEY of the one-line row whose FIELD is "VALUE".
jrow() {
	grep "\"$2\": \"$3\"" "$1" | head -n 1 | sed -n "s/.*\"$4\": \([^,}]*\).*/\1/p"
}

# want WHAT GOT EXPECTED - compare, explaining a mismatch.
want() {
	[ "$2" = "$3" ] && return 0
	echo "$1: got '$2', want '$3'"
	return 1
}

# user CMD... - run CMD as uid 1000. Through a script, because su would take
# CMD's options (--json, ...) for its own.
user() {
	printf '#!/bin/sh\nexec' >$T.user.sh
	for _a in "$@"; do
		printf " '%s'" "$_a"
	done >>$T.user.sh
	chmod 0755 $T.user.sh
	as_user $T.user.sh
}

# run_json OUT CMD... - run CMD, its stdout to OUT; print stderr on failure.
run_json() {
	_o=$1
	shift
	"$@" >"$_o" 2>"$_o.err" || { cat "$_o" "$_o.err"; return 1; }
}

# bad NAME RC PATTERN CMD... - CMD must exit RC and say PATTERN on stderr.
bad() {
	_n=$1 _rc=$2 _pat=$3
	shift 3
	check "$_n" bad_run "$_rc" "$_pat" "$@"
}

bad_run() {
	_rc=$1 _pat=$2
	shift 2
	_got=0
	"$@" >$T.bad.out 2>$T.bad.err || _got=$?
	want "exit status" "$_got" "$_rc" || { cat $T.bad.err; return 1; }
	grep -q -- "$_pat" $T.bad.err || { echo "no '$_pat' in:"; cat $T.bad.err; return 1; }
}

# --- without the module ----------------------------------------------------

bad "no module: info fails and says to load it" 1 "insmod goheap.ko" $G info

# --- 8 KiB heap pages, root ------------------------------------------------

check "insmod goheap.ko" insmod /goheap/goheap.ko
bad "unprivileged, node 0600: info says dev_mode" 1 "dev_mode" user $G info

info_json() {
	run_json $T.info $G info --json || return 1
	want abi_version "$(jnum $T.info abi_version)" 1 &&
	want heap_page_size "$(jnum $T.info heap_page_size)" 8192 &&
	want cap_pfns "$(jnum $T.info cap_pfns)" true &&
	want "parameters.heap_page_size" \
		"$(sed -n 's/^    "heap_page_size": \([0-9]*\).*/\1/p' $T.info)" 8192 &&
	want timing "$(jnum $T.info timing)" '"emulated"'
}
check "info --json: ABI 1, 8 KiB heap pages, PFNs for root, timings emulated" info_json

info_text() {
	$G info >$T.info.txt || return 1
	grep -q '^  heap page  *8 KiB = 2 hardware pages' $T.info.txt || { cat $T.info.txt; return 1; }
}
check "info: heap page in KiB" info_text

# memstats_agree FILE - every debugfs memstats figure is in FILE, equal
# (root: the heap's figures).
memstats_agree() {
	n=0
	while read -r name value; do
		got=$(jnum "$1" "$name")
		want "$name" "$got" "$value" || return 1
		n=$((n + 1))
	done <$D/memstats
	want "figures" "$(grep -c '^  "[A-Za-z]*": [0-9]*,*$' "$1")" "$n"
}

stats_json() {
	run_json $T.ms $G stats --json && memstats_agree $T.ms
}
check "stats --json (ioctl) equals debugfs memstats, idle heap" stats_json

# A workload, so that the figures are not all zero.
if [ -e /goheap/goheap_client.ko ]; then
	check "insmod goheap_client.ko hold_mb=4" insmod /goheap/goheap_client.ko hold_mb=4
	check "stats --json equals debugfs memstats, 4 MiB held" stats_json
else
	skip "stats with a workload" "goheap_client.ko not shipped"
fi

stats_text() {
	$G stats >$T.ms.txt || return 1
	grep -Eq '^heap +Sys +[0-9.]+ (KiB|MiB)' $T.ms.txt &&
	grep -Eq '^objects +HeapObjects +[0-9]+ ' $T.ms.txt || { cat $T.ms.txt; return 1; }
}
check "stats: aligned table in KiB/MiB" stats_text

classes_json() {
	run_json $T.cl $G stats classes --json || return 1
	want "class rows" "$(grep -c '{"class": ' $T.cl)" 69 &&
	want "class 1 size" "$(grep '{"class": 1,' $T.cl | sed 's/.*"size": \([0-9]*\).*/\1/')" 8 &&
	want "total live_bytes = HeapAlloc" "$(jrow $T.cl class total live_bytes)" \
		"$(awk '$1 == "HeapAlloc" { print $2 }' $D/memstats)"
}
check "stats classes --json: 66 classes, tiny, large, total" classes_json

pageheap_json() {
	run_json $T.ph $G stats pageheap --json || return 1
	want HeapPageSize "$(jnum $T.ph HeapPageSize)" 8192 &&
	want PagesTotal "$(jnum $T.ph PagesTotal)" "$(awk '$1 == "PagesTotal" { print $2 }' $D/pageheap)" &&
	want "free run buckets" "$(grep -c '"free_run_pages": ' $T.ph)" 11
}
check "stats pageheap --json" pageheap_json

percpu_json() {
	run_json $T.pc $G stats percpu --json || return 1
	want "cpu rows" "$(grep -c '{"cpu": ' $T.pc)" "$(($(wc -l <$D/percpu) - 1))"
}
check "stats percpu --json: one row per possible CPU" percpu_json

stats_text_all() {
	for f in classes pageheap percpu; do
		$G stats $f >$T.$f.txt || return 1
		[ -s $T.$f.txt ] || { echo "stats $f printed nothing"; return 1; }
	done
}
check "stats classes, pageheap, percpu: tables" stats_text_all

if grep -q '^goheap_client ' /proc/modules; then
	check "rmmod goheap_client" rmmod goheap_client
fi

# span_faults FLAGS N WANT - a fresh span of N pages: faults after touching all.
span_faults() {
	run_json $T.sp $G span run --pages "$2" $1 --touch --info --json || return 1
	want "touch span_faults" "$(jrow $T.sp step touch span_faults)" "$3" &&
	want "touch minflt" "$(jrow $T.sp step touch minflt)" "$3" &&
	want "info faults" "$(jrow $T.sp step info faults)" "$3" &&
	want "info hw_pages" "$(jrow $T.sp step info hw_pages)" "$4" &&
	want "steps ok" "$(jnum $T.sp ok)" true
}
check "span run: 3 demand-mapped heap pages of 8 KiB take 6 faults" span_faults "" 3 6 6
check "span run: 5 heap pages --scattered take 10 faults" span_faults --scattered 5 10 10
check "span run --prefault: 0 faults" span_faults --prefault 3 0 6

contig_pfns() {
	run_json $T.sp $G span run --pages 8 --contig --pfns --json || return 1
	want runs "$(jrow $T.sp step info runs)" 1 &&
	want pfns_visible "$(jrow $T.sp step info pfns_visible)" true || return 1
	grep '"step": "info"' $T.sp | sed 's/.*"pfns": \[\([^]]*\)\].*/\1/' | tr ',' '\n' |
		awk 'NR > 1 && $1 != prev + 1 { bad = 1 } { prev = $1; n++ }
		     END { if (bad || n != 16) { print n " PFNs, consecutive: " !bad; exit 1 } }'
}
check "span run --contig --pfns: 1 run, 16 consecutive PFNs" contig_pfns

span_steps() {
	printf 'alloc 2\nmap\ntouch --read\ninfo\n' | $G span -f - --json >$T.st 2>$T.st.err ||
		{ cat $T.st $T.st.err; return 1; }
	want "read faults" "$(jrow $T.st step touch span_faults)" 4 &&
	want "freed at exit" "$(jrow $T.st step free at_exit)" true
}
check "span -f -: steps from stdin; what is left is freed at exit" span_steps

bad "span: free while mapped fails with EBUSY" 1 "unmap it first" \
	$G span alloc 1 , map , free
check "span: after the failed step, the span is freed at exit" \
	grep -q "^free   span 1 (left allocated by the steps: freed at exit)" $T.bad.out

faults_json() {
	run_json $T.f $G exp faults --size 2M --repeat 1 --json || return 1
	want "span faults" "$(jrow $T.f kind span span_faults)" 512 &&
	want "span minflt" "$(jrow $T.f kind span minflt)" 512 &&
	want "span-prefault faults" "$(jrow $T.f kind span-prefault span_faults)" 0 &&
	want "span-prefault minflt" "$(jrow $T.f kind span-prefault minflt)" 0 &&
	want "anon-4k minflt" "$(jrow $T.f kind anon-4k minflt)" 512 &&
	want "anon-4k huge" "$(jrow $T.f kind anon-4k huge_kib)" 0
}
check "exp faults: 1 fault per 4 KiB page on demand, 0 prefaulted" faults_json

thp_json() {
	want "anon-thp minflt" "$(jrow $T.f kind anon-thp minflt)" 1 &&
	want "anon-thp huge_kib" "$(jrow $T.f kind anon-thp huge_kib)" 2048
}
if [ ! -e /sys/kernel/mm/transparent_hugepage/enabled ]; then
	skip "exp faults: THP takes 1 fault per 2 MiB" "no THP in this kernel (PREEMPT_RT before 6.13)"
elif grep -q '\[never\]' /sys/kernel/mm/transparent_hugepage/enabled; then
	skip "exp faults: THP takes 1 fault per 2 MiB" "THP disabled"
else
	check "exp faults: THP takes 1 fault per 2 MiB" thp_json
fi

contig_json() {
	run_json $T.c $G exp contig --json || return 1
	want pfns_visible "$(jnum $T.c pfns_visible)" true &&
	want "span runs" "$(jrow $T.c kind span runs)" 1 &&
	want "span-contig runs" "$(jrow $T.c kind span-contig runs)" 1 &&
	want "span-contig aligned to its 128 KiB" \
		"$(($(jrow $T.c kind span-contig align) >= 131072))" 1 &&
	want "span-scattered runs" "$(jrow $T.c kind span-scattered runs)" 32 &&
	want "span-scattered adjacent pairs" \
		"$(jrow $T.c kind span-scattered heap_pages_adjacent)" 0 &&
	want "span: heap pages = adjacent aligned pairs" \
		"$(jrow $T.c kind span heap_pages_aligned)" 16 &&
	want "span-1page: heap pages = adjacent aligned pairs" \
		"$(jrow $T.c kind span-1page heap_pages_aligned)" 8
}
check "exp contig: contiguous 1 run, scattered 32, 8 KiB page = 2 adjacent pages" contig_json

tlb_json() {
	run_json $T.t $G exp tlb --max 64K --accesses 4096 --json || return 1
	want timing "$(jnum $T.t timing)" '"emulated"' &&
	want "rows (5 kinds x 5 sizes x 2 modes)" "$(grep -c '{"mode": ' $T.t)" 50 &&
	want "series" "$(grep -c '"baseline_ns": ' $T.t)" 10 &&
	want "rows with ns > 0" "$(grep '{"mode": ' $T.t | sed 's/.*"ns": \([0-9.]*\).*/\1/' |
		awk '$1 > 0' | wc -l)" 50
}
check "exp tlb: every kind and size measured, labelled emulated" tlb_json

top_json() {
	run_json $T.top $G top -n 2 -i 0.2 --json || return 1
	want frames "$(grep -c '^  "frame": ' $T.top)" 2
}
check "top -n 2 --json: two frames" top_json

demo_json() {
	run_json $T.demo $G demo --json || return 1
	want "demo steps" "$(grep -c '^      "command": ' $T.demo)" 6 &&
	want "failed" "$(sed -n 's/^  "failed": //p' $T.demo)" 0
}
check "demo --json: every step succeeds" demo_json

bad "bad command: exit 2" 2 "unknown command 'frobnicate'" $G frobnicate
bad "stats: unknown file" 2 "unknown statistics 'bogus'" $G stats bogus
bad "span run --pages 0" 2 "'0' is not a number from 1" $G span run --pages 0
bad "span run --pages beyond one chunk" 2 "is not a number from 1 to 512" \
	$G span run --pages 513
bad "span: --contig with --scattered" 2 "exclude each other" \
	$G span alloc 1 --contig --scattered
bad "span: unknown step" 2 "unknown step 'mapp'" $G span alloc 1 , mapp
bad "span: step without a span" 1 "no span allocated" $G span touch
bad "exp tlb --max 2G" 2 "not a size from 4 KiB to 1 GiB" $G exp tlb --max 2G
bad "exp tlb --mode" 2 "not page, line or both" $G exp tlb --mode pages
bad "exp contig --pages x" 2 "'x' is not a number" $G exp contig --pages x
bad "exp: unknown experiment" 2 "unknown experiment" $G exp nope
bad "top -n 0" 2 "'0' is not a number" $G top -n 0
bad "option without a value" 2 "needs a value" $G exp faults --size

check "rmmod goheap" rmmod goheap

# --- 4 KiB heap pages, root and uid 1000 -----------------------------------

check "insmod goheap.ko heap_page_size=4096 dev_mode=0666" \
	insmod /goheap/goheap.ko heap_page_size=4096 dev_mode=0666

info4k() {
	run_json $T.info $G info --json && want heap_page_size "$(jnum $T.info heap_page_size)" 4096
}
check "info --json: 4 KiB heap pages" info4k
check "span run: 3 demand-mapped heap pages of 4 KiB take 3 faults" span_faults "" 3 3 3
check "span run --prefault, 4 KiB heap pages: 0 faults" span_faults --prefault 3 0 3

contig4k() {
	run_json $T.c $G exp contig --json || return 1
	want hw_pages_per_heap_page "$(jnum $T.c hw_pages_per_heap_page)" 1 &&
	want "span hw_pages" "$(jrow $T.c kind span hw_pages)" 16 &&
	want "span runs" "$(jrow $T.c kind span runs)" 1 &&
	want "span-contig runs" "$(jrow $T.c kind span-contig runs)" 1 &&
	want "span-scattered runs" "$(jrow $T.c kind span-scattered runs)" 16
}
check "exp contig, 4 KiB heap pages: a heap page is one hardware page" contig4k

user_info() {
	user $G info --json >$T.uinfo 2>&1 || { cat $T.uinfo; return 1; }
	want cap_pfns "$(jnum $T.uinfo cap_pfns)" false
}
check "uid 1000: info --json: no PFN capability" user_info

user_span() {
	user $G span run --pages 4 --touch --pfns --json >$T.usp 2>$T.usp.err ||
		{ cat $T.usp $T.usp.err; return 1; }
	want "faults" "$(jrow $T.usp step info faults)" 4 &&
	want "pfns" "$(jrow $T.usp step info pfns)" null &&
	want "pfns_visible" "$(jrow $T.usp step info pfns_visible)" false &&
	grep -q "CAP_SYS_ADMIN" $T.usp.err || { echo "no CAP_SYS_ADMIN note:"; cat $T.usp.err; return 1; }
}
check "uid 1000: span run --pfns: faults counted, PFNs withheld" user_span

user_contig() {
	user $G exp contig --json >$T.uc 2>&1 || { cat $T.uc; return 1; }
	want pfns_visible "$(jnum $T.uc pfns_visible)" false &&
	want "span-contig runs" "$(jrow $T.uc kind span-contig runs)" 1 &&
	want "first_pfn" "$(jrow $T.uc kind span-contig first_pfn)" null &&
	! grep -q '"first_pfn": [0-9]' $T.uc
}
check "uid 1000: exp contig: runs but no PFN" user_contig

# Without CAP_PERFMON or CAP_SYS_ADMIN the heap's figures are withheld: the
# tool's own open file holds nothing, so every figure is 0, and it says so.
user_stats() {
	user $G stats --json >$T.ums 2>$T.ums.err || { cat $T.ums $T.ums.err; return 1; }
	grep -q '"scope": "file"' $T.ums || { echo "scope is not the file's:"; cat $T.ums; return 1; }
	grep -q 'CAP_PERFMON' $T.ums.err || { echo "no note on stderr:"; cat $T.ums.err; return 1; }
	! grep -E '^  "[A-Za-z]*": [1-9][0-9]*,*$' $T.ums
}
check "uid 1000: stats --json: the heap's figures withheld (all 0)" user_stats
bad "uid 1000: stats classes needs debugfs (root)" 1 "root-only" user $G stats classes

check "rmmod goheap" rmmod goheap
