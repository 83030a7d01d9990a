#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make demo`: install what is missing, build the module, then show FTP
# through a NAT router with the ftpalg helper in a throw-away VM (see
# scripts/demo-guest.sh for what the transcript shows).  Exits with the
# guest's status: 0 when all four transfers worked.
#
# Environment: FTPALG_DEMO_TIMEOUT  VM wall-clock limit in seconds (600)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1

scripts/deps.sh || { echo "demo: scripts/deps.sh failed" >&2; exit 1; }

echo "demo: building the module (make module)"
log=$(mktemp "${TMPDIR:-/tmp}/ftpalg-demo-build.XXXXXX")
if ! make -s KERNELRELEASE="$(scripts/deps.sh --kernel-release)" module >"$log" 2>&1; then
	cat "$log" >&2
	rm -f "$log"
	echo "demo: make module failed" >&2
	exit 1
fi
rm -f "$log"

echo "demo: booting the VM (QEMU/TCG, this takes a little while)"
selftests/vm/run-vm.sh --timeout "${FTPALG_DEMO_TIMEOUT:-600}" \
	--module kmod/nf_conntrack_ftpalg.ko -- bash scripts/demo-guest.sh
exit $?
