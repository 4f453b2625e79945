#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make lint: the checks that need no guest and no built kernel, one line
# per check, ending with "N passed, N failed". make check runs them first.
#
#   - goheap.ko built with W=1 against Debian 12's 6.1 headers, no warning;
#   - checkpatch.pl --strict over every *.c and *.h of kmod/, uapi/ and
#     tools/: kernel code with no exception, user-space code (tools/ but
#     tools/testing/kmod/) ignoring the types of tools/checkpatch-userspace.ignore,
#     which do not apply outside the kernel;
#   - kernel-doc -none over the kernel code;
#   - every uapi/linux/*.h included alone by user space, as C90.
#
# checkpatch.pl and kernel-doc come from linux-source-6.12 (lint_dir), so
# only deps.sh's packages are needed. Sourced by check.sh for lint_checks.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# details - indent up to 20 lines of stdin under a FAIL line.
details() {
	awk 'NR <= 20 { print "    " $0 } END { if (NR > 20) print "    ... " NR - 20 " more lines" }'
}

# verdict NAME LOG CMD... - one check: ok if CMD succeeds and prints
# nothing, else FAIL with what it printed (all of it is kept in LOG).
verdict() {
	local name=$1 log=$2 rc=0
	shift 2

	"$@" >"$log" 2>&1 || rc=$?
	if [ "$rc" = 0 ] && [ ! -s "$log" ]; then
		ok "$name"
	else
		fail "$name (log: ${log#"$GOHEAP_TOP/"})"
		{ cat "$log"; echo "(exit status $rc)"; } | details
	fi
}

# check_build NAME KDIR DIR [LOG] - W=1 build in DIR against KDIR: no error,
# no warning.
check_build() {
	local name=$1 kdir=$2 dir=$3 log=${4:-$GOHEAP_TOP/.build/logs/build-$(basename "$3").log}

	if build_module "$kdir" "$dir" "$log" && ! grep -q 'warning:' "$log"; then
		ok "$name"
	else
		fail "$name (log: ${log#"$GOHEAP_TOP/"})"
		grep -E 'warning:|error:|Error' "$log" | details
	fi
}

# kernel_sources, user_sources - the C sources and headers that run in the
# kernel, and those that run in user space, relative to the top.
kernel_sources() {
	(cd "$GOHEAP_TOP" && find kmod uapi tools/testing/kmod -type f -name '*.[ch]' \
		! -name '*.mod.c' 2>/dev/null | LC_ALL=C sort)
}

user_sources() {
	(cd "$GOHEAP_TOP" && find tools -type f -name '*.[ch]' ! -path 'tools/testing/kmod/*' \
		2>/dev/null | LC_ALL=C sort)
}

# checkpatch LINT IGNORE FILE... - checkpatch --strict, ignoring the
# comma-separated types IGNORE; prints only what it finds.
checkpatch() {
	local lint=$1 ignore=$2
	shift 2

	(cd "$GOHEAP_TOP" && perl "$lint/scripts/checkpatch.pl" --strict --no-tree --terse \
		--show-types --no-summary ${ignore:+--ignore "$ignore"} -f "$@")
}

# uapi_c90 HEADER - the header compiles alone in user space as C90.
uapi_c90() {
	printf '#include <linux/%s>\n' "$(basename "$1")" |
		gcc -std=c90 -Wall -Werror -fsyntax-only -I "$GOHEAP_TOP/uapi" -x c -
}

# lint_checks KVER - every check above, with Debian's KVER headers.
lint_checks() {
	local kver=$1 logs=$GOHEAP_TOP/.build/logs lint ignore kfiles ufiles h

	mkdir -p "$logs"
	mapfile -t kfiles < <(kernel_sources)
	mapfile -t ufiles < <(user_sources)
	ignore=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' \
		 "$GOHEAP_TOP/tools/checkpatch-userspace.ignore" 2>/dev/null | paste -sd, -)
	check_build "build W=1 against $kver headers" "/usr/src/linux-headers-$kver" \
		"$GOHEAP_TOP/.build/stock"
	if lint=$(lint_dir); then
		verdict "checkpatch --strict, kernel code (${#kfiles[@]} files)" \
			"$logs/checkpatch.log" checkpatch "$lint" "" "${kfiles[@]}"
		verdict "checkpatch --strict, user space (${#ufiles[@]} files)" \
			"$logs/checkpatch-user.log" checkpatch "$lint" "$ignore" "${ufiles[@]}"
		verdict "kernel-doc (${#kfiles[@]} files)" "$logs/kernel-doc.log" \
			bash -c 'cd "$1" && shift && perl "$0" -none "$@"' \
			"$lint/scripts/kernel-doc" "$GOHEAP_TOP" "${kfiles[@]}"
	else
		fail "checkpatch and kernel-doc (no linux-source-6.12 to take them from)"
	fi
	for h in "$GOHEAP_TOP"/uapi/linux/*.h; do
		[ -e "$h" ] || continue
		verdict "uapi ${h#"$GOHEAP_TOP/"} alone, gcc -std=c90 -Wall -Werror" \
			"$logs/uapi-$(basename "$h" .h).log" uapi_c90 "$h"
	done
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	start=$SECONDS
	kver=$(stock_kver) || { echo "no Debian 6.1 kernel with headers (run deps.sh)" >&2; exit 1; }
	lint_checks "$kver"
	echo "# lint: $((SECONDS - start)) s"
	tally_summary
fi
