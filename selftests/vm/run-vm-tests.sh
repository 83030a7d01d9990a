#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run selftests in QEMU VMs, one VM per test and up to -j VMs at a time,
# and print one kselftest TAP stream, as run_kselftest.sh does on a host.
#
# Usage:
#   selftests/vm/run-vm-tests.sh [-j N] [--cmd CMD] [--log-dir DIR]
#       [run-vm.sh options] -- TEST...
#
# Each TEST runs as `CMD TEST` (default CMD: run_kselftest.sh next to this
# directory) in a VM of its own, booted by run-vm.sh with the given options
# from the current directory.  One VM per test: no test sees what another
# left behind, a kernel report names the test that caused it, and the
# lanes balance themselves (list the longest tests first).  Results are
# numbered in the order the tests finish.  A test passes only if its VM
# exits 0: a kernel report (run-vm.sh exit 122), a crash (123) or a VM
# timeout (124) fails it even when its checks passed.
#
# -j defaults to the number of CPUs.  --log-dir keeps each test's output
# (NAME.out) and kernel log (NAME.klog); default: a temporary directory.
# Exit status: 0 if every test passed or was skipped, 1 otherwise, 2 usage.
set -u

SELF_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
jobs=$(nproc)
cmd=$SELF_DIR/../run_kselftest.sh
logdir=""
vmopts=()

usage() { sed -n '3,21p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

while (($#)); do
	case $1 in
	-j) jobs=${2:?}; shift 2 ;;
	--cmd) cmd=${2:?}; shift 2 ;;
	--log-dir) logdir=${2:?}; shift 2 ;;
	-h | --help) usage; exit 0 ;;
	--) shift; break ;;
	*) vmopts+=("$1"); shift ;;
	esac
done
if (($# == 0)) || ! [[ $jobs =~ ^[1-9][0-9]*$ ]]; then
	usage >&2
	exit 2
fi
if [[ -z $logdir ]]; then
	logdir=$(mktemp -d /var/tmp/ftpalg-vm-tests.XXXXXX) || exit 1
	trap 'rm -rf "$logdir"' EXIT
fi
mkdir -p "$logdir" || exit 1
trap 'kill $(jobs -p) 2>/dev/null; exit 130' INT TERM

# run_one TEST: boot a VM for it; the VM's exit status is the job's.
run_one()
{
	local name=${1##*/}
	# shellcheck disable=SC2086 # CMD is a command line
	"$SELF_DIR/run-vm.sh" "${vmopts[@]}" --log "$logdir/$name.klog" -- \
		$cmd "$1" >"$logdir/$name.out" 2>&1
}

# report TEST RC: the test's output without its own plan and result line,
# then its result under the next number.
n=0
failed=0
report()
{
	local name=${1##*/} rc=$2 result why
	n=$((n + 1))
	result=$(grep -aE '^(not )?ok 1 selftests: ' "$logdir/$name.out" | tail -n1)
	grep -avE '^(TAP version 13|1\.\.1|(not )?ok 1 selftests: .*)$' "$logdir/$name.out" |
		sed -E 's/^(run-vm: )/# \1/'
	if [[ $rc -eq 0 && $result == "ok 1 "* ]]; then
		echo "ok $n ${result#ok 1 }"
		return
	fi
	failed=1
	case $rc in
	122) why="kernel log problems, see $logdir/$name.klog" ;;
	123) why="the VM gave no exit status (crash or panic)" ;;
	124) why="the VM timed out" ;;
	*) why="exit=$rc" ;;
	esac
	echo "not ok $n selftests: ftpalg: $name # $why"
}

echo "TAP version 13"
echo "1..$#"
declare -A running=()
tests=("$@")
next=0
while ((next < ${#tests[@]} || ${#running[@]})); do
	while ((next < ${#tests[@]} && ${#running[@]} < jobs)); do
		run_one "${tests[next]}" &
		running[$!]=${tests[next]}
		echo "# started ${tests[next]##*/} at $SECONDS s"	# progress
		next=$((next + 1))
	done
	wait -n -p done_pid
	rc=$?
	[[ -n ${done_pid:-} && -n ${running[$done_pid]:-} ]] || continue
	report "${running[$done_pid]}" "$rc"
	unset "running[$done_pid]"
done
exit $failed
