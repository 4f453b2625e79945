# SPDX-License-Identifier: GPL-2.0
# The kernel matrix: every guest kernel goheap is tested on, where each one
# comes from, and how to get it. Sourced by lib.sh, never run.
#
# A cell of the matrix is one guest kernel and what runs in it:
#
#   cell            arch    kernel                               runs
#   6.1             x86_64  Debian 12 stock 6.1                  every guest test
#   6.1-debug       x86_64  built from linux-source-6.1, debug   KUnit, selftests, stress,
#                                                                fuzzer, sanitizer suites
#   6.12            x86_64  Debian 12 stock 6.12 (bookworm-sec.)  every guest test
#   6.12-rt         x86_64  Debian 12 stock 6.12 PREEMPT_RT      every guest test
#   7.3-debug       x86_64  built from linux-source-7.3, debug   KUnit, selftests, stress
#   6.12-rt-debug   x86_64  built from linux-source-6.12:        KUnit, selftests, stress
#                           PREEMPT_RT, lockdep, atomic-sleep
#   6.12-arm64      arm64   built from linux-source-6.12, 4 KiB   KUnit, selftests, stress
#   6.12-arm64-64k  arm64   the same with 64 KiB pages           KUnit, selftests, stress
#
# Stock kernels are Debian packages, installed by deps.sh. Built kernels are
# made by build-kernel.sh from a linux-source package with tinyconfig plus
# the config fragments in configs/, and cached in $GOHEAP_CACHE by a key
# over everything that determines them. linux-source-7.3 comes from
# trixie-backports: deps.sh downloads it with an apt configuration of its
# own (apt_private), so nothing from trixie is ever installed on the host.

GOHEAP_CELLS=(6.1 6.1-debug 6.12 6.12-rt 7.3-debug 6.12-rt-debug 6.12-arm64 6.12-arm64-64k)

# cell_arch CELL - x86_64 or arm64.
cell_arch() {
	case $1 in
	*-arm64*) echo arm64 ;;
	*) echo x86_64 ;;
	esac
}

# cell_stock CELL - the release glob of a stock cell's Debian kernel;
# fails for a built cell.
cell_stock() {
	case $1 in
	6.1) echo '6.1.0-*-amd64' ;;
	6.12) echo '6.12.*+deb12-amd64' ;;
	6.12-rt) echo '6.12.*+deb12-rt-amd64' ;;
	*) return 1 ;;
	esac
}

# kernel_spec NAME - "SERIES ARCH FRAGMENT..." of a built kernel: the
# linux-source series, the architecture and the fragments of configs/
# merged, in order, on top of tinyconfig. The built cells are built kernels
# of the same name; 7.3-bench is make bench's 7.3 guest.
kernel_spec() {
	case $1 in
	6.1-debug) echo "6.1 x86_64 guest x86_64 debug" ;;
	7.3-debug) echo "7.3 x86_64 guest x86_64 debug" ;;
	6.12-rt-debug) echo "6.12 x86_64 guest x86_64 kunit rt" ;;
	6.12-arm64) echo "6.12 arm64 guest arm64 kunit" ;;
	6.12-arm64-64k) echo "6.12 arm64 guest arm64 kunit 64k" ;;
	7.3-bench) echo "7.3 x86_64 guest x86_64 bench" ;;
	*) return 1 ;;
	esac
}

# cells_selected - the cells to run: $KERNELS (space or comma separated)
# if set, else all of them. Fails, naming the valid cells, on an unknown one.
cells_selected() {
	local c k bad=0

	[ -n "${KERNELS:-}" ] || { printf '%s\n' "${GOHEAP_CELLS[@]}"; return 0; }
	for k in ${KERNELS//,/ }; do
		for c in "${GOHEAP_CELLS[@]}"; do
			[ "$c" = "$k" ] && continue 2
		done
		echo "KERNELS: no cell '$k' (cells: ${GOHEAP_CELLS[*]})" >&2
		bad=1
	done
	[ "$bad" = 0 ] || return 1
	printf '%s\n' ${KERNELS//,/ }
}

# stock_release GLOB - newest installed Debian kernel release matching GLOB
# that has both /boot/vmlinuz-<release> and its headers.
stock_release() {
	local glob=$1 v

	for v in $(cd /usr/src 2>/dev/null && ls -1d linux-headers-$glob 2>/dev/null |
		   sed 's/^linux-headers-//' | sort -V -r); do
		if [ -e "/boot/vmlinuz-$v" ]; then
			echo "$v"
			return 0
		fi
	done
	return 1
}

# stock_kver - the release of Debian 12's own kernel (the 6.1 cell): what
# make demo, make bench and the host checks build for.
stock_kver() {
	stock_release "$(cell_stock 6.1)"
}

# === Sources of the built kernels ===

# The private apt configuration of deps.sh: its own sources, lists, cache
# and an empty dpkg status, for downloads only.
GOHEAP_APT=$GOHEAP_CACHE/apt

apt_private() {
	apt-get -q -o Dir::Etc::SourceList="$GOHEAP_APT/sources.list" \
		-o Dir::Etc::SourceParts=/nonexistent -o Dir::State="$GOHEAP_APT" \
		-o Dir::State::Lists="$GOHEAP_APT/lists" \
		-o Dir::State::status="$GOHEAP_APT/status" -o Dir::Cache="$GOHEAP_APT/cache" \
		-o APT::Architecture=amd64 -o APT::Architectures::=amd64 \
		-o APT::Architectures::=arm64 -o APT::Sandbox::User=root \
		-o Debug::NoLocking=1 "$@"
}

# source_tarball SERIES - the linux-source tarball of a kernel series.
source_tarball() {
	case $1 in
	7.3) echo "$GOHEAP_CACHE/src/linux-source-7.3/usr/src/linux-source-7.3.tar.xz" ;;
	*) echo "/usr/src/linux-source-$1.tar.xz" ;;
	esac
}

