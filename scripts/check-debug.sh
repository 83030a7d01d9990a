#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make check-debug`: every selftest on a KASAN + lockdep + kmemleak kernel.
#
#   scripts/check-debug.sh [TEST...]    (TEST: a selftests/ script name;
#                                        default: all of TEST_PROGS)
#
# 1. builds (or takes from the cache) the debug kernel from Debian's
#    linux-source-6.1: scripts/build-debug-kernel.sh, config fragments
#    selftests/config.vm + selftests/config.debug;
# 2. builds the module against it, out of tree (kmod/ is left alone);
# 3. runs each selftest in a VM of its own on that kernel
#    (selftests/vm/run-vm-tests.sh, FTPALG_DEBUG_JOBS at a time, default
#    nproc); after the test the VM unloads the module and makes kmemleak
#    scan twice and report, so every report names the test behind it.
# Any KASAN / lockdep / RCU / atomic-sleep / debugobjects report, WARNING,
# BUG or kmemleak finding fails the run and is printed (the runner scans the
# guest's kernel log; kmemleak findings are copied into that log).  A WARN
# panics the guest (panic_on_warn), so the first report ends the run.
#
# Ends with "N passed, N failed, N skipped"; exits non-zero on any failure.
# Environment: FTPALG_LOGDIR (default build/check), FTPALG_CACHE (kernel
# cache root, see build-debug-kernel.sh), FTPALG_DEBUG_TIMEOUT (timeout of
# each VM in seconds, default 2400), FTPALG_DEBUG_MEM (guest MB, default
# 2048), FTPALG_DEBUG_CPUS (vCPUs per VM, default 2), KSFT_TIMEOUT (per selftest, default 1800 here: KASAN + lockdep
# under TCG make a transfer take 3-5 times as long as on the distro kernel),
# FTPALG_TIME_SCALE (the selftests' waits for progress, default 4 here).
#
# Inside the VM this script runs again as `check-debug.sh --in-vm TEST...`.
set -u
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top" || exit 1
NAME=nf_conntrack_ftpalg
KMEMLEAK=/sys/kernel/debug/kmemleak

# ------------------------------------------------------------ in the guest ---
in_vm() {
	local rc=0 out n i leaks
	echo "# check-debug: kernel $(uname -r), $(nproc) CPUs"
	if [ ! -w "$KMEMLEAK" ]; then
		echo "# not ok 1 - check-debug: kmemleak is not available ($KMEMLEAK)"
		rc=1
	fi

	make -s -C selftests run_tests TEST_PROGS="$*" || rc=1

	# The module's exit path runs under the same checks.  Network namespaces
	# are dismantled asynchronously (slowly, under TCG): retry for a while.
	if grep -q "^$NAME " /proc/modules; then
		nft flush ruleset 2>/dev/null
		for ((i = 0; i < 60; i++)); do
			out=$(modprobe -r "$NAME" 2>&1) && break
			sleep 1
		done
		if grep -q "^$NAME " /proc/modules; then
			echo "# not ok 1 - check-debug: $NAME unloads"
			echo "# #   $out"
			echo "# #   $(grep "^$NAME " /proc/modules)"
			rc=1
		else
			echo "# ok 1 - check-debug: $NAME unloads"
		fi
	fi
	modprobe -r nf_nat_ftp nf_conntrack_ftp 2>/dev/null

	# kmemleak: two scans (objects younger than 5 s are never reported),
	# then the report; copied to the kernel log so that the runner sees it.
	if [ -w "$KMEMLEAK" ]; then
		echo scan >"$KMEMLEAK"
		sleep 6
		echo scan >"$KMEMLEAK"
		leaks=$(cat "$KMEMLEAK")
		if [ -n "$leaks" ]; then
			n=$(printf '%s\n' "$leaks" | grep -c '^unreferenced object')
			echo "# not ok 2 - check-debug: kmemleak: $n unreferenced objects"
			printf '%s\n' "$leaks" | sed 's/^/# #   /'
			printf '%s\n' "$leaks" | head -n 200 | while IFS= read -r line; do
				printf 'kmemleak: report: %s\n' "$line" >/dev/kmsg
			done
			rc=1
		else
			echo "# ok 2 - check-debug: kmemleak: no unreferenced objects"
		fi
	fi
	return $rc
}

if [ "${1:-}" = --in-vm ]; then
	shift
	in_vm "$@"
	exit
fi

# ---------------------------------------------------------------- on the host ---
logdir=${FTPALG_LOGDIR:-$top/build/check}
mkdir -p "$logdir"
start=$(date +%s)

fail() {
	echo "check-debug: $*"
	echo "0 passed, 1 failed, 0 skipped"
	exit 1
}

# Build dependencies of the kernel itself (only this tier needs them); the
# rest (qemu, busybox, nft, vsftpd, ...) comes from scripts/deps.sh.
KERNEL_BUILD_DEPS=(bc bison flex libelf-dev libssl-dev make gcc xz-utils cpio kmod)
missing=()
for p in "${KERNEL_BUILD_DEPS[@]}"; do
	st=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
	[[ $st == ii* ]] || missing+=("$p")
