#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: every goheap test, one line per check ("ok   <name>" or
# "FAIL <name>", with the relevant lines under a failure), ending with the
# line "N passed, N failed" (", N skipped" when there are skips). Exits
# non-zero if anything failed.
#
#   1. host: W=1 build against the stock headers, checkpatch --strict,
#      kernel-doc, every uapi/linux/*.h compiled alone as C90, dkms build,
#      make install/uninstall into a staging directory, Sphinx docs (-W)
#   2. debug kernel: built once and cached (build-debug-kernel.sh); the
#      module and its KUnit module built against it with W=1
#   3. stock guest: Debian's kernel, 2 CPUs, 1G, runs every guest/*.sh; each
#      PASS/FAIL line counts, and so does the boot itself (clean kernel log)
#   4. debug guest: the debug kernel, 4 CPUs, 2G, loads goheap_kunit.ko; each
#      KUnit case (each parameter of a parameterised case) counts, and so does
#      the boot itself; then the selftests and guest/stress.sh (60 s of load)
#   5. sanitizer guest: the debug kernel again, booted with kasan_multi_shot
#      and kmemleak=on, loads goheap_sanitizer_kunit.ko, whose cases make
#      KASAN report on purpose (inside expected-report windows), and checks
#      that kmemleak reports a goheap object leaked on purpose
#
# Builds and logs live in .build/ (logs in .build/logs/).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

BUILD=$GOHEAP_TOP/.build
LOGS=$BUILD/logs
guest_failed=0

# details - indent up to 20 lines of stdin under a FAIL line.
details() {
	awk 'NR <= 20 { print "    " $0 } END { if (NR > 20) print "    ... " NR - 20 " more lines" }'
}

