#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: build goheap.ko and the API client module against the stock
# headers, boot Debian's stock kernel in QEMU (2 CPUs, 1G), load goheap and
# the client (holding 8 MiB), show every file of
# /sys/kernel/debug/goheap/, run "goheap demo" when the tool is among the
# Makefile's GUEST_BINS, unload, and print what the guest printed
# (jobs/demo.sh). Exits non-zero if any step fails or the kernel log shows
# a splat. Logs: .build/logs/demo.{log,out}.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

BUILD=$GOHEAP_TOP/.build
LOGS=$BUILD/logs

main() {
	local kver bins status=0

	mkdir -p "$LOGS"
	lock_build_dir
	kver=$(stock_kver) || { echo "no Debian kernel with headers (run deps.sh)" >&2; exit 1; }
	echo "building goheap.ko against $kver"
	if ! build_module "/usr/src/linux-headers-$kver" "$BUILD/stock" "$LOGS/build-stock.log"; then
		tail -n 20 "$LOGS/build-stock.log" >&2
		exit 1
	fi
	mapfile -t bins < <(guest_bins | tr ' ' '\n' | sed '/^$/d')
	if build_client "/usr/src/linux-headers-$kver" "$BUILD/stock" "$LOGS/build-client.log"; then
		bins+=("$BUILD/client/goheap_client.ko")
	else
		echo "goheap_client.ko did not build: see ${LOGS#"$GOHEAP_TOP/"}/build-client.log" >&2
		exit 1
	fi
	echo "booting $kver in QEMU (TCG, 2 CPUs, 1G)"
	"$GOHEAP_VM_DIR/run-guest.sh" -k "/boot/vmlinuz-$kver" -c 2 -m 1G -T 300 \
		-j "$GOHEAP_VM_DIR/jobs/demo.sh" -l "$LOGS/demo.log" \
		"$BUILD/stock/kmod/goheap.ko" "${bins[@]}" || status=$?
	echo
	grep -v '^GOHEAP-GUEST-EXIT: ' "$LOGS/demo.out" || true
	echo
	if [ "$status" = 0 ]; then
		echo "demo finished; guest console log: ${LOGS#"$GOHEAP_TOP/"}/demo.log"
	else
		echo "demo FAILED; guest console log: ${LOGS#"$GOHEAP_TOP/"}/demo.log" >&2
	fi
	return "$status"
}

main "$@"
