# SPDX-License-Identifier: GPL-2.0
#
# Helpers for guest tests, shipped to /goheap/testlib.sh; source it with
# ". /goheap/testlib.sh". Guest tests run under busybox sh, as root, in
# /goheap/, and report one line per check: "PASS: <name>", "FAIL: <name>"
# or "SKIP: <name>"; detail lines after a FAIL are indented by four spaces.

# Set to 1 by the first failed check; a job may end with "exit $failed".
failed=0

# check NAME CMD... - run CMD; PASS if it succeeds, else FAIL with its output.
# A marker in the kernel log ties kernel messages to the check.
check() {
	_name=$1
	shift
	echo "goheap-guest: check $_name" 2>/dev/null >/dev/kmsg
	if _out=$("$@" 2>&1); then
		echo "PASS: $_name"
	else
		echo "FAIL: $_name"
		failed=1
		echo "    \$ $*"
		[ -z "$_out" ] || printf '%s\n' "$_out" | sed 's/^/    /'
	fi
}

# skip NAME [WHY] - report a check that cannot run here.
skip() {
	echo "SKIP: $1${2:+ ($2)}"
}

# as_user CMD... - run CMD as the unprivileged user (uid/gid 1000).
as_user() {
	# busybox's setpriv cannot change ids; its su can.
	su -s /bin/sh user -c 'exec "$0" "$@"' "$@"
}

# validate_clean - debugfs validate finds nothing wrong (its report is the
# output, shown when the check fails).
validate_clean() {
	out=$(cat /sys/kernel/debug/goheap/validate) || return 1
	printf '%s\n' "$out"
	printf '%s\n' "$out" | tail -n 1 | grep -Eq '^validate: .*, 0 errors$'
}

# rmmod_settled - unload goheap. A span freed while a pipe held one of its
# pages goes back from a work item that drops its module reference last:
# give it a moment.
rmmod_settled() {
	_i=0
	while ! rmmod goheap 2>/dev/null; do
		_i=$((_i + 1))
		[ "$_i" -lt 5 ] || { rmmod goheap; return 1; }
		sleep 1
	done
}
