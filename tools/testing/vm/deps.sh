#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install every Debian package that building and testing goheap needs, and
# nothing if they are all there already (then it takes a fraction of a second).
# Runs without a terminal; uses sudo when not root.
#
# Needed: the stock guest kernel and matching headers (linux-image-amd64,
# linux-headers-amd64, same version), the source of the debug kernel
# (linux-source-6.1) and what building it takes, QEMU, busybox-static and
# cpio for the initramfs, python3 for kunit.py, perl for checkpatch and
# kernel-doc, rsync for the module build copies, gcc and the C library and
# kernel uAPI headers for the uapi header check.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

PACKAGES=(
	qemu-system-x86 linux-image-amd64 linux-headers-amd64 linux-source-6.1
	busybox-static cpio gzip xz-utils
	gcc make libc6-dev linux-libc-dev bc flex bison libelf-dev libssl-dev dwarves kmod
	perl python3 rsync coreutils util-linux gnuplot-nox
	dkms python3-sphinx
)

# missing - print every package of PACKAGES that is not installed, plus both
# kernel metapackages when their versions differ.
missing() {
	local p image headers

	for p in "${PACKAGES[@]}"; do
		if [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" != installed ]; then
			echo "$p"
		fi
	done
	image=$(dpkg-query -W -f='${Version}' linux-image-amd64 2>/dev/null || true)
	headers=$(dpkg-query -W -f='${Version}' linux-headers-amd64 2>/dev/null || true)
	if [ -n "$image" ] && [ -n "$headers" ] && [ "$image" != "$headers" ]; then
		echo linux-image-amd64
		echo linux-headers-amd64
	fi
}

# as_root CMD... - run CMD as root, through sudo unless already root.
as_root() {
	if [ "$(id -u)" = 0 ]; then
		"$@"
	else
		sudo DEBIAN_FRONTEND=noninteractive "$@"
	fi
}

main() {
	local todo

	mapfile -t todo < <(missing | sort -u)
	if [ "${#todo[@]}" -gt 0 ]; then
		echo "deps: installing ${todo[*]}" >&2
		export DEBIAN_FRONTEND=noninteractive
		as_root apt-get update -q </dev/null
		as_root apt-get install -y -q --no-install-recommends "${todo[@]}" </dev/null
	fi
	stock_kver >/dev/null || {
		echo "deps: no kernel has both /boot/vmlinuz-* and linux-headers-*" >&2
		exit 1
	}
}

main "$@"
