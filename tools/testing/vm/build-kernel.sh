#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build one of the guest kernels of kernels.sh (kernel_spec): untar its
# linux-source package, make tinyconfig, merge the spec's fragments from
# configs/ in order, olddefconfig, and build (cross-compiling for arm64).
# The tree lives in $GOHEAP_CACHE/kernel-<name>-<key>/, where <key> hashes
# everything that determines it (kernel_key); a complete tree (marked by
# .goheap-done) is reused, anything else is rebuilt.
#
# Usage: build-kernel.sh NAME
#
# Prints the tree's path on stdout when done. GOHEAP_BUILD_NICE=N runs the
# build under nice -n N (make check builds kernels while guests run).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

name=${1:?usage: build-kernel.sh NAME}
spec=$(kernel_spec "$name") || { echo "build-kernel: no kernel '$name'" >&2; exit 2; }
read -r series arch frags <<<"$spec"
out=$(kernel_dir "$name")
if [ -e "$out/.goheap-done" ]; then
	echo "$out"
	exit 0
fi

tarball=$(source_tarball "$series")
[ -r "$tarball" ] || { echo "missing $tarball (run tools/testing/vm/deps.sh)" >&2; exit 1; }
# shellcheck disable=SC2207 # a list of make variables
cross=($(cross_env "$arch"))
nice=(nice -n "${GOHEAP_BUILD_NICE:-0}")

rm -rf "$out"
mkdir -p "$out"
log="$out/build.log"
echo "building kernel $name ($series, $arch: $frags) in $out (log: $log)" >&2
start=$SECONDS
tar -xf "$tarball" -C "$out" --strip-components=1
cd "$out"
paths=()
for f in $frags; do
	paths+=("$GOHEAP_VM_DIR/configs/$f.config")
done
{
	make "${cross[@]}" tinyconfig
	scripts/kconfig/merge_config.sh -m .config "${paths[@]}"
	make "${cross[@]}" olddefconfig
} >"$log" 2>&1

# merge_config only warns about options Kconfig dropped: make that fatal.
# Each option is checked as the last fragment that names it sets it
# ("# CONFIG_X is not set" too, so a later fragment may turn one off).
missing=0
while IFS= read -r line; do
	opt=${line#\# }
	opt=${opt%%[= ]*}
	case "$line" in
	'# '*' is not set') ! grep -q "^$opt=" .config ;;
	*) grep -qx -- "$line" .config ;;
	esac || { echo "'$line' did not survive olddefconfig ($name)" >&2; missing=1; }
done < <(cat "${paths[@]}" | grep -E '^(CONFIG_|# CONFIG_.* is not set$)' |
	 awk '{ o = $0; sub(/^# /, "", o); sub(/[= ].*/, "", o); last[o] = $0; order[o] = NR }
	      END { for (o in last) print order[o] "\t" last[o] }' | sort -n | cut -f2-)
[ "$missing" = 0 ] || exit 1

"${nice[@]}" make "${cross[@]}" -j"$(nproc)" >>"$log" 2>&1 || { tail -40 "$log" >&2; exit 1; }
touch .goheap-done
echo "built kernel $name in $((SECONDS - start))s" >&2
echo "$out"
