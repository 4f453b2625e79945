#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: for each benchmark kernel, build goheap.ko and its in-kernel
# benchmark goheap_bench.ko against it, boot it in QEMU (TCG) once per
# configuration, run the benchmark in each boot (jobs/bench.sh loading both
# and writing the workloads below to /sys/kernel/debug/goheap/bench), and
# write one report with charts (bench-report.py), the kernels side by side.
# The kernels are Debian 12's stock 6.1 and a 7.3 built from
# linux-source-7.3 (kernels.sh: 7.3-bench, no debugging, Debian's slab
# hardening), whose SLUB has per-CPU sheaves.
# The configurations are 2 and 4 guest CPUs, each booted with
# init_on_alloc=0 and with the kernel's default (both kernels:
# init_on_alloc=1); every ratio in the report compares figures from one boot.
#
# Output in .build/bench/:
#   report.md            ratio tables, targets, span scaling, memory, charts
#   *.svg, *.png         the charts
#   raw/<boot>.txt       every bench= line of a boot, plus a bench=host line
#   logs/<boot>.{log,out} console log and job output of a boot
#   build-<kernel>.log   the modules' build for each kernel
#
# Environment (all optional):
#   BENCH_KERNELS="6.1 7.3-bench"  kernels: the 6.1 cell's stock kernel, and
#                             built kernels of kernels.sh (built if needed,
#                             about 5 minutes, then cached)
#   BENCH_CPUS="2 4"          guest CPU counts
#   BENCH_INIT="0 default"    init_on_alloc settings: 0, 1 or default
#   BENCH_MEM=2G              guest memory (6G with BENCH_ICOUNT=1, so that
#                             spanscale's 4 GiB heap fits; a row that does
#                             not fit is printed as skipped)
#   BENCH_WORKLOADS=FILE      workload list instead of the default one below
#                             (one "<workload> [key=value ...]" per line)
#   BENCH_ICOUNT=1            deterministic mode (make bench-icount): QEMU
#                             -icount shift=0, single-threaded, so every "ns"
#                             is a guest instruction; output in
#                             .build/bench-icount/. One CPU (a second one
#                             never comes up under -icount here), so no
#                             crosscpu or scaling; init_on_alloc=0
#
# Takes about 5 minutes per kernel on 2 host cores. Exits non-zero if the build, any
# boot or the report failed; a report is written from whatever boots
# succeeded.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

BUILD=$GOHEAP_TOP/.build
OUT=$BUILD/bench
icount=()
if [ "${BENCH_ICOUNT:-0}" = 1 ]; then
	OUT=$BUILD/bench-icount
	icount=(-i)
	: "${BENCH_CPUS:=1}" "${BENCH_INIT:=0}" "${BENCH_MEM:=6G}"
fi

# The default workload list: iteration counts sized so that one boot takes
# well under two minutes of TCG time (see Documentation/benchmarks.rst).
default_workloads() {
	cat <<-'EOF'
	calibration loops=200000
	pair loops=40000
	batch loops=40000
	bulk loops=40000
	spans loops=8000
	spanscale loops=8000
	crosscpu ms=300 reps=5
	scaling ms=300 reps=5
	memory loops=65536
	EOF
}

# host_line LABEL CPUS INIT - describe the host, the source tree and this
# boot's setting.
host_line() {
	local qemu cpu tree

	qemu=$(qemu-system-x86_64 --version | sed -n '1s/^QEMU emulator version //p')
	cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | sed -n 1p)
	tree=$(git -C "$GOHEAP_TOP" describe --always --dirty 2>/dev/null || echo unknown)
	printf 'bench=host label=%s guest_cpus=%s init_on_alloc=%s host_cores=%s qemu="%s" host_cpu="%s" tree=%s date=%s accel=%s\n' \
		"$1" "$2" "$3" "$(nproc)" "$qemu" "$cpu" "$tree" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
		"$([ ${#icount[@]} = 0 ] && echo tcg,thread=multi || echo tcg,icount=0)"
}

# boot_one KERNEL IMAGE CPUS INIT - one guest run; leaves raw/<label>.txt.
boot_one() {
	local k=$1 image=$2 cpus=$3 init=$4 label append='' status=0 start=$SECONDS

	label=$k-cpus$cpus-init$init
	[ "$init" = default ] || append="init_on_alloc=$init"
	echo "bench: booting $k, $cpus CPUs, init_on_alloc=$init"
	"$GOHEAP_VM_DIR/run-guest.sh" -k "$image" -c "$cpus" -m "${BENCH_MEM:-2G}" \
		-T 1800 "${icount[@]}" -a "$append" -j "$GOHEAP_VM_DIR/jobs/bench.sh" \
		-l "$OUT/logs/$label.log" \
		"$OUT/module-$k/kmod/goheap.ko" "$OUT/module-$k/kmod/bench/goheap_bench.ko" \
		"$OUT/bench-workloads" 2>"$OUT/logs/$label.err" ||
		status=$?
	{
		host_line "$label" "$cpus" "$init"
		grep '^bench=' "$OUT/logs/$label.out" || true
	} >"$OUT/raw/$label.txt"
	if [ "$status" != 0 ]; then
		echo "bench: boot $label FAILED (status $status, $((SECONDS - start))s):" >&2
		sed 's/^/    /' "$OUT/logs/$label.err" >&2
		grep -E 'error=|status=[1-9]' "$OUT/logs/$label.out" | sed 's/^/    /' >&2 || true
		return 1
	fi
	echo "bench: boot $label done in $((SECONDS - start))s"
}

# bench_kernel K - "IMAGE KDIR" of a benchmark kernel, building it if needed.
bench_kernel() {
	if cell_stock "$1" >/dev/null; then
		cell_kernel "$1"
	else
		ensure_kernel "$1" >/dev/null || return 1
		echo "$(kernel_image "$1") $(kernel_dir "$1")"
	fi
}

main() {
	local k image kdir cpus init failed=0 start=$SECONDS

	lock_build_dir
	rm -rf "$OUT"
	mkdir -p "$OUT/logs" "$OUT/raw"
	if [ -n "${BENCH_WORKLOADS:-}" ]; then
		grep -v '^[[:space:]]*\(#\|$\)' "$BENCH_WORKLOADS" >"$OUT/bench-workloads"
	elif [ ${#icount[@]} != 0 ]; then
		default_workloads | grep -v -e '^crosscpu' -e '^scaling' >"$OUT/bench-workloads"
	else
		default_workloads >"$OUT/bench-workloads"
	fi
	for k in ${BENCH_KERNELS:-6.1 7.3-bench}; do
		if ! read -r image kdir < <(bench_kernel "$k"); then
			echo "bench: no kernel $k" >&2
			failed=1
			continue
		fi
		echo "bench: building goheap.ko and goheap_bench.ko against $k ($kdir)"
		if ! build_module "$kdir" "$OUT/module-$k" "$OUT/build-$k.log"; then
			tail -n 20 "$OUT/build-$k.log" >&2
			failed=1
			continue
		fi
		for cpus in ${BENCH_CPUS:-2 4}; do
			for init in ${BENCH_INIT:-0 default}; do
				boot_one "$k" "$image" "$cpus" "$init" || failed=1
			done
		done
	done
	echo "bench: writing the report"
	python3 "$GOHEAP_VM_DIR/bench-report.py" "$OUT" || failed=1
	echo "bench: ${OUT#"$GOHEAP_TOP/"}/report.md ($((SECONDS - start))s in all)"
	return "$failed"
}

main "$@"
