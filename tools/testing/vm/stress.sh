#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make stress: the stress test alone (guest/stress.sh, Documentation/
# testing.rst, "Stress"), long, in the debug guest: the debug kernel
# (KASAN, lockdep, ...), 4 CPUs, 2G, page_table_check and debug_pagealloc,
# as in make check, where the same test runs for 60 s.
#
# Environment:
#   GOHEAP_STRESS_SECONDS  seconds of load (default 600)
#   GOHEAP_STRESS_CPUS     guest CPUs (default 4)
#   GOHEAP_STRESS_SEED     seed for goheap_stress.ko and the user-space load
#                          (default: random, printed)
#
# Prints one line per check ("ok   <check>" or "FAIL <check>", the test's
# own report lines indented under the stress.sh line) and ends with
# "N passed, N failed". Logs: .build/logs/stress.{log,out}.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

BUILD=$GOHEAP_TOP/.build
LOGS=$BUILD/logs
SECONDS_OF_LOAD=${GOHEAP_STRESS_SECONDS:-600}
CPUS=${GOHEAP_STRESS_CPUS:-4}

# build NAME LOG CMD... - one check: CMD succeeds with no warning in LOG.
build() {
	local name=$1 log=$2
	shift 2

	if "$@" && ! grep -q 'warning:' "$log"; then
		ok "$name"
	else
		fail "$name (log: ${log#"$GOHEAP_TOP/"})"
		grep -E 'warning:|error:|Error' "$log" | sed 's/^/    /' | head -n 20
		return 1
	fi
}

# results OUT - count the PASS/FAIL/SKIP lines of the job's output; the
# indented lines (the test's report) are shown as they are.
results() {
	local line

	while IFS= read -r line; do
		case $line in
		'PASS: '*) ok "stress ${line#PASS: }" ;;
		'SKIP: '*) skip "stress ${line#SKIP: }" ;;
		'FAIL: '*) fail "stress ${line#FAIL: }" ;;
		'    '*) echo "$line" ;;
		esac
	done <"$1"
}

main() {
	local dbg start=$SECONDS status=0 bins extra=()

	mkdir -p "$LOGS"
	lock_build_dir
	dbg=$(ensure_debug_kernel) || { echo "debug kernel build failed" >&2; exit 1; }
	echo "# stress: $(basename "$dbg"), $CPUS CPUs, 2G, $SECONDS_OF_LOAD s of load"
	build "build W=1 against the debug kernel" "$LOGS/build-stress.log" \
		build_module "$dbg" "$BUILD/stress/module" "$LOGS/build-stress.log" || true
	build "build goheap_stress.ko against the debug kernel" "$LOGS/build-stress-client.log" \
		build_client "$dbg" "$BUILD/stress/module" "$LOGS/build-stress-client.log" \
		"$BUILD/stress/client" || true
	if [ "$failed" = 0 ]; then
		mapfile -t bins < <(guest_bins | tr ' ' '\n' | sed '/^$/d')
		echo "$SECONDS_OF_LOAD" >"$BUILD/stress/stress-seconds"
		extra+=("$BUILD/stress/stress-seconds")
		if [ -n "${GOHEAP_STRESS_SEED:-}" ]; then
			echo "$GOHEAP_STRESS_SEED" >"$BUILD/stress/stress-seed"
			extra+=("$BUILD/stress/stress-seed")
		fi
		# The load, plus 15 minutes for booting, setting up and the checks.
		"$GOHEAP_VM_DIR/run-guest.sh" -k "$dbg/arch/x86/boot/bzImage" -c "$CPUS" -m 2G \
			-T $((SECONDS_OF_LOAD + 900)) -a "page_table_check=on debug_pagealloc=on" \
			-j "$GOHEAP_VM_DIR/jobs/tests.sh" -l "$LOGS/stress.log" \
			-t "$GOHEAP_VM_DIR/guest/stress.sh" \
			"$BUILD/stress/module/kmod/goheap.ko" "$BUILD/stress/client/goheap_stress.ko" \
			"$GOHEAP_VM_DIR/jobs/testlib.sh" "${extra[@]}" "${bins[@]}" \
			2>"$LOGS/stress.err" || status=$?
		results "$LOGS/stress.out"
		if [ "$status" -le 1 ]; then
			ok "stress guest: booted, job finished, kernel log clean"
		else
			fail "stress guest: boot (log: ${LOGS#"$GOHEAP_TOP/"}/stress.log)"
			sed 's/^/    /' "$LOGS/stress.err" | head -n 40
		fi
		if [ "$status" = 1 ] && ! grep -q '^FAIL: ' "$LOGS/stress.out"; then
			fail "stress guest: job exit status (output: ${LOGS#"$GOHEAP_TOP/"}/stress.out)"
		fi
	fi

	echo "# logs in ${LOGS#"$GOHEAP_TOP/"}/stress.{log,out}, $((SECONDS - start))s"
	tally_summary
}

main "$@"
