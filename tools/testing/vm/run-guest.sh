#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot a kernel in QEMU (software emulation, TCG) from a busybox initramfs,
# run one job script in the guest, and judge the run.
#
# Usage: run-guest.sh -k KERNEL -j JOB -l LOG [-A ARCH] [-c CPUS] [-m MEM] [-n NODES] [-a APPEND] [-T SECONDS] [-i] [-t TEST]... [FILE]...
#
#   -k KERNEL   kernel image to boot (x86: bzImage, arm64: Image)
#   -A ARCH     x86_64 (default: qemu-system-x86_64) or arm64
#               (qemu-system-aarch64 -M virt -cpu max, the arm64 busybox,
#               the job's output on a virtio console)
#   -j JOB      script /init runs (see jobs/); its output is the result channel
#   -l LOG      where the serial console (all kernel messages) is written
#   -c CPUS     guest CPUs (default 2)
#   -m MEM      guest memory (default 1G)
#   -n NODES    NUMA nodes (default 1): CPUs dealt out round-robin, MEM
#               (in M or G) split evenly
#   -a APPEND   extra kernel command line
#   -T SECONDS  hard time limit for the whole boot (default 300)
#   -i          deterministic mode: single-threaded TCG with -icount
#               shift=0, so the guest clock advances 1 ns per instruction
#   -t TEST     a guest test, shipped to /goheap/tests/ (repeatable)
#   FILE...     shipped to /goheap/ (modules, static binaries)
#
# Next to LOG it leaves ${LOG%.log}.out (the job's output, read from the
# guest's second serial port, ending with "GOHEAP-GUEST-EXIT: <rc>") and
# ${LOG%.log}.cpio.gz (the initramfs). The QEMU CPU model is "max" unless
# GOHEAP_QEMU_CPU says otherwise (on arm64 with pauth-impdef=on: QEMU's
# cheap pointer-authentication hash instead of the architected QARMA,
# which costs TCG much and changes nothing goheap does).
#
# A kernel that never starts /init, because it stalled (no /init after
# GOHEAP_INIT_LIMIT seconds, default 300) or crashed in early boot, is
# booted once more, and that is reported on stderr; its console log is
# kept as ${LOG%.log}.stalled.log. Nothing of goheap has run at that point.
# Under multi-threaded TCG, early-boot text patching (static keys flipped
# with int3, e.g. "sched_clock: Marking stable") has been seen to trap
# ("Oops: int3" in the patched function) or spin, on the 6.12 stock and
# 7.3 debug kernels, once each in many boots: QEMU's cross-modifying-code
# handling, not the kernel's. A second failure is judged as usual.
#
# Exit status:
#   0  the job exited 0 and the kernel log is clean
#   1  the job exited non-zero; the kernel log is clean
#   2  the guest itself failed: time limit, no exit sentinel, or a kernel
#      splat (the offending lines are printed on stderr)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# Kernel messages that fail a run whatever the tests say.
SPLAT_RE='BUG:|WARNING:|Oops|Call Trace|KASAN|KFENCE|UBSAN|kernel BUG at|general protection fault'
SPLAT_RE+='|Unable to handle kernel|possible circular locking|possible recursive locking'
SPLAT_RE+='|inconsistent lock state|INFO: lockdep|INFO: task .* blocked|detected stalls'
SPLAT_RE+='|sleeping function called from invalid context|Bad page|Kernel panic'
SPLAT_RE+='|list_add corruption|list_del corruption'
# Between a test's "goheap-expect-report: begin <name>" and "... end <name>"
# lines, a KASAN report is what the test asked for (the test itself counts
# the reports); anything else is still a splat there.
EXPECTED_REPORT_RE='BUG: KASAN: |KASAN|Call Trace|Disabling lock debugging'
# The one panic every run ends with: /init exiting with status 0. Only this
# exact line, and only after the exit sentinel, ends the scanned region.
EXPECTED_END='Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000000'
SENTINEL='GOHEAP-GUEST-EXIT: '

usage() {
	sed -n 's/^# Usage: //p' "$0" >&2
	exit 2
}