done
if ((${#missing[@]})); then
	echo "check-debug: installing ${missing[*]}"
	[[ $(id -u) -eq 0 ]] || fail "not root; install: apt-get install ${missing[*]}"
	{ apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends "${missing[@]}"; } >"$logdir/check-debug-deps.log" 2>&1 ||
		{ tail -n 20 "$logdir/check-debug-deps.log"; fail "apt-get install failed"; }
fi
scripts/deps.sh --check >/dev/null 2>&1 || scripts/deps.sh || fail "scripts/deps.sh failed"

# 1. the kernel
t0=$(date +%s)
kdir=$(scripts/build-debug-kernel.sh) || fail "debug kernel build failed"
rel=$(cat "$kdir/release")

t1=$(date +%s)
echo "check-debug: kernel $rel ready in $((t1 - t0)) s ($kdir)"

# 2. the module, built in a scratch copy of its sources (kbuild on 6.1 has
# no MO=, and M=$top would overwrite the regular build in kmod/)
work=$(mktemp -d /var/tmp/ftpalg-check-debug.XXXXXX) || fail "mktemp failed"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/src/kmod"
srcs=(Kbuild dkms.conf include kmod/Kbuild kmod/probe)
for f in kmod/*.[ch]; do
	[[ $f == *.mod.c ]] || srcs+=("$f")
done
for f in "${srcs[@]}"; do
	cp -r "$f" "$work/src/$f" || fail "cannot copy the module sources"
done
if ! nice -n 10 make -C "$kdir/build" M="$work/src" modules >"$logdir/check-debug-build.log" 2>&1; then
	cat "$logdir/check-debug-build.log"
	fail "module build against $rel failed"
fi
ko=$work/src/kmod/$NAME.ko
vm=$(modinfo -F vermagic "$ko" | cut -d' ' -f1)
[[ $vm == "$rel" ]] || fail "$ko has vermagic $vm, not $rel"
echo "check-debug: module built against $rel ($(($(date +%s) - t1)) s)"

# 3. the selftests, one VM each
# The bzImage: this KASAN vmlinux does not survive PVH direct boot.
export KSFT_TIMEOUT=${KSFT_TIMEOUT:-1800}
export FTPALG_TIME_SCALE=${FTPALG_TIME_SCALE:-4}	# see selftests/lib.sh
tests=("$@")
((${#tests[@]})) || read -r -a tests <<<"$(make -s -C selftests list_tests)"
t2=$(date +%s)
out=$logdir/check-debug.log
vmlogs=$logdir/check-debug-vm
rm -rf "$vmlogs"
selftests/vm/run-vm-tests.sh -j "${FTPALG_DEBUG_JOBS:-$(nproc)}" \
	--cmd "scripts/check-debug.sh --in-vm" --log-dir "$vmlogs" \
	--kernel "$kdir/build/arch/x86/boot/bzImage" \
	--modules-dir "$kdir/mod/lib/modules/$rel" \
	--mem "${FTPALG_DEBUG_MEM:-2048}" --cpus "${FTPALG_DEBUG_CPUS:-2}" \
	--timeout "${FTPALG_DEBUG_TIMEOUT:-2400}" \
	--module "$ko" -- "${tests[@]}" 2>&1 | tee "$out"
rc=${PIPESTATUS[0]}
t3=$(date +%s)

# Belt and braces: the runner already fails on WARNING:/BUG:/KASAN/kmemleak
# lines; these are the debug facilities' own headlines.
reports=$(grep -aE 'BUG: KASAN|possible recursive locking|inconsistent lock state|suspicious RCU usage|possible circular locking|lock held when returning|sleeping function called from invalid context|ODEBUG:|DEBUG_LOCKS_WARN_ON|kmemleak: report:' \
	-H "$vmlogs"/*.klog 2>/dev/null |
	sed -E 's#^.*/([^/]*)\.klog:(<[0-9]+>)?(\[ *[0-9.]+\] )?#\1: #' | awk '!seen[$0]++' | head -n 20)
if [[ -n $reports ]]; then
	echo "check-debug: debug kernel reports:"
	printf '%s\n' "$reports" | sed 's/^/check-debug:   /'
	[[ $rc -ne 0 ]] || rc=122
fi

passed=$(grep -cE '^(# )?ok [0-9]+' "$out")
skipped=$(grep -cE '^(# )?ok [0-9]+.*# SKIP' "$out")
failed=$(grep -cE '^(# )?not ok [0-9]+' "$out")
passed=$((passed - skipped))
if [[ $rc -ne 0 && $failed -eq 0 ]]; then
	failed=1
	echo "not ok - check-debug exited with status $rc (kernel logs: $vmlogs)"
fi
echo "check-debug: kernel $((t1 - t0)) s, module $((t2 - t1)) s, VM $((t3 - t2)) s, total $(($(date +%s) - start)) s; logs in $logdir"
echo "$passed passed, $failed failed, $skipped skipped"
[[ $rc -eq 0 && $failed -eq 0 ]]
