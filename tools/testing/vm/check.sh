#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: every goheap test, one line per check ("ok   <name>" or
# "FAIL <name>", with the relevant lines under a failure), ending with the
# line "N passed, N failed" (", N skipped" when there are skips) summed over
# everything. Exits non-zero if anything failed.
#
#   1. host: make lint (lint.sh: W=1 build against Debian 12's 6.1 headers,
#      checkpatch --strict, kernel-doc, every uapi/linux/*.h compiled alone
#      as C90), dkms build
#      for 6.1 and 6.12, make install/uninstall into a staging directory,
#      Sphinx docs (-W)
#   2. the kernel matrix (kernels.sh): for each cell, goheap, its KUnit
#      modules (where the kernel has KUnit) and the client and stress
#      modules built with W=1 against the cell's kernel, then a guest boot
#      of that kernel; each PASS/FAIL line of the guest counts, each KUnit
#      case (each parameter of a parameterised case) counts, and so does
#      the boot itself (clean kernel log, the expected kernel and page
#      size). Every line of a cell starts with its name; each cell ends with
#      its own summary line.
#        stock cells (6.1, 6.12, 6.12-rt): every guest/*.sh
#        debug cells (6.1-debug, 7.3-debug): KUnit, the /dev/goheap
#          selftests, stress (60 s) and the fuzzer; 6.1-debug also boots
#          once more with kasan_multi_shot and kmemleak=on for the suites
#          that make KASAN and kmemleak report on purpose
#        6.12-rt-debug: KUnit, the selftests and stress (30 s) under
#          PREEMPT_RT, lockdep and DEBUG_ATOMIC_SLEEP
#        arm64 cells (4 KiB and 64 KiB pages): KUnit, selftests, stress (20 s)
#
# Built kernels are built (once, then cached) by a background job at low
# priority while the stock cells run. KERNELS="6.12 7.3-debug" runs the
# host checks and only those cells; GOHEAP_HOST_CHECKS=0 leaves out the
# host checks.
#
# Builds and logs live in .build/ (logs in .build/logs/, one directory per
# cell).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lint.sh"

BUILD=$GOHEAP_TOP/.build
LOGS=$BUILD/logs
guest_failed=0
# The cell whose checks are being counted, and its own tallies.
cell='' cell_passed=0 cell_failed=0 cell_skipped=0

# Count every check of a cell under its name as well.
ok() {
	echo "ok   ${cell:+$cell: }$1"
	passed=$((passed + 1))
	cell_passed=$((cell_passed + 1))
}

fail() {
	echo "FAIL ${cell:+$cell: }$1"
	failed=$((failed + 1))
	cell_failed=$((cell_failed + 1))
}

skip() {
	echo "skip ${cell:+$cell: }$1"
	skipped=$((skipped + 1))
	cell_skipped=$((cell_skipped + 1))
}

# succeeds NAME LOG CMD... - run CMD with its output in LOG; PASS if it exits 0.
succeeds() {
	local name=$1 log=$2 rc=0
	shift 2

	"$@" >"$log" 2>&1 || rc=$?
	if [ "$rc" = 0 ]; then
		ok "$name"
	else
		fail "$name (log: ${log#"$GOHEAP_TOP/"})"
		{ tail -n 20 "$log"; echo "(exit status $rc)"; } | details
	fi
}

# host_checks KVER - make lint's checks (lint.sh), then those that install
# or render: DKMS for 6.1 and 6.12, make install, the Sphinx docs.
host_checks() {
	local kver=$1

	echo "# host checks"
	lint_checks "$kver"
	succeeds "dkms build for Debian 12's 6.1 and 6.12" "$LOGS/dkms.log" \
		make -C "$GOHEAP_TOP" --no-print-directory dkms-test
	succeeds "make install DESTDIR= installs the documented files" "$LOGS/install.log" \
		install_check "$kver"
	verdict "Documentation builds with Sphinx, no warnings" "$LOGS/htmldocs.log" \
		make -s -C "$GOHEAP_TOP" --no-print-directory htmldocs
}