# boot - run QEMU under a hard time limit; returns timeout(1)'s status.
boot() {
	local cmdline="panic=-1 oops=panic loglevel=7 printk.devkmsg=on log_buf_len=4M"
	local qemu

	if [ "$arch" = arm64 ]; then
		qemu=(qemu-system-aarch64 -M virt -cpu "${GOHEAP_QEMU_CPU:-max,pauth-impdef=on}"
		      -serial "file:$log" -device virtio-serial-device
		      -chardev "file,id=out,path=$out" -device virtconsole,chardev=out)
		cmdline="console=ttyAMA0 $cmdline"
	else
		qemu=(qemu-system-x86_64 -cpu "${GOHEAP_QEMU_CPU:-max}"
		      -serial "file:$log" -serial "file:$out")
		cmdline="console=ttyS0 $cmdline"
	fi
	timeout -k 10 "$time_limit" "${qemu[@]}" "${accel[@]}" \
		-smp "$smp" -m "$mem" "${numa[@]}" \
		-nodefaults -display none -monitor none -no-reboot \
		-kernel "$kernel" -initrd "$initrd" -append "$cmdline $append" \
		</dev/null 2>"$base.qemu.err" &
	qemu_pid=$!
	# The kernel must reach /init, whose first line goes to the job
	# output, within $init_limit seconds; a kernel that stalls before
	# (seen once with a 4-CPU TCG guest of 7.3 under host load, spinning
	# in early boot) is not goheap's doing: give up on that boot.
	while kill -0 "$qemu_pid" 2>/dev/null; do
		if [ ! -s "$out" ] && [ $((SECONDS - boot_start)) -ge "$init_limit" ]; then
			kill "$qemu_pid" 2>/dev/null
			wait "$qemu_pid" 2>/dev/null
			return 125
		fi
		[ -s "$out" ] && break
		sleep 2
	done
	wait "$qemu_pid"
}

# report - print a failure reason and up to 30 log lines from stdin.
report() {
	echo "run-guest: $1 (console: $log, job output: $out)" >&2
	sed -n '1,30s/^/    /p' >&2
}

# during SPLATS - ", during <what>" from the last marker the guest wrote to
# the kernel log before the first splat line ("goheap-guest: test <script>"
# from jobs/tests.sh, "goheap-guest: check <name>" from testlib.sh), if any.
during() {
	local first what

	first=$(printf '%s\n' "$1" | sed -n '1s/:.*//p')
	what=$(head -n "$first" "$log" | sed -n 's/.*goheap-guest: \(test\|check\) /\1 /p' |
		tail -n 1)
	[ -z "$what" ] || echo ", during $what"
}

# splat_lines - "N:line" for each splat line of stdin, leaving out expected
# KASAN reports inside expected-report windows.
splat_lines() {
	awk -v splat="$SPLAT_RE" -v expected="$EXPECTED_REPORT_RE" '
		/goheap-expect-report: begin / { window = 1 }
		/goheap-expect-report: end / { window = 0 }
		$0 ~ splat && !(window && $0 ~ expected && !/BUG: / || window && /BUG: KASAN: /) {
			print NR ":" $0
		}'
}

# judge - decide the exit status from the two logs (see the top of the file).
judge() {
	local qemu_rc=$1 end sentinel_line splats rc status=0

	touch "$log" "$out"
	tr -d '\r' <"$log" >"$log.tmp" && mv "$log.tmp" "$log"
	tr -d '\r' <"$out" >"$out.tmp" && mv "$out.tmp" "$out"

	# Scan up to the expected final panic, if it follows the sentinel.
	sentinel_line=$(grep -n -m1 -F "$SENTINEL" "$log" | cut -d: -f1 || true)
	end=$(grep -n -m1 -F "$EXPECTED_END" "$log" | cut -d: -f1 || true)
	if [ -z "$sentinel_line" ] || [ -z "$end" ] || [ "$end" -lt "$sentinel_line" ]; then
		end=$(($(wc -l <"$log") + 1))
	fi
	splats=$(head -n $((end - 1)) "$log" | splat_lines)
	if [ -n "$splats" ]; then
		printf '%s\n' "$splats" | report "kernel splat in the guest log$(during "$splats")"
		status=2
	fi

	if [ "$qemu_rc" = 124 ] || [ "$qemu_rc" = 137 ]; then
		tail -n 10 "$log" | report "time limit of ${time_limit}s reached"
		return 2
	fi
	rc=$(sed -n "s/^$SENTINEL\([0-9]*\)\$/\1/p" "$out" | sed -n '$p')
	if [ -z "$rc" ]; then
		{ cat "$base.qemu.err"; tail -n 10 "$log"; } | report "the job never finished"
		return 2
	fi
	if [ "$rc" != 0 ] && [ "$status" = 0 ]; then
		echo "run-guest: the job exited $rc (job output: $out)" >&2
		status=1
	fi
	return $status
}

