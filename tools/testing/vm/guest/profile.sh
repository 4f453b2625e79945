#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The sampling heap profiler (kmod/profile.c) as a user reads it: the
# default heap samples at Go's 512 KiB; debugfs profile_rate changes it and
# refuses bad rates without changing anything; goheap_client.ko profile_mb=64
# holds 64 MiB of 256 B objects in a private heap sampled every 4 KiB, 3:1
# from two call sites, and `goheap --heap profile profile` must show that
# ratio within 10 % and the bytes in use within 10 % of what memstats
# counts exactly. `goheap profile -o` writes the pprof file, which is
# printed (base64) between GOHEAP-FILE markers for the host to check with
# go tool pprof (check.sh: pprof_check).
. /goheap/testlib.sh

D=/sys/kernel/debug/goheap
G=/goheap/goheap
P=$D/heaps/profile

check "insmod goheap.ko" insmod /goheap/goheap.ko
check "module parameter profile_rate is 524288 (Go's MemProfileRate)" \
	grep -qx 524288 /sys/module/goheap/parameters/profile_rate
check "debugfs profile_rate is 524288" grep -qx 524288 $D/profile_rate
check "debugfs profile: the header names the rate" \
	sh -c "head -n 1 $D/profile | grep -Eq '^heap profile: [0-9]+: [0-9]+ \[[0-9]+: [0-9]+\] @ heap/524288$'"
check "profile_rate 1073741825 is refused (EINVAL)" \
	sh -c "! echo 1073741825 >$D/profile_rate"
check "profile_rate 'lots' is refused" sh -c "! echo lots >$D/profile_rate"
check "profile_rate is still 524288" grep -qx 524288 $D/profile_rate
check "goheap profile --rate 2G is a usage error (exit 2)" \
	sh -c "$G profile --rate 2G 2>/dev/null; test \$? -eq 2"
check "goheap profile --rate 64K sets it" \
	sh -c "$G profile --rate 64K && grep -qx 65536 $D/profile_rate"
check "goheap profile --rate 0 turns it off" \
	sh -c "$G profile --rate 0 && grep -qx 0 $D/profile_rate"
check "goheap profile --rate 512K restores Go's default" \
	sh -c "$G profile --rate 512K && grep -qx 524288 $D/profile_rate"

check "insmod goheap_client.ko profile_mb=64" insmod /goheap/goheap_client.ko profile_mb=64
check "heaps/profile/profile_rate is 4096" grep -qx 4096 $P/profile_rate
check "heaps/profile/memstats: HeapAlloc 64 MiB" grep -qx 'HeapAlloc 67108864' $P/memstats
check "heaps/profile/profile: records with client_profile_site_a and _b frames" \
	sh -c "grep -q 'client_profile_site_a+0x[0-9a-f]*/0x[0-9a-f]* \[goheap_client\]' $P/profile &&
	       grep -q 'client_profile_site_b+' $P/profile"
check "heaps/profile/profile: no sample dropped" grep -q '^# heap=profile .* dropped=0$' $P/profile

head -n 12 $P/profile | sed 's/^/    /'
$G --heap profile profile | sed 's/^/    /'
$G --heap profile --json profile >/tmp/prof.json 2>&1
site() {
	awk -v s="\"site\": \"$1\"" 'index($0, s) {
		sub(/.*"inuse_space": /, ""); sub(/,.*/, ""); print; exit }' /tmp/prof.json
}
a=$(site client_profile_site_a)
b=$(site client_profile_site_b)
total=$(sed -n 's/^ *"inuse_space": \([0-9]*\),$/\1/p' /tmp/prof.json)
echo "    inuse_space estimates: site a $a, site b $b, heap $total (true: 50331648, 16777216, 67108864)"
check "goheap profile: site a : site b in use is 3:1 within 10 % ($a : $b)" \
	awk -v a="${a:-0}" -v b="${b:-0}" 'BEGIN { exit !(b > 0 && a / b >= 2.7 && a / b <= 3.3) }'
check "goheap profile: bytes in use within 10 % of memstats' 64 MiB ($total)" \
	awk -v t="${total:-0}" 'BEGIN { exit !(t >= 0.9 * 67108864 && t <= 1.1 * 67108864) }'
check "goheap profile -n 1 prints one site" \
	sh -c "test \$($G --heap profile --json profile -n 1 | grep -c '\"site\": ') -eq 1"
check "goheap profile -o /tmp/heap.pb.gz" $G --heap profile profile -o /tmp/heap.pb.gz
check "heap.pb.gz is gzip" sh -c "gzip -t /tmp/heap.pb.gz"
if [ -s /tmp/heap.pb.gz ]; then
	echo "GOHEAP-FILE-BEGIN heap.pb.gz"
	base64 /tmp/heap.pb.gz
	echo "GOHEAP-FILE-END"
fi
check "goheap --heap nosuch profile fails (exit 1)" \
	sh -c "$G --heap nosuch profile 2>/dev/null; test \$? -eq 1"
check "goheap profile -x is a usage error (exit 2)" \
	sh -c "$G profile -x 2>/dev/null; test \$? -eq 2"

check "rmmod goheap_client (frees the 64 MiB, destroys the heap)" rmmod goheap_client
check "heaps/profile gone with its heap" test ! -e $P
check "default heap: validate clean" validate_clean
check "rmmod goheap" rmmod goheap