# install_check KVER - make install into a staging directory puts the module,
# the uapi header and the udev rule where Documentation/usage.rst says, and
# make uninstall takes them all away again.
install_check() {
	local dest f left

	dest=$(mktemp -d)
	make -C "$GOHEAP_TOP" --no-print-directory install DESTDIR="$dest" \
		KDIR="/usr/src/linux-headers-$1" || return 1
	for f in "lib/modules/$1/updates/kmod/goheap.ko" \
		 "lib/modules/$1/updates/kmod/bench/goheap_bench.ko" usr/local/include/linux/goheap.h \
		 usr/local/bin/goheap etc/udev/rules.d/60-goheap.rules; do
		[ -f "$dest/$f" ] || { echo "not installed: /$f"; return 1; }
	done
	make -C "$GOHEAP_TOP" --no-print-directory uninstall DESTDIR="$dest" \
		KDIR="/usr/src/linux-headers-$1" || return 1
	left=$(find "$dest" -type f)
	rm -rf "$dest"
	[ -z "$left" ] || { echo "left after uninstall: $left"; return 1; }
}

# guest_results PREFIX OUT - count the PASS/FAIL/SKIP lines of a job's
# output; "GOHEAP-TEST: <name>" lines name the test the following lines
# belong to. Leaves the number of FAIL lines in $guest_failed.
guest_results() {
	local prefix=$1 out=$2 test='' line show=0

	guest_failed=0
	while IFS= read -r line; do
		case $line in
		'GOHEAP-TEST: '*) test="${line#GOHEAP-TEST: }: "; show=0 ;;
		'PASS: '*) ok "$prefix$test${line#PASS: }"; show=0 ;;
		'SKIP: '*) skip "$prefix$test${line#SKIP: }"; show=0 ;;
		'FAIL: '*)
			fail "$prefix$test${line#FAIL: }"
			show=1
			guest_failed=$((guest_failed + 1))
			;;
		'    '*) [ "$show" = 0 ] || echo "$line" ;;
		*) show=0 ;;
		esac
	done <"$out"
}

# guest_boot NAME STATUS ERR LOG - the boot itself as one check, from
# run-guest.sh's exit status: 0 (job passed) and 1 (job failed) both mean
# the guest ran to its end with a clean kernel log. A failed job that
# printed no FAIL line is one more failure.
guest_boot() {
	local name=$1 status=$2 err=$3 log=$4

	# A boot that stalled before /init and was booted again (run-guest.sh).
	sed -n 's/^run-guest: \(.*booting once more\).*/# '"$cell"': \1/p' "$err"
	if [ "$status" -le 1 ]; then
		ok "$name: booted, job finished, kernel log clean"
	else
		fail "$name: boot (log: ${log#"$GOHEAP_TOP/"})"
		details <"$err"
	fi
	if [ "$status" = 1 ] && [ "$guest_failed" = 0 ]; then
		fail "$name: job exit status (output: ${log%.log}.out)"
	fi
}

# kunit_ktap LOG - the KTAP that the KUnit modules printed, cut from the
# console log between the job's markers, without timestamps and without the
# harness's own lines, as one document: each suite module prints its own
# top-level header ("KTAP version 1", "1..1") and result ("ok 1 <suite>")
# from 6.6 or so, none before; those headers are dropped, the top-level
# results renumbered, and one header for all the suites put first.
kunit_ktap() {
	local body
	body=$(sed -n '/GOHEAP-KUNIT-BEGIN/,/GOHEAP-KUNIT-END/p' "$1" |
		sed -e 's/^\[[ 0-9.]*\] //' -e '/^GOHEAP-KUNIT-/d' -e '/^goheap-guest: /d' |
		sed -e '/^KTAP version /d' -e '/^1\.\.[0-9]*$/d')
	echo "KTAP version 1"
	echo "1..$(printf '%s\n' "$body" | grep -c '^    # Subtest: ' || true)"
	printf '%s\n' "$body" | awk '
		/^(ok|not ok) [0-9]+ / {
			n++
			sub(/^ok [0-9]+ /, "ok " n " ")
			sub(/^not ok [0-9]+ /, "not ok " n " ")
		}
		{ print }'
}

# kunit_cases JSON - "STATUS<tab>suite.case[.param]<tab>leaf name" for every
# leaf of kunit.py's JSON results (each parameter of a parameterised case
# is a leaf of its own, as in kunit.py's own count).
kunit_cases() {
	python3 - "$1" <<-'EOF'
	import json, sys

	def walk(group, path):
	    for case in group["test_cases"]:
	        print(case["status"], ".".join(path + [case["name"]]), case["name"], sep="\t")
	    for sub in group["sub_groups"]:
	        walk(sub, path + [sub["name"]])

	walk(json.load(open(sys.argv[1])), [])
	EOF
}

