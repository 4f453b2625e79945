#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install every Debian package that building and testing goheap needs, and
# fetch the sources Debian 12 does not have; do nothing if all of it is
# there already (then it takes a fraction of a second). Runs without a
# terminal; uses sudo when not root.
#
# Usage: deps.sh [all|stock|lint]
#
#   stock  only what the 6.1 stock guest needs (make demo): QEMU, Debian
#          12's kernel and its headers, busybox-static, the module build
#   lint   what make lint needs: stock's packages and linux-source-6.12
#          (checkpatch.pl and kernel-doc)
#   all    (default) the whole kernel matrix of kernels.sh besides:
#          - Debian 12's 6.12 kernel and its PREEMPT_RT flavour, each with
#            its headers (bookworm-security; the newest version there,
#            unless one is installed already), and linux-source-6.12;
#          - linux-source-6.1 for the 6.1 debug kernel;
#          - linux-source-7.3 from trixie-backports and busybox-static for
#            arm64, downloaded with an apt configuration of their own
#            (kernels.sh: apt_private) and unpacked into $GOHEAP_CACHE/src:
#            nothing from trixie, and nothing for arm64, is installed on
#            the host;
#          - the arm64 cross compiler and C library, qemu-system-arm;
#          - python3 for kunit.py, perl for checkpatch and kernel-doc,
#            rsync, dkms, Sphinx, gnuplot for the benchmark charts, and
#            golang-go for go tool pprof (the heap profile's host check).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

STOCK_PACKAGES=(
	qemu-system-x86 linux-image-amd64 linux-headers-amd64
	busybox-static cpio gzip xz-utils
	gcc make libc6-dev linux-libc-dev bc flex bison libelf-dev libssl-dev dwarves kmod
	perl python3 rsync coreutils util-linux
)
LINT_PACKAGES=("${STOCK_PACKAGES[@]}" linux-source-6.12)
ALL_PACKAGES=(
	"${STOCK_PACKAGES[@]}"
	linux-source-6.1 linux-source-6.12
	qemu-system-arm gcc-aarch64-linux-gnu libc6-dev-arm64-cross
	gnuplot-nox dkms python3-sphinx golang-go
)

# as_root CMD... - run CMD as root, through sudo unless already root.
as_root() {
	if [ "$(id -u)" = 0 ]; then
		"$@"
	else
		sudo DEBIAN_FRONTEND=noninteractive "$@"
	fi
}

installed() {
	[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]
}

# newest_612 FLAVOUR - the newest 6.12 kernel release of bookworm-security
# of FLAVOUR (amd64 or rt-amd64) that has both an image and headers.
newest_612() {
	local rel

	for rel in $(apt-cache pkgnames linux-headers-6.12. |
		     sed -n "s/^linux-headers-\(6\.12\.[0-9]*+deb12-$1\)$/\1/p" | sort -V -r); do
		if apt-cache show "linux-image-$rel-unsigned" >/dev/null 2>&1; then
			echo "$rel"
			return 0
		fi
	done
	return 1
}

# missing SCOPE - every package of SCOPE that is not installed, plus both
# kernel metapackages when their versions differ, plus a 6.12 image and
# headers pair of each flavour when none is installed (only after the
# package lists are fresh: newest_612 reads them).
missing() {
	local p image headers flavour rel
	local -n list=$(case $1 in stock) echo STOCK_PACKAGES ;; lint) echo LINT_PACKAGES ;;
			*) echo ALL_PACKAGES ;; esac)

	for p in "${list[@]}"; do
		installed "$p" || echo "$p"
	done
	image=$(dpkg-query -W -f='${Version}' linux-image-amd64 2>/dev/null || true)
	headers=$(dpkg-query -W -f='${Version}' linux-headers-amd64 2>/dev/null || true)
	if [ -n "$image" ] && [ -n "$headers" ] && [ "$image" != "$headers" ]; then
		echo linux-image-amd64
		echo linux-headers-amd64
	fi
	[ "$1" = all ] || return 0
	for flavour in amd64 rt-amd64; do
		stock_release "6.12.*+deb12-$flavour" >/dev/null && continue
		if [ "${2:-}" = fresh ]; then
			rel=$(newest_612 "$flavour") || { echo "deps: no 6.12 $flavour kernel" >&2; exit 1; }
			echo "linux-image-$rel-unsigned"
			echo "linux-headers-$rel"
		else
			echo "linux-6.12-$flavour"	# a marker: update the lists first
		fi
	done
}

install_packages() {
	local scope=$1 todo

	mapfile -t todo < <(missing "$scope" | sort -u)
	[ "${#todo[@]}" -gt 0 ] || return 0
	export DEBIAN_FRONTEND=noninteractive
	as_root apt-get update -q </dev/null
	mapfile -t todo < <(missing "$scope" fresh | sort -u)
	echo "deps: installing ${todo[*]}" >&2
	as_root apt-get install -y -q --no-install-recommends "${todo[@]}" </dev/null
}

# fetch_private - linux-source-7.3 (trixie-backports) and busybox-static for
# arm64 (bookworm), downloaded and unpacked into $GOHEAP_CACHE/src.
fetch_private() {
	local src=$GOHEAP_CACHE/src dl=$GOHEAP_APT/dl deb

	if [ -r "$(source_tarball 7.3)" ] && [ -s "$src/linux-source-7.3/version" ] &&
	   [ -x "$(arm64_busybox)" ]; then
		return 0
	fi
	mkdir -p "$GOHEAP_APT/lists/partial" "$GOHEAP_APT/cache/archives/partial" "$dl" "$src"
	cat >"$GOHEAP_APT/sources.list" <<-'EOF'
	deb [arch=amd64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie-backports main
	deb [arch=arm64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main
	EOF
	: >"$GOHEAP_APT/status"
	echo "deps: downloading linux-source-7.3 (trixie-backports) and busybox-static:arm64" >&2
	apt_private update >/dev/null
	rm -f "$dl"/*.deb
	(cd "$dl" && apt_private download linux-source-7.3 busybox-static:arm64 >/dev/null)

	deb=$(ls "$dl"/linux-source-7.3_*.deb)
	rm -rf "$src/linux-source-7.3"
	dpkg-deb -x "$deb" "$src/linux-source-7.3"
	dpkg-deb -f "$deb" Version >"$src/linux-source-7.3/version"
	rm -rf "$src/busybox-arm64"
	dpkg-deb -x "$(ls "$dl"/busybox-static_*_arm64.deb)" "$src/busybox-arm64"
	rm -f "$dl"/*.deb
}

main() {
	local scope=${1:-all}

	case $scope in
	all|stock|lint) ;;
	*) sed -n 's/^# Usage: //p' "$0" >&2; exit 2 ;;
	esac
	install_packages "$scope"
	[ "$scope" != all ] || fetch_private
	stock_kver >/dev/null || {
		echo "deps: no 6.1 kernel has both /boot/vmlinuz-* and linux-headers-*" >&2
		exit 1
	}
}

main "$@"
