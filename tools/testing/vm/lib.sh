# SPDX-License-Identifier: GPL-2.0
# Shared paths for the goheap VM harness. Sourced, never run.
#
# GOHEAP_CACHE holds everything built outside the repository: the debug
# kernel trees (keyed by config) and scratch initramfs images.

GOHEAP_VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
GOHEAP_TOP=$(cd "$GOHEAP_VM_DIR/../../.." && pwd)
GOHEAP_CACHE=${GOHEAP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/goheap}

# stock_kver - version of the newest installed Debian kernel that has both an
# image and headers (the running kernel of the build machine is irrelevant).
stock_kver() {
	local v
	for v in $(ls -1 /usr/src 2>/dev/null | sed -n 's/^linux-headers-\(.*-amd64\)$/\1/p' | sort -V -r); do
		if [ -e "/boot/vmlinuz-$v" ]; then
			echo "$v"
			return 0
		fi
	done
	return 1
}

# debug_key - short hash over everything that determines the debug kernel.
debug_key() {
	{
		cat "$GOHEAP_VM_DIR/debug.config" "$GOHEAP_VM_DIR/build-debug-kernel.sh"
		dpkg-query -W -f='${Version}\n' linux-source-6.1 2>/dev/null
	} | sha256sum | cut -c1-16
}

debug_dir() {
	echo "$GOHEAP_CACHE/debug-kernel-$(debug_key)"
}