# kunit_case_log KTAP NAME - the diagnostic lines a failed case printed
# before its "not ok N NAME" line.
kunit_case_log() {
	awk -v name="$2" '
		/^ *(ok|not ok) [0-9]+ / || /# Subtest:/ {
			if ($0 ~ /^ *not ok [0-9]+ / && substr($0, index($0, $4)) == name) {
				printf "%s", buf
				print
			}
			buf = ""
			next
		}
		{ buf = buf $0 "\n" }' "$1"
}

# kunit_results TREE LOG BASE [SUITES] - one check per KUnit case in the
# console log LOG, parsed by TREE's kunit.py; its KTAP, JSON and report go
# to BASE.*. With SUITES, fewer suites than that in the results fail.
kunit_results() {
	local dbg=$1 log=$2 base=$3 rc=0 status case leaf n=0 nbad=0 got

	kunit_ktap "$log" >"$base.ktap"
	rm -f "$base.json"
	python3 "$dbg/tools/testing/kunit/kunit.py" parse --json="$base.json" \
		"$base.ktap" >"$base.txt" 2>&1 || rc=$?
	if [ -s "$base.json" ]; then
		while IFS=$'\t' read -r status case leaf; do
			n=$((n + 1))
			case $status in
			PASS) ok "kunit $case" ;;
			SKIP) skip "kunit $case" ;;
			*)
				fail "kunit $case ($status)"
				nbad=$((nbad + 1))
				kunit_case_log "$base.ktap" "$leaf" | details
				;;
			esac
		done < <(kunit_cases "$base.json")
	fi
	if [ "$n" = 0 ] || { [ "$rc" != 0 ] && [ "$nbad" = 0 ]; }; then
		fail "kunit: no results, or errors in the KTAP (see ${base#"$GOHEAP_TOP/"}.txt)"
		grep -iE 'error|crash|missing' "$base.txt" | details
	fi
	if [ -n "${4:-}" ] && [ -s "$base.json" ]; then
		got=$(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["sub_groups"]))' \
			"$base.json")
		[ "$got" = "$4" ] || fail "kunit: $got suites reported, $4 loaded"
	fi
}

# === The kernel matrix ===

# cell_profile CELL - what runs in a cell's guest: stock, debug, rt or arm64
# (see the top of this file).
cell_profile() {
	case $1 in
	*-arm64*) echo arm64 ;;
	*-rt-debug) echo rt ;;
	*-debug) echo debug ;;
	*) echo stock ;;
	esac
}

# === What runs in a cell: KUNIT= and TESTS= ===
#
# KUNIT="api stats" loads only those KUnit suites (the names of
# kmod/tests/Kbuild's GOHEAP_KUNIT_SUITES, with or without "goheap_", or
# "sanitizer" for 6.1-debug's sanitizer boot); TESTS="tool fuzz" runs only
# those guest scripts (tools/testing/vm/guest/<name>.sh). Once either is
# set, only what is selected runs: TESTS=tool alone runs no KUnit suite.

kunit_suites() {
	sed -n 's/^GOHEAP_KUNIT_SUITES := //p' "$GOHEAP_TOP/kmod/tests/Kbuild"
}

# selection_check - fail, naming the valid names, on an unknown one.
selection_check() {
	local k s bad=0 all

	all="$(kunit_suites) sanitizer"
	for k in ${KUNIT//,/ }; do
		for s in $all; do
			[ "$k" = "$s" ] || [ "$k" = "goheap_$s" ] && continue 2
		done
		echo "KUNIT: no suite '$k' (suites: $all)" >&2
		bad=1
	done
	for k in ${TESTS//,/ }; do
		[ -e "$GOHEAP_VM_DIR/guest/${k%.sh}.sh" ] && continue
		echo "TESTS: no guest script '$k' (scripts: $(cd "$GOHEAP_VM_DIR/guest" &&
			ls -- *.sh | sed 's/\.sh$//' | tr '\n' ' '))" >&2
		bad=1
	done
	return "$bad"
}

# suite_selected SUITE, test_selected SCRIPT - whether it runs.
suite_selected() {
	local k

	[ -n "${KUNIT:-}${TESTS:-}" ] || return 0
	for k in ${KUNIT:-}; do
		[ "$k" = "$1" ] || [ "$k" = "goheap_$1" ] && return 0
	done
	return 1
}

