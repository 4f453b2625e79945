# SPDX-License-Identifier: GPL-2.0
# Shared paths and helpers for the goheap VM harness. Sourced, never run.
#
# GOHEAP_CACHE holds everything built or fetched outside the repository:
# the built guest kernels (keyed by config, see kernels.sh), the sources
# fetched from trixie-backports and the arm64 busybox.

GOHEAP_VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
GOHEAP_TOP=$(cd "$GOHEAP_VM_DIR/../../.." && pwd)
GOHEAP_CACHE=${GOHEAP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/goheap}
. "$GOHEAP_VM_DIR/kernels.sh"

# Tallies of the host scripts that print one line per check (check.sh,
# stress.sh): ok, fail and skip print the line and count it; tally_summary
# prints the closing "N passed, N failed[, N skipped]" line and fails if
# anything did.
passed=0 failed=0 skipped=0

ok() {
	echo "ok   $1"
	passed=$((passed + 1))
}

fail() {
	echo "FAIL $1"
	failed=$((failed + 1))
}

skip() {
	echo "skip $1"
	skipped=$((skipped + 1))
}

tally_summary() {
	if [ "$skipped" -gt 0 ]; then
		echo "$passed passed, $failed failed, $skipped skipped"
	else
		echo "$passed passed, $failed failed"
	fi
	[ "$failed" = 0 ]
}

# stage_module - copy the module sources (Kbuild, kmod/, uapi/) into a fresh
# directory $1, without any build products of the working tree. Building in a
# copy keeps every build from scratch (so W=1 sees every file) and leaves the
# working tree's own objects alone.
stage_module() {
	local dest=$1 p srcs=()

	for p in Kbuild kmod uapi; do
		[ ! -e "$GOHEAP_TOP/$p" ] || srcs+=("$GOHEAP_TOP/$p")
	done
	rm -rf "$dest"
	mkdir -p "$dest"
	rsync -a --exclude='*.o' --exclude='*.ko' --exclude='*.mod' \
		--exclude='*.mod.c' --exclude='.*.cmd' --exclude='*.order' \
		--exclude='*.symvers' --exclude='*.a' --exclude='*.d' \
		--exclude='.tmp_versions/' "${srcs[@]}" "$dest/"
}

# kdir_arch KDIR - the architecture a kernel tree or header directory is
# for: arm64 or x86_64.
kdir_arch() {
	if grep -qs '^CONFIG_ARM64=y' "$1/.config"; then
		echo arm64
	else
		echo x86_64
	fi
}

# build_module - stage the sources into $2 and build them with W=1 against the
# kernel tree $1 (cross-compiling for an arm64 tree), writing make's output
# to $3. Fails if make fails.
build_module() {
	local kdir=$1 dest log=$3

	dest=$(realpath -m "$2")
	stage_module "$dest"
	# shellcheck disable=SC2046 # cross_env is a list of make variables
	make -C "$kdir" $(cross_env "$(kdir_arch "$kdir")") M="$dest" W=1 -j"$(nproc)" \
		modules >"$log" 2>&1
}

# build_client KDIR MODDIR LOG [DEST] - build the modules of tools/testing/kmod
# (goheap_client.ko, goheap_stress.ko) in DEST (default
# $GOHEAP_TOP/.build/client) the way an outside module is built: against the
# kernel headers (or tree) in KDIR, goheap's exported header, and the
# Module.symvers of the goheap build in MODDIR. W=1; any warning fails it.
build_client() {
	local kdir=$1 symvers dest=${4:-$GOHEAP_TOP/.build/client} log=$3

	symvers=$(realpath -m "$2/Module.symvers")
	rm -rf "$dest"
	mkdir -p "$dest"
	cp "$GOHEAP_TOP"/tools/testing/kmod/{Kbuild,goheap_client.c,goheap_stress.c} "$dest/"
	# shellcheck disable=SC2046 # cross_env is a list of make variables
	make -C "$kdir" $(cross_env "$(kdir_arch "$kdir")") M="$dest" W=1 \
		KBUILD_EXTRA_SYMBOLS="$symvers" \
		GOHEAP_KMOD="$GOHEAP_TOP/kmod" modules >"$log" 2>&1 &&
		! grep -q 'warning:' "$log"
}

# guest_bins [ARCH] - static binaries to ship to /goheap/ in every guest of
# ARCH (default x86_64): the Makefile's GUEST_BINS, built first by its
# guest-bins target (cross-compiled for arm64).
guest_bins() {
	local arch=${1:-x86_64}

	make -C "$GOHEAP_TOP" --no-print-directory -s GUEST_ARCH="$arch" guest-bins >&2 || return 1
	make -C "$GOHEAP_TOP" --no-print-directory -s GUEST_ARCH="$arch" print-guest-bins
}

# lock_build_dir - hold .build/.lock until the calling script exits, so two
# check or demo runs never share .build/ (the second one waits).
lock_build_dir() {
	mkdir -p "$GOHEAP_TOP/.build"
	exec 8>"$GOHEAP_TOP/.build/.lock"
	if ! flock -n 8; then
		echo "waiting for another check or demo run to finish" >&2
		flock 8
	fi
}
