#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fuzz.sh run|smoke SECONDS TARGET...: called by tests/fuzz/Makefile.
#
#   run    fuzz each target for SECONDS on a copy of its seed corpus in
#          $O/work/TARGET/corpus (new inputs stay there, the committed seed
#          corpus is never written) and print libFuzzer's final stats.
#   smoke  the same for a short time from the seeds only (in $O/smoke); prints TAP, exits non-zero if any
#          target crashes, leaks or fails to build.  Without clang or the
#          libFuzzer runtime every target is reported as skipped.
set -u
mode=$1 secs=$2
shift 2
cd "$(dirname "$0")" || exit 1
O=${O:-build}
CLANG=${CLANG:-}
n=0 failed=0

tap() { n=$((n + 1)); echo "$1 $n - $2"; }

have_fuzzer() {
	[ -n "$CLANG" ] || return 1
	printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n)\n{ (void)d; (void)n; return 0; }\n' |
		"$CLANG" -x c -fsanitize=fuzzer,address,undefined - \
			-o "$O/.probe" >/dev/null 2>&1
}

mkdir -p "$O"
[ "$mode" = smoke ] && echo "1..$#"
if ! have_fuzzer; then
	why="clang with the libFuzzer runtime not installed"
	[ -n "$CLANG" ] || why="clang not installed"
	for t in "$@"; do
		if [ "$mode" = smoke ]; then
			tap ok "$t # SKIP $why"
		else
			echo "$t: skipped, $why"
		fi
	done
	exit 0
fi
rm -f "$O/.probe"

for t in "$@"; do
	corpus=corpus/${t#fuzz_}
	# run keeps its corpus between runs; smoke starts from the seeds.
	work=$O/work/$t
	[ "$mode" = smoke ] && work=$O/smoke/$t && rm -rf "$work"
	log=$work/fuzz.log
	if ! make -s --no-print-directory "$O/$t" >"$O/$t.build.log" 2>&1; then
		cat "$O/$t.build.log"
		if [ "$mode" = smoke ]; then
			tap "not ok" "$t: build failed"
		else
			echo "$t: build failed"
		fi
		failed=1
		continue
	fi
	mkdir -p "$work/corpus" "$work/artifacts"
	cp -n "$corpus"/* "$work/corpus/" 2>/dev/null
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
		"$O/$t" -max_total_time="$secs" -print_final_stats=1 \
			-artifact_prefix="$work/artifacts/" -max_len=4096 \
			"$work/corpus" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
	done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n1)
	cov=$(sed -n 's/.* cov: \([0-9]*\) ft: \([0-9]*\) corp: \([0-9]*\/[^ ]*\).*/cov \1, ft \2, corpus \3/p' \
		<<<"$done_line")
	if [ "$rc" -ne 0 ] || [ -z "$done_line" ]; then
		failed=1
		grep -E 'ERROR|invariant failed|SUMMARY|^ *#[0-9]+ .* in (LLVMFuzzerTestOneInput|ftp_|check_|do_|one_line)' "$log" |
			sed -e 's/ (\/[^)]*)//' -e 's/^ */# /' | head -n 20
		art=$(ls -t "$work"/artifacts/* 2>/dev/null | head -n1)
		msg="$t: crashed (exit $rc)${art:+, reproducer tests/fuzz/$art}; log tests/fuzz/$log"
		if [ "$mode" = smoke ]; then
			tap "not ok" "$msg"
		else
			echo "$msg"
		fi
		continue
	fi
	if [ "$mode" = smoke ]; then
		tap ok "$t: ${execs:-?} execs in ${secs}s, $cov, no crash"
	else
		echo "$t: ${secs}s, ${execs:-?} execs, $cov"
		echo "  $done_line"
		grep '^stat::' "$log" | sed 's/^/  /'
		echo "  corpus: $work/corpus  log: $log"
	fi
done
exit $failed