test_selected() {
	local k

	[ -n "${KUNIT:-}${TESTS:-}" ] || return 0
	for k in ${TESTS:-}; do
		[ "${k%.sh}.sh" = "$1" ] && return 0
	done
	return 1
}

# kunit_modules - the suite modules to load, one per line, in Kbuild's order.
kunit_modules() {
	local s

	for s in $(kunit_suites); do
		! suite_selected "$s" || echo "goheap_${s}_kunit.ko"
	done
}

# cell_summary - close a cell: its own "CELL: N passed, N failed" line.
cell_summary() {
	local line="$cell: $cell_passed passed, $cell_failed failed"

	[ "$cell_skipped" = 0 ] || line+=", $cell_skipped skipped"
	echo "# $line"
	cell_summaries+=("$line")
	cell=''
}

# kernels_build_start CELL... - build the built kernels of these cells, one
# after the other, in a background job at low priority; each leaves
# $BUILD/kernels/<cell>.status ("ok" or "failed") when it ends.
kernels_build_start() {
	local c todo=()

	rm -rf "$BUILD/kernels"
	mkdir -p "$BUILD/kernels"
	for c in "$@"; do
		cell_stock "$c" >/dev/null || todo+=("$c")
	done
	[ ${#todo[@]} -gt 0 ] || return 0
	(
		for c in "${todo[@]}"; do
			if GOHEAP_BUILD_NICE=10 ensure_kernel "$c" >/dev/null \
				2>"$BUILD/kernels/$c.err"; then
				echo ok >"$BUILD/kernels/$c.status"
			else
				echo failed >"$BUILD/kernels/$c.status"
			fi
		done
	) </dev/null &
	kernels_builder=$!
}

# kernel_wait CELL - wait for the background build of a cell's kernel;
# fails if it failed.
kernel_wait() {
	local st=$BUILD/kernels/$1.status

	cell_stock "$1" >/dev/null && return 0
	if [ ! -e "$st" ] && ! kernel_ready "$1"; then
		echo "# $1: waiting for its kernel to build (~5 minutes)"
	fi
	while [ ! -e "$st" ]; do
		sleep 5
	done
	[ "$(cat "$st")" = ok ]
}

# kernel_identity OUT RELEASE MACHINE PAGE - the guest ran the kernel it
# should: its /init's GOHEAP-GUEST-KERNEL line names RELEASE, MACHINE and a
# page size of PAGE bytes.
kernel_identity() {
	local want="GOHEAP-GUEST-KERNEL: release=$2 machine=$3 page_size=$4" got

	got=$(grep -m1 '^GOHEAP-GUEST-KERNEL: ' "$1" || true)
	if [ "$got" = "$want" ]; then
		ok "kernel ${2}, $3, $(($4 / 1024)) KiB pages"
	else
		fail "kernel identity: want '$want', got '${got:-nothing}'"
	fi
}

# run_cell CELL - one cell of the matrix: builds, one guest boot (two for
# 6.1-debug), its results.
run_cell() {
	local c=$1 arch profile image kdir rel dir work status=0 bins mods tests=() files=() guests
	local cpus=2 mem=1G nodes=1 append='' secs='' job machine=x86_64 page=4096 t

	cell=$c cell_passed=0 cell_failed=0 cell_skipped=0
	arch=$(cell_arch "$c")
	profile=$(cell_profile "$c")
	dir=$LOGS/$c work=$BUILD/cells/$c
	rm -rf "$dir" "$work"
	mkdir -p "$dir" "$work"
	[ "$arch" = x86_64 ] || machine=aarch64
	[ "$c" != "${c%-64k}" ] && page=65536
	if ! read -r image kdir < <(cell_kernel "$c"); then
		echo "# $c: no $(cell_stock "$c") kernel installed"
		fail "kernel not installed (run tools/testing/vm/deps.sh)"
		cell_summary
		return
	fi
	if ! kernel_wait "$c"; then
		echo "# $c"
		fail "kernel build (log: $(kernel_dir "$c")/build.log)"
		details <"$BUILD/kernels/$c.err"
		cell_summary
		return
	fi
	# UTS_RELEASE, what uname -r prints: Debian's headers packages do not
	# all carry include/config/kernel.release.
	rel=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' "$kdir/include/generated/utsrelease.h")
	echo "# $c: $rel, $arch, $profile guest"

	check_build "build goheap W=1" "$kdir" "$work/module" "$dir/build-module.log"
	mods=("$work/module/kmod/goheap.ko")
	[ "$profile" != stock ] || mods+=("$work/module/kmod/bench/goheap_bench.ko")
	if [ "$profile" != stock ]; then
		kunit_modules >"$work/kunit-modules"
		files+=("$work/kunit-modules")
		for t in $(cat "$work/kunit-modules"); do
			mods+=("$work/module/kmod/tests/$t")
		done
	fi
	if build_client "$kdir" "$work/module" "$dir/build-client.log" "$work/client"; then
		ok "build goheap_client.ko, goheap_stress.ko W=1 against the kernel + Module.symvers"
		files+=("$work/client/goheap_client.ko" "$work/client/goheap_stress.ko")
	else
		fail "build goheap_client.ko, goheap_stress.ko (log: ${dir#"$GOHEAP_TOP/"}/build-client.log)"
		grep -E 'warning:|error:|ERROR' "$dir/build-client.log" | details
	fi
	for t in "${mods[@]}"; do
		if [ ! -e "$t" ]; then
			fail "guest: ${t##*/} was not built"
			cell_summary
			return
		fi
	done
	if guest_bins "$arch" >"$work/bins" 2>"$dir/build-bins.log"; then
		ok "build the guest's static binaries ($arch)"
	else
		fail "build the guest's static binaries (log: ${dir#"$GOHEAP_TOP/"}/build-bins.log)"
		grep -E 'error|Error' "$dir/build-bins.log" | details
	fi
	mapfile -t bins < <(tr ' ' '\n' <"$work/bins" | sed '/^$/d')

	case $profile in
	stock)
		job=tests.sh
		guests=$(cd "$GOHEAP_VM_DIR/guest" && ls -- *.sh)
		# One stock guest has two NUMA nodes, for goheap_alloc_node().
		[ "$c" != 6.12 ] || nodes=2
		echo "$nodes" >"$work/numa-nodes"
		files+=("$work/numa-nodes")
		;;
	debug)
		job=kunit.sh cpus=4 mem=2G secs=60
		append="page_table_check=on debug_pagealloc=on"
		guests="selftests.sh stress.sh fuzz.sh"
		;;
	rt)
		job=kunit.sh cpus=4 mem=2G secs=30
		guests="selftests.sh stress.sh"
		;;
	arm64)
		job=kunit.sh secs=20
		append="page_table_check=on"
		guests="selftests.sh stress.sh"
		;;
	esac
	for t in $guests; do
		! test_selected "$t" || tests+=(-t "$GOHEAP_VM_DIR/guest/$t")
	done
	if [ -n "$secs" ]; then
		echo "${GOHEAP_CHECK_STRESS_SECONDS:-$secs}" >"$work/stress-seconds"
		files+=("$work/stress-seconds")
	fi
	"$GOHEAP_VM_DIR/run-guest.sh" -A "$arch" -k "$image" -c "$cpus" -m "$mem" -n "$nodes" \
		-T 1200 -a "$append" -j "$GOHEAP_VM_DIR/jobs/$job" -l "$dir/guest.log" "${tests[@]}" \
		"${mods[@]}" "$GOHEAP_VM_DIR/jobs/testlib.sh" "$GOHEAP_VM_DIR/jobs/tests.sh" \
		"${files[@]}" "${bins[@]}" 2>"$dir/guest.err" || status=$?
	kernel_identity "$dir/guest.out" "$rel" "$machine" "$page"
	guest_results "" "$dir/guest.out"
	[ "$profile" != stock ] || ! test_selected profile.sh || pprof_check "$dir/guest.out" "$dir"
	[ "$profile" = stock ] || [ ! -s "$work/kunit-modules" ] ||
		kunit_results "$kdir" "$dir/guest.log" "$dir/kunit" "$(wc -l <"$work/kunit-modules")"
	guest_boot "guest" "$status" "$dir/guest.err" "$dir/guest.log"
	[ "$c" != 6.1-debug ] || ! suite_selected sanitizer ||
		sanitizer_boot "$image" "$kdir" "$work" "$dir"
	cell_summary
}

