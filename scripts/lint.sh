#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Static checks of the module: W=1 build, sparse (C=2) and checkpatch --strict.
# checkpatch.pl comes from Debian's linux-source package and is cached.
# Prints TAP; exits non-zero if any check fails.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
kdir=${1:-/lib/modules/$("$top/scripts/deps.sh" --kernel-release)/build}
cache=${XDG_CACHE_HOME:-$HOME/.cache}/ftpalg
n=0 fail=0

result() { # rc desc log
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		fail=$((fail + 1))
		echo "not ok $n - $2"
		sed 's/^/# /' "$3"
	fi
}

checkpatch() {
	local tarball src
	tarball=$(ls /usr/src/linux-source-*.tar.xz 2>/dev/null | sort -V | tail -n1)
	[ -n "$tarball" ] || { echo "no /usr/src/linux-source-*.tar.xz (make deps)"; return 1; }
	src=$cache/$(basename "$tarball" .tar.xz)
	if [ ! -x "$src/scripts/checkpatch.pl" ]; then
		mkdir -p "$cache" &&
		tar -xJf "$tarball" -C "$cache" \
			"$(basename "$tarball" .tar.xz)/scripts/checkpatch.pl" \
			"$(basename "$tarball" .tar.xz)/scripts/spelling.txt" \
			"$(basename "$tarball" .tar.xz)/scripts/const_structs.checkpatch" || return 1
	fi
	"$src/scripts/checkpatch.pl" --strict --no-tree --terse --show-types \
		--ignore FILE_PATH_CHANGES -f $(ls "$top"/kmod/*.[ch] | grep -v "\.mod\.c$") \
		$(ls "$top"/include/uapi/linux/*.h 2>/dev/null)
}

echo "TAP version 13"
echo "1..3"
log=$(mktemp)
# Build a copy, so every file is compiled and the tree's module stays.
build=$(mktemp -d)
trap 'rm -rf "$log" "$build"' EXIT
cp -r "$top/Kbuild" "$top/dkms.conf" "$top/kmod" "$top/include" "$build"/
make -s -C "$kdir" M="$build" clean >/dev/null 2>&1
make -s -C "$kdir" M="$build" W=1 modules >"$log" 2>&1
rc=$?
grep -E 'warning:|error:' "$log" >/dev/null && rc=1
result $rc "module builds without warnings under W=1" "$log"

make -s -C "$kdir" M="$build" C=2 modules >"$log" 2>&1
rc=$?
grep -E '^/[^ ]*kmod/.*: (warning|error):' "$log" >/dev/null && rc=1
result $rc "sparse (C=2) reports nothing in kmod/" "$log"

checkpatch >"$log" 2>&1
result $? "checkpatch.pl --strict --no-tree" "$log"

echo "# lint: $((n - fail)) passed, $fail failed"
[ "$fail" -eq 0 ]
