#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Minimal kselftest runner (same output as tools/testing/selftests/
# kselftest/runner.sh): TAP 13 header and plan, each test's output
# prefixed with "# ", then "ok N selftests: ftpalg: NAME" (exit 0),
# "ok N ... # SKIP" (exit 4), "not ok N ... # TIMEOUT T seconds" (timeout)
# or "not ok N ... # exit=RC".  The per-test timeout comes from "settings"
# (timeout=NNN), overridable with KSFT_TIMEOUT.  Exits 1 if any test failed.
#
# usage: run_kselftest.sh TEST...

DIR=$(cd "$(dirname "$0")" && pwd)
COLLECTION=ftpalg
ksft_skip=4

timeout_s=45
if [ -r "$DIR/settings" ]; then
	t=$(sed -n 's/^timeout=\([0-9]*\)$/\1/p' "$DIR/settings")
	[ -n "$t" ] && timeout_s=$t
fi
timeout_s=${KSFT_TIMEOUT:-$timeout_s}

[ $# -gt 0 ] || { echo "usage: $0 TEST..." >&2; exit 2; }

echo "TAP version 13"
echo "1..$#"
n=0
failed=0
cd "$DIR" || exit 1
for test in "$@"; do
	n=$((n + 1))
	name=$(basename "$test")
	echo "# selftests: $COLLECTION: $name"
	start=$SECONDS
	if [ ! -x "$test" ]; then
		echo "# Warning: file $name is not executable"
		rc=126
	elif [ "$timeout_s" -gt 0 ]; then
		timeout --kill-after=30 "$timeout_s" "./$test" 2>&1 | sed 's/^/# /'
		rc=${PIPESTATUS[0]}
	else
		"./$test" 2>&1 | sed 's/^/# /'
		rc=${PIPESTATUS[0]}
	fi
	echo "# $name: ${rc} after $((SECONDS - start))s"
	case $rc in
	0)	echo "ok $n selftests: $COLLECTION: $name" ;;
	"$ksft_skip")
		echo "ok $n selftests: $COLLECTION: $name # SKIP" ;;
	124|137)
		echo "not ok $n selftests: $COLLECTION: $name # TIMEOUT $timeout_s seconds"
		failed=1 ;;
	*)	echo "not ok $n selftests: $COLLECTION: $name # exit=$rc"
		failed=1 ;;
	esac
done
exit $failed
