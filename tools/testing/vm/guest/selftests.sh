#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The /dev/goheap selftests (tools/testing/selftests/goheap, shipped as
# /goheap/goheap_dev_test, the ABI, and /goheap/goheap_charge_test, the
# accounting rule) as root and as the unprivileged user (uid 1000). Each
# kselftest result becomes one line: "PASS: root dev.<test>",
# "FAIL: uid1000 charge.<test>" (with the test's diagnostics indented under
# it), "SKIP: ... (reason)". Around them: the device node's default mode
# (0600: the unprivileged user cannot open it), the dev_mode parameter that
# opens it up for the unprivileged run, and a clean unload at the end (no
# span, file or mapping left behind, nothing charged).
. /goheap/testlib.sh

BINS="/goheap/goheap_dev_test /goheap/goheap_charge_test"

# tap2lines WHO - read kselftest harness output, print one line per test.
# Writes a "goheap-guest: check" marker to the kernel log as each test
# starts, so kernel messages can be tied to it.
tap2lines() {
	awk -v who="$1" '
		function result(kind, extra) {
			print kind ": " who " " name extra
			seen++
		}
		/^1\.\.[0-9]+$/ { plan = substr($0, 4) + 0; next }
		/^# +RUN +/ {
			name = $3
			diag = ""
			print "goheap-guest: check " who " " name >"/dev/kmsg"
			close("/dev/kmsg")
			next
		}
		/^ok [0-9]+ # SKIP/ {
			why = $0
			sub(/^ok [0-9]+ # SKIP */, "", why)
			result("SKIP", " (" why ")")
			next
		}
		/^ok [0-9]+ / { result("PASS", ""); next }
		/^not ok [0-9]+ / {
			result("FAIL", "")
			printf "%s", diag
			next
		}
		/^#/ { diag = diag "    " $0 "\n"; next }
		END {
			if (plan == 0 || seen != plan)
				print "FAIL: " who " kselftest plan: " seen + 0 " of " plan + 0 " results"
		}'
}

for bin in $BINS; do
	[ -x "$bin" ] || { skip "selftests ${bin##*/}" "$bin not shipped"; exit 0; }
done

# user_open FILE - open FILE for reading and writing as uid 1000.
user_open() {
	as_user sh -c ": <>$1" 2>/dev/null
}

check "insmod goheap.ko" insmod /goheap/goheap.ko
check "/dev/goheap is mode 0600 by default" sh -c '[ "$(stat -c %a /dev/goheap)" = 600 ]'
check "uid 1000 can open /dev/null" user_open /dev/null
check "uid 1000 cannot open /dev/goheap by default" eval '! user_open /dev/goheap'
check "rmmod goheap" rmmod goheap

check "insmod goheap.ko dev_mode=0666" insmod /goheap/goheap.ko dev_mode=0666
check "/dev/goheap is mode 0666 with dev_mode=0666" \
	sh -c '[ "$(stat -c %a /dev/goheap)" = 666 ]'
for bin in $BINS; do
	"$bin" 2>&1 | tap2lines root
	as_user "$bin" 2>&1 | tap2lines uid1000
done
check "rmmod goheap after the selftests" rmmod_settled
