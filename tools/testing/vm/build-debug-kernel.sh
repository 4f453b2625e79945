#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the goheap debug guest kernel from Debian's linux-source-6.1:
# tinyconfig + debug.config (KUnit, KASAN, KFENCE, lockdep, DEBUG_VM, ...).
# The result lives in $GOHEAP_CACHE/debug-kernel-<key>/, where <key> hashes
# the fragment, this script and the source package version; a complete tree
# (marked by .goheap-done) is reused, anything else is rebuilt.
#
# Prints the tree's path on stdout when done.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

out=$(debug_dir)
if [ -e "$out/.goheap-done" ]; then
	echo "$out"
	exit 0
fi

tarball=/usr/src/linux-source-6.1.tar.xz
[ -r "$tarball" ] || { echo "missing $tarball (run tools/testing/vm/deps.sh)" >&2; exit 1; }

rm -rf "$out"
mkdir -p "$out"
log="$out/build.log"
echo "building debug kernel in $out (log: $log)" >&2
tar -xf "$tarball" -C "$out" --strip-components=1
cd "$out"
{
	make tinyconfig
	scripts/kconfig/merge_config.sh -m .config "$GOHEAP_VM_DIR/debug.config"
	make olddefconfig
} >"$log" 2>&1

# merge_config only warns about options Kconfig dropped: make that fatal.
missing=0
while IFS= read -r line; do
	case "$line" in ''|'#'*) continue ;; esac
	if ! grep -qx -- "$line" .config; then
		echo "debug.config: '$line' did not survive olddefconfig" >&2
		missing=1
	fi
done <"$GOHEAP_VM_DIR/debug.config"
[ "$missing" = 0 ] || exit 1

make -j"$(nproc)" >>"$log" 2>&1 || { tail -40 "$log" >&2; exit 1; }
touch .goheap-done
echo "$out"