# verdict NAME LOG CMD... - one check: ok if CMD succeeds and prints
# nothing, else FAIL with what it printed (all of it is kept in LOG).
verdict() {
	local name=$1 log=$2 rc=0
	shift 2

	"$@" >"$log" 2>&1 || rc=$?
	if [ "$rc" = 0 ] && [ ! -s "$log" ]; then
		ok "$name"
	else
		fail "$name (log: ${log#"$GOHEAP_TOP/"})"
		{ cat "$log"; echo "(exit status $rc)"; } | details
	fi
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

# check_build NAME KDIR DIR - W=1 build in DIR against KDIR: no error, no warning.
check_build() {
	local name=$1 kdir=$2 dir=$3 log
	log=$LOGS/build-$(basename "$dir").log

	if build_module "$kdir" "$dir" "$log" && ! grep -q 'warning:' "$log"; then
		ok "$name"
	else
		fail "$name (log: ${log#"$GOHEAP_TOP/"})"
		grep -E 'warning:|error:|Error' "$log" | details
	fi
}

# sources - the module's C sources and headers, relative to the top.
sources() {
	(cd "$GOHEAP_TOP" && find kmod uapi -type f -name '*.[ch]' ! -name '*.mod.c' 2>/dev/null |
		LC_ALL=C sort)
}

# uapi_c90 HEADER - the header compiles alone in user space as C90.
uapi_c90() {
	printf '#include <linux/%s>\n' "$(basename "$1")" |
		gcc -std=c90 -Wall -Werror -fsyntax-only -I "$GOHEAP_TOP/uapi" -x c -
}

host_checks() {
	local dbg=$1 kver=$2 files h

	echo "# host checks"
	mapfile -t files < <(sources)
	check_build "build W=1 against $kver headers" "/usr/src/linux-headers-$kver" "$BUILD/stock"
	if [ -n "$dbg" ]; then
		verdict "checkpatch --strict (${#files[@]} files)" "$LOGS/checkpatch.log" \
			bash -c 'cd "$1" && shift && perl "$0" --strict --no-tree --terse --show-types \
				--no-summary -f "$@"' \
			"$dbg/scripts/checkpatch.pl" "$GOHEAP_TOP" "${files[@]}"
	else
		fail "checkpatch --strict (no debug kernel tree)"
	fi
	verdict "kernel-doc (${#files[@]} files)" "$LOGS/kernel-doc.log" \
		bash -c 'cd "$1" && shift && perl "$0" -none "$@"' \
		"${dbg:-/usr/src/linux-headers-${kver%-amd64}-common}/scripts/kernel-doc" \
		"$GOHEAP_TOP" "${files[@]}"
	for h in "$GOHEAP_TOP"/uapi/linux/*.h; do
		[ -e "$h" ] || continue
		verdict "uapi ${h#"$GOHEAP_TOP/"} alone, gcc -std=c90 -Wall -Werror" \
			"$LOGS/uapi-$(basename "$h" .h).log" uapi_c90 "$h"
	done
	succeeds "dkms build for $kver" "$LOGS/dkms.log" \
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
	make -C "$GOHEAP_TOP" --no-print-directory install DESTDIR="$dest" || return 1
	for f in "lib/modules/$1/updates/kmod/goheap.ko" usr/local/include/linux/goheap.h \
		 usr/local/bin/goheap etc/udev/rules.d/60-goheap.rules; do
		[ -f "$dest/$f" ] || { echo "not installed: /$f"; return 1; }
	done
	make -C "$GOHEAP_TOP" --no-print-directory uninstall DESTDIR="$dest" || return 1
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

stock_guest() {
	local kver=$1 status=0 t bins args=()

	echo "# stock guest: $kver, 2 CPUs, 1G"
	if [ ! -e "$BUILD/stock/kmod/goheap.ko" ]; then
		fail "stock guest: kmod/goheap.ko was not built"
		return
	fi
	for t in "$GOHEAP_VM_DIR"/guest/*.sh; do
		[ -e "$t" ] && args+=(-t "$t")
	done
	mapfile -t bins < <(guest_bins | tr ' ' '\n' | sed '/^$/d')
	# An experimenter's module and the stress load, built from the headers
	# and goheap's symvers.
	if build_client "/usr/src/linux-headers-$kver" "$BUILD/stock" "$LOGS/build-client.log"; then
		ok "build goheap_client.ko, goheap_stress.ko against $kver headers + Module.symvers"
		bins+=("$BUILD/client/goheap_client.ko" "$BUILD/client/goheap_stress.ko")
	else
		fail "build goheap_client.ko, goheap_stress.ko (log: ${LOGS#"$GOHEAP_TOP/"}/build-client.log)"
		grep -E 'warning:|error:|ERROR' "$LOGS/build-client.log" | details
	fi
	"$GOHEAP_VM_DIR/run-guest.sh" -k "/boot/vmlinuz-$kver" -c 2 -m 1G -T 600 \
		-j "$GOHEAP_VM_DIR/jobs/tests.sh" -l "$LOGS/stock.log" "${args[@]}" \
		"$BUILD/stock/kmod/goheap.ko" "$GOHEAP_VM_DIR/jobs/testlib.sh" "${bins[@]}" \
		2>"$LOGS/stock.err" || status=$?
	guest_results "stock " "$LOGS/stock.out"
	guest_boot "stock guest" "$status" "$LOGS/stock.err" "$LOGS/stock.log"
}

# kunit_ktap LOG - the KTAP that goheap_kunit.ko printed, cut from the console
# log between the job's markers, without timestamps. Suites loaded from a
# module print no top-level header in 6.1, so one is added.
kunit_ktap() {
	local body
	body=$(sed -n '/GOHEAP-KUNIT-BEGIN/,/GOHEAP-KUNIT-END/p' "$1" |
		sed -e 's/^\[[ 0-9.]*\] //' -e '/^GOHEAP-KUNIT-/d')
	echo "KTAP version 1"
	echo "1..$(printf '%s\n' "$body" | grep -c '^    # Subtest: ' || true)"
	printf '%s\n' "$body"
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

# kunit_results DBG [NAME] - one check per KUnit case in the console log
# $LOGS/NAME.log (default: debug), parsed by DBG's kunit.py.
kunit_results() {
	local dbg=$1 name=${2:-debug} rc=0 status case leaf n=0 nbad=0
	local base=$LOGS/kunit${2:+-$2}

	kunit_ktap "$LOGS/$name.log" >"$base.ktap"
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
}

debug_guest() {
	local dbg=$1 status=0 mods bins

	echo "# debug guest: $(basename "$dbg"), 4 CPUs, 2G, KUnit, /dev/goheap selftests, stress, fuzzer"
	mods=("$BUILD/debug/kmod/goheap.ko" "$BUILD/debug/kmod/tests/goheap_kunit.ko")
	mapfile -t bins < <(guest_bins | tr ' ' '\n' | sed '/^$/d')
	if [ ! -e "${mods[0]}" ] || [ ! -e "${mods[1]}" ]; then
		fail "debug guest: goheap.ko or goheap_kunit.ko was not built"
		return
	fi
	# The stress load, built against the debug tree; guest/stress.sh runs it
	# for GOHEAP_CHECK_STRESS_SECONDS (make stress runs it longer).
	if build_client "$dbg" "$BUILD/debug" "$LOGS/build-client-debug.log" \
		"$BUILD/client-debug"; then
		ok "build goheap_client.ko, goheap_stress.ko against the debug kernel"
		mkdir -p "$BUILD/stress-check"
		echo "${GOHEAP_CHECK_STRESS_SECONDS:-60}" >"$BUILD/stress-check/stress-seconds"
		bins+=("$BUILD/client-debug/goheap_stress.ko" "$BUILD/stress-check/stress-seconds")
	else
		fail "build goheap_stress.ko against the debug kernel (log: ${LOGS#"$GOHEAP_TOP/"}/build-client-debug.log)"
		grep -E 'warning:|error:|ERROR' "$LOGS/build-client-debug.log" | details
	fi
	"$GOHEAP_VM_DIR/run-guest.sh" -k "$dbg/arch/x86/boot/bzImage" -c 4 -m 2G -T 900 \
		-a "page_table_check=on debug_pagealloc=on" \
		-j "$GOHEAP_VM_DIR/jobs/kunit.sh" -l "$LOGS/debug.log" \
		-t "$GOHEAP_VM_DIR/guest/selftests.sh" -t "$GOHEAP_VM_DIR/guest/stress.sh" \
		-t "$GOHEAP_VM_DIR/guest/fuzz.sh" \
		"${mods[@]}" "$GOHEAP_VM_DIR/jobs/testlib.sh" "$GOHEAP_VM_DIR/jobs/tests.sh" \
		"${bins[@]}" 2>"$LOGS/debug.err" || status=$?
	guest_results "debug " "$LOGS/debug.out"
	kunit_results "$dbg"
	guest_boot "debug guest" "$status" "$LOGS/debug.err" "$LOGS/debug.log"
}

# sanitizer_guest DBG - the suites that make KASAN and kmemleak report on
# purpose, in a debug-kernel boot of their own (jobs/sanitizers.sh).
sanitizer_guest() {
	local dbg=$1 status=0 mods

	echo "# sanitizer guest: $(basename "$dbg"), 2 CPUs, 1G, kasan_multi_shot kmemleak=on"
	mods=("$BUILD/debug/kmod/goheap.ko" "$BUILD/debug/kmod/tests/goheap_sanitizer_kunit.ko")
	if [ ! -e "${mods[0]}" ] || [ ! -e "${mods[1]}" ]; then
		fail "sanitizer guest: goheap.ko or goheap_sanitizer_kunit.ko was not built"
		return
	fi
	"$GOHEAP_VM_DIR/run-guest.sh" -k "$dbg/arch/x86/boot/bzImage" -c 2 -m 1G -T 600 \
		-a "kasan_multi_shot kmemleak=on" \
		-j "$GOHEAP_VM_DIR/jobs/sanitizers.sh" -l "$LOGS/sanitizers.log" \
		"${mods[@]}" "$GOHEAP_VM_DIR/jobs/testlib.sh" 2>"$LOGS/sanitizers.err" || status=$?
	guest_results "sanitizers " "$LOGS/sanitizers.out"
	kunit_results "$dbg" sanitizers
	guest_boot "sanitizer guest" "$status" "$LOGS/sanitizers.err" "$LOGS/sanitizers.log"
}

main() {
	local kver dbg='' start=$SECONDS

	mkdir -p "$LOGS"
	lock_build_dir
	kver=$(stock_kver) || { echo "no Debian kernel with headers (run deps.sh)" >&2; exit 1; }
	# Cached after the first run; building it takes minutes and says so.
	if ! dbg=$(ensure_debug_kernel); then
		dbg=
		fail "debug kernel build (log: $(debug_dir)/build.log)"
	fi

	host_checks "$dbg" "$kver"
	if [ -n "$dbg" ]; then
		check_build "build W=1 against the debug kernel" "$dbg" "$BUILD/debug"
	fi
	stock_guest "$kver"
	if [ -n "$dbg" ]; then
		debug_guest "$dbg"
		sanitizer_guest "$dbg"
	fi

	echo "# logs in ${LOGS#"$GOHEAP_TOP/"}/, $((SECONDS - start))s"
	tally_summary
}

main "$@"