# source_version SERIES - the Debian version of that tarball's package.
source_version() {
	case $1 in
	7.3) cat "$GOHEAP_CACHE/src/linux-source-7.3/version" 2>/dev/null ;;
	*) dpkg-query -W -f='${Version}\n' "linux-source-$1" 2>/dev/null ;;
	esac
}

# arm64_busybox - the static arm64 busybox that arm64 guests boot with
# (busybox-static:arm64, downloaded and unpacked by deps.sh).
arm64_busybox() {
	echo "$GOHEAP_CACHE/src/busybox-arm64/bin/busybox"
}

# cross_env ARCH - the make variables that build for ARCH.
cross_env() {
	case $1 in
	arm64) echo "ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-" ;;
	*) echo "" ;;
	esac
}

# === Built kernels ===

# The recipe of build-kernel.sh: bump it when a change there changes the
# kernels it builds (not for changes to its checks or messages).
GOHEAP_KERNEL_RECIPE=1

# kernel_key NAME - short hash over everything that determines a built
# kernel: its spec, the fragments' contents, the recipe, the source
# package's version and the compiler's.
kernel_key() {
	local spec series arch frag gcc=gcc

	spec=$(kernel_spec "$1") || return 1
	read -r series arch _ <<<"$spec"
	[ "$arch" = x86_64 ] || gcc=aarch64-linux-gnu-gcc
	{
		echo "$spec"
		for frag in ${spec#* * }; do
			cat "$GOHEAP_VM_DIR/configs/$frag.config"
		done
		echo "recipe $GOHEAP_KERNEL_RECIPE"
		source_version "$series"
		"$gcc" --version 2>/dev/null | sed -n 1p
	} | sha256sum | cut -c1-16
}

# kernel_dir NAME - the cached tree of a built kernel.
kernel_dir() {
	echo "$GOHEAP_CACHE/kernel-$1-$(kernel_key "$1")"
}

# kernel_image NAME - its bootable image.
kernel_image() {
	local spec

	spec=$(kernel_spec "$1") || return 1
	case $spec in
	*" arm64 "*) echo "$(kernel_dir "$1")/arch/arm64/boot/Image" ;;
	*) echo "$(kernel_dir "$1")/arch/x86/boot/bzImage" ;;
	esac
}

# kernel_ready NAME - the kernel is built and cached.
kernel_ready() {
	[ -e "$(kernel_dir "$1")/.goheap-done" ]
}

# ensure_kernel NAME - build a kernel unless it is cached, and print its
# tree. A lock per kernel keeps two runs from building it at once
# (build-kernel.sh starts by wiping an incomplete tree).
ensure_kernel() {
	mkdir -p "$GOHEAP_CACHE"
	flock "$GOHEAP_CACHE/.kernel-$1.lock" "$GOHEAP_VM_DIR/build-kernel.sh" "$1"
}

# debug_dir, ensure_debug_kernel - the 6.1 debug kernel, which also gives
# the host checks their checkpatch.pl and the selftests kselftest_harness.h.
debug_dir() {
	kernel_dir 6.1-debug
}

ensure_debug_kernel() {
	ensure_kernel 6.1-debug
}

# cell_kernel CELL - "IMAGE KDIR" of a cell: the kernel to boot and the
# tree (or headers) to build modules against. Fails when a stock kernel is
# not installed; a built kernel's paths are printed whether or not it is
# built yet.
cell_kernel() {
	local glob rel

	if glob=$(cell_stock "$1"); then
		rel=$(stock_release "$glob") || return 1
		echo "/boot/vmlinuz-$rel /usr/src/linux-headers-$rel"
	else
		echo "$(kernel_image "$1") $(kernel_dir "$1")"
	fi
}

# lint_dir - checkpatch.pl and kernel-doc, with the data files checkpatch
# reads, from the linux-source-6.12 tarball: the host checks need no built
# kernel. Extracted once into $GOHEAP_CACHE and printed.
lint_dir() {
	local ver dir top=linux-source-6.12

	ver=$(source_version 6.12) || return 1
	dir=$GOHEAP_CACHE/lint-$ver
	if [ ! -e "$dir/.goheap-done" ]; then
		rm -rf "$dir"
		mkdir -p "$dir"
		tar -xf "$(source_tarball 6.12)" -C "$dir" --strip-components=1 \
			"$top/scripts/checkpatch.pl" "$top/scripts/spelling.txt" \
			"$top/scripts/const_structs.checkpatch" "$top/scripts/kernel-doc" || return 1
		touch "$dir/.goheap-done"
	fi
	echo "$dir"
}
