#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# DKMS packaging of goheap.
#
# Usage: dkms.sh src DEST VERSION   stage a DKMS source tree (Kbuild, kmod/,
#                                   uapi/, dkms.conf) into DEST
#        dkms.sh test VERSION KVER...  add, build and remove a throw-away
#                                   DKMS copy (version VERSION-test) for
#                                   each kernel KVER, and check every module
#                                   dkms.conf names (BUILT_MODULE_NAME[])
#                                   was built for each
set -euo pipefail

TOP=$(cd "$(dirname "$0")/../.." && pwd)

src() {
	local dest=$1 version=$2

	rm -rf "$dest"
	mkdir -p "$dest"
	(cd "$TOP" && git ls-files -co --exclude-standard Kbuild kmod uapi 2>/dev/null ||
		find Kbuild kmod uapi -type f ! -name '*.o' ! -name '*.ko' ! -name '.*') |
		rsync -a --files-from=- "$TOP" "$dest/"
	sed "s/@VERSION@/$version/" "$TOP/tools/dkms/dkms.conf.in" >"$dest/dkms.conf"
}

cleanup() {
	dkms remove -m goheap -v "$TEST_VERSION" --all >/dev/null 2>&1 || true
	rm -rf "/usr/src/goheap-$TEST_VERSION"
}

# modules CONF - the modules a dkms.conf has DKMS build, one a line.
modules() {
	sed -n 's/^BUILT_MODULE_NAME\[[0-9]*\]="\(.*\)"$/\1/p' "$1"
}

dkms_test() {
	local version=$1-test kver built vermagic mod mods
	shift

	[ $# -gt 0 ] || { echo "dkms.sh test: no kernel given" >&2; return 1; }
	TEST_VERSION=$version
	trap cleanup EXIT
	cleanup
	src "/usr/src/goheap-$version" "$version"
	mods=$(modules "/usr/src/goheap-$version/dkms.conf")
	[ -n "$mods" ] || { echo "dkms.conf names no module" >&2; return 1; }
	dkms add -m goheap -v "$version"
	for kver in "$@"; do
		dkms build -m goheap -v "$version" -k "$kver"
		for mod in $mods; do
			built=$(find "/var/lib/dkms/goheap/$version/$kver" -name "$mod.ko*" |
				head -n 1)
			[ -n "$built" ] || { echo "dkms built no $mod.ko for $kver" >&2; return 1; }
			vermagic=$(modinfo -F vermagic "$built")
			case "$vermagic" in
			"$kver "*) echo "dkms built $built (vermagic $vermagic)" ;;
			*) echo "$built has vermagic '$vermagic', not $kver" >&2; return 1 ;;
			esac
		done
	done
}

case "${1:-}" in
src) src "$2" "$3" ;;
test) shift; dkms_test "$@" ;;
*) sed -n 's/^# Usage: //p; s/^#        //p' "$0" >&2; exit 2 ;;
esac