cpus=2 mem=1G nodes=1 append='' time_limit=300 kernel='' job='' log='' arch=x86_64
init_limit=${GOHEAP_INIT_LIMIT:-300}
tests=()
accel=(-accel tcg,thread=multi)
while getopts 'k:j:l:A:c:m:n:a:T:it:h' opt; do
	case $opt in
	k) kernel=$OPTARG ;;
	A) arch=$OPTARG ;;
	j) job=$OPTARG ;;
	l) log=$OPTARG ;;
	c) cpus=$OPTARG ;;
	m) mem=$OPTARG ;;
	n) nodes=$OPTARG ;;
	a) append=$OPTARG ;;
	T) time_limit=$OPTARG ;;
	i) accel=(-accel tcg,thread=single -icount shift=0) ;;
	t) tests+=(-t "$OPTARG") ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ -n "$kernel" ] && [ -n "$job" ] && [ -n "$log" ] || usage
[ -r "$kernel" ] || { echo "run-guest: cannot read kernel $kernel" >&2; exit 2; }

# -n: one memory backend and one node per NUMA node, a socket per CPU.
numa=() smp=$cpus
if [ "$nodes" -gt 1 ]; then
	case $mem in
	*G) mem_m=$((${mem%G} * 1024)) ;;
	*M) mem_m=${mem%M} ;;
	*) echo "run-guest: -n needs -m in M or G, not $mem" >&2; exit 2 ;;
	esac
	for ((n = 0; n < nodes; n++)); do
		numa+=(-object "memory-backend-ram,id=mem$n,size=$((mem_m / nodes))M"
		       -numa "node,nodeid=$n,memdev=mem$n")
	done
	for ((c = 0; c < cpus; c++)); do
		numa+=(-numa "cpu,node-id=$((c % nodes)),socket-id=$c")
	done
	smp=$cpus,sockets=$cpus,cores=1,threads=1
fi

mkdir -p "$(dirname "$log")"
base=${log%.log}
out=$base.out
initrd=$base.cpio.gz
rm -f "$log" "$out"
busybox=()
case $arch in
x86_64) ;;
arm64) busybox=(-b "$(arm64_busybox)") ;;
*) echo "run-guest: unknown architecture $arch" >&2; exit 2 ;;
esac
"$GOHEAP_VM_DIR/mkinitramfs.sh" -o "$initrd" -j "$job" "${busybox[@]}" "${tests[@]}" "$@" || exit 2

qemu_rc=0
boot_start=$SECONDS
boot || qemu_rc=$?
if [ ! -s "$out" ]; then
	# Nothing of goheap or of the job had run yet: /init never started.
	if [ "$qemu_rc" = 125 ]; then
		why="did not reach /init in ${init_limit}s"
	else
		why="stopped before /init"
	fi
	grep -m 3 -E "$SPLAT_RE" "$log" | report "the kernel $why; booting once more"
	mv "$log" "$base.stalled.log"
	rm -f "$out"
	qemu_rc=0
	boot_start=$SECONDS
	boot || qemu_rc=$?
fi
if [ "$qemu_rc" = 125 ]; then
	tail -n 10 "$log" | report "the kernel did not reach /init in ${init_limit}s, twice"
	exit 2
fi
judge "$qemu_rc"
