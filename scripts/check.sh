#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make check`: installs what is missing, builds, then runs every tier:
# parser unit tests, static checks, the DKMS build, the Debian and OpenWrt
# packages and the selftests in a VM.  Ends with "N passed, N failed";
# exits non-zero on any failure.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
logdir=${FTPALG_LOGDIR:-$top/build/check}
mkdir -p "$logdir"
passed=0 failed=0 skipped=0
start=$(date +%s)

# stage NAME COMMAND...: run a tier, echo its output, count its TAP lines.
# A tier that fails without reporting a failing test counts as one failure.
stage() {
	local name=$1 log=$logdir/$1.log rc p f s t0=$(date +%s)
	shift
	echo "=== $name: $*"
	"$@" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	p=$(grep -cE '^(# )?ok [0-9]+' "$log" | head -n1)
	s=$(grep -cE '^(# )?ok [0-9]+.*# SKIP' "$log" | head -n1)
	f=$(grep -cE '^(# )?not ok [0-9]+' "$log" | head -n1)
	p=$((p - s))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "not ok - $name exited with status $rc"
	fi
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	echo "=== $name: $p passed, $f failed, $s skipped ($(($(date +%s) - t0)) s)"
}

stage deps scripts/deps.sh || true
# Build for the kernel the VM tests boot and the DKMS test uses, not the
# running one (make's default), which need not have headers here.
KERNELRELEASE=${KERNELRELEASE:-$(scripts/deps.sh --kernel-release)}
export KERNELRELEASE
if ! make -s module >"$logdir/build.log" 2>&1; then
	cat "$logdir/build.log"
	echo "0 passed, 1 failed"
	exit 1
fi
[ -f tools/Makefile ] && stage tools make -s -C tools check
stage unit make -s -C tests/unit run
[ -f tests/fuzz/Makefile ] && stage fuzz make -s -C tests/fuzz smoke
stage lint scripts/lint.sh
stage dkms scripts/dkms-test.sh
stage deb scripts/deb-test.sh
stage openwrt scripts/openwrt-test.sh
stage selftests make -s selftests

echo "check finished in $(($(date +%s) - start)) s; logs in $logdir"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