# pprof_check OUT DIR - the pprof file of guest/profile.sh (printed in base64
# between its GOHEAP-FILE markers) read on the host by go tool pprof: it
# parses, and its in-use bytes are 3:1 between the two call sites within
# 10 %, as the guest's own reading said.
pprof_check() {
	local out=$1 dir=$2 name="host: go tool pprof -top reads the guest's heap.pb.gz" top ratio

	sed -n '/^GOHEAP-FILE-BEGIN heap.pb.gz$/,/^GOHEAP-FILE-END$/p' "$out" | sed '1d;$d' |
		base64 -d >"$dir/heap.pb.gz" 2>/dev/null || true
	if [ ! -s "$dir/heap.pb.gz" ]; then
		fail "$name (the guest printed no file)"
		return
	fi
	if ! top=$(go tool pprof -top -sample_index=inuse_space "$dir/heap.pb.gz" 2>&1); then
		fail "$name"
		printf '%s\n' "$top" | details
		return
	fi
	printf '%s\n' "$top" >"$dir/pprof-top.txt"
	ratio=$(printf '%s\n' "$top" | awk '
		$NF == "client_profile_site_a" { a = $2 + 0 }
		$NF == "client_profile_site_b" { b = $2 + 0 }
		END { if (b > 0) printf "%.3f", a / b }')
	if [ -n "$ratio" ] && awk -v r="$ratio" 'BEGIN { exit !(r >= 2.7 && r <= 3.3) }'; then
		ok "$name: client_profile_site_a : _b in use $ratio (3:1 within 10 %)"
	else
		fail "$name: client_profile_site_a : _b in use '${ratio}', not 3:1 within 10 %"
		printf '%s\n' "$top" | head -n 15 | details
	fi
}

# sanitizer_boot IMAGE KDIR WORK DIR - the suites that make KASAN and
# kmemleak report on purpose, in a boot of their own (jobs/sanitizers.sh).
sanitizer_boot() {
	local image=$1 kdir=$2 work=$3 dir=$4 status=0 mods

	mods=("$work/module/kmod/goheap.ko" "$work/module/kmod/tests/goheap_sanitizer_kunit.ko")
	if [ ! -e "${mods[1]}" ]; then
		fail "sanitizers: goheap_sanitizer_kunit.ko was not built"
		return
	fi
	"$GOHEAP_VM_DIR/run-guest.sh" -k "$image" -c 2 -m 1G -T 600 \
		-a "kasan_multi_shot kmemleak=on" \
		-j "$GOHEAP_VM_DIR/jobs/sanitizers.sh" -l "$dir/sanitizers.log" \
		"${mods[@]}" "$GOHEAP_VM_DIR/jobs/testlib.sh" 2>"$dir/sanitizers.err" || status=$?
	guest_results "sanitizers " "$dir/sanitizers.out"
	kunit_results "$kdir" "$dir/sanitizers.log" "$dir/kunit-sanitizers"
	guest_boot "sanitizer guest" "$status" "$dir/sanitizers.err" "$dir/sanitizers.log"
}

main() {
	local kver c start=$SECONDS cells run=()

	mkdir -p "$LOGS"
	lock_build_dir
	mapfile -t cells < <(cells_selected) || exit 2
	KUNIT=${KUNIT:-} TESTS=${TESTS:-}
	KUNIT=${KUNIT//,/ } TESTS=${TESTS//,/ }
	selection_check || exit 2
	kver=$(stock_kver) || { echo "no Debian 6.1 kernel with headers (run deps.sh)" >&2; exit 1; }
	# Stock cells first: their guests run while the built kernels build.
	for c in "${cells[@]}"; do
		cell_stock "$c" >/dev/null && run+=("$c")
	done
	for c in "${cells[@]}"; do
		cell_stock "$c" >/dev/null || run+=("$c")
	done
	kernels_build_start "${run[@]}"
	trap '[ -z "${kernels_builder:-}" ] || kill "$kernels_builder" 2>/dev/null || true' EXIT

	[ "${GOHEAP_HOST_CHECKS:-1}" = 0 ] || host_checks "$kver"
	for c in "${run[@]}"; do
		run_cell "$c"
	done

	echo "# logs in ${LOGS#"$GOHEAP_TOP/"}/, $((SECONDS - start))s"
	printf '# %s\n' "${cell_summaries[@]}"
	tally_summary
}

cell_summaries=()
main "$@"
