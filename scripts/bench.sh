#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: ftpalg against the in-tree nf_conntrack_ftp + nf_nat_ftp and
# against no helper at all (see bench/bench-guest.sh):
#   0. kernel instructions per transaction, data packet and idle second,
#      counted by a QEMU TCG plugin (bench/insn_count.c) in a VM of its own
#      (FTPALG_BENCH_CPUS vCPUs, default 1; guest clock driven by the
#      instruction count), with the helpers' cost attributed to functions
# then, in a second VM boot (FTPALG_BENCH_CPUS vCPUs, default 2), wall-clock
# figures, which under TCG spread by +-20 % with the host's load:
#   1. control-plane transactions/s with 1 and all busy vCPUs
#   2. data-connection throughput
#   3. slab per idle FTP session, allocations per transaction
#   4. NAT placement of colliding passive ports
#   5. parser instructions per line (callgrind, on the host)
# Prints one table and writes results/bench-<date>.json (gitignored).
# Results are reported, never asserted.
#
# Environment: FTPALG_BENCH_* (see bench/bench-guest.sh) are passed to the
# guest; FTPALG_BENCH_SECTIONS picks the VMs too (insn: the first; any
# other: the second); BENCH_VM_MEM (2048), BENCH_VM_TIMEOUT (2400 s per
# VM), BENCH_SKIP_VM=1 (parser part only), BENCH_NICE (10), BENCH_ICOUNT
# (2: the guest clock's ns per instruction is 2^BENCH_ICOUNT; 1 vCPU only).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
NICE=(nice -n "${BENCH_NICE:-10}")
STAMP=$(date +%Y%m%d-%H%M%S)
OUT_DIR=$ROOT/results
mkdir -p "$OUT_DIR"
RAW=$OUT_DIR/bench-$STAMP.raw
JSON=$OUT_DIR/bench-$STAMP.json
COUNTS=$OUT_DIR/bench-$STAMP.insn
: > "$RAW"
SECTIONS=${FTPALG_BENCH_SECTIONS:-insn rate data mem alloc place}
WALL_SECTIONS=$(tr ' ' '\n' <<<"$SECTIONS" | grep -vx insn | tr '\n' ' ' || true)

say() { echo "bench: $*" >&2; }

# ---------------------------------------------------------------- deps ---
if ! scripts/deps.sh --check >/dev/null; then
	if [[ $(id -u) -eq 0 ]]; then
		scripts/deps.sh
	else
		scripts/deps.sh --check || true
		say "missing packages (see above)"
		exit 1
	fi
fi
for t in valgrind python3; do
	command -v "$t" >/dev/null || { say "$t not installed"; exit 1; }
done
KREL=$(scripts/deps.sh --kernel-release)

# --------------------------------------------------------------- build ---
say "building the module for $KREL, tools/ (the window placement run sets policy) and bench/"
"${NICE[@]}" make -s KERNELRELEASE="$KREL" module
"${NICE[@]}" make -s tools
"${NICE[@]}" make -s -C bench

# ------------------------------------------------- parser (callgrind) ---
# Ir collected inside ftp_parse_line (inclusive: --toggle-collect) over N
# calls of the same line, divided by N.
N=20000
say "parser cost under callgrind ($N calls per line)"
CG=$(mktemp -d "${TMPDIR:-/tmp}/ftpalg-bench-cg.XXXXXX")
trap 'rm -rf "$CG"' EXIT
while read -r name cls dir len res; do
	"${NICE[@]}" valgrind --tool=callgrind --toggle-collect=ftp_parse_line \
		--callgrind-out-file="$CG/$name.out" bench/build/parse_bench "$name" "$N" \
		> "$CG/$name.log" 2>&1 || { say "callgrind failed for $name"; cat "$CG/$name.log" >&2; exit 1; }
	ir=$(sed -n 's/^summary: *\([0-9]*\).*/\1/p' "$CG/$name.out" | head -n1)
	echo "BENCH {\"section\":\"parse\",\"line\":\"$name\",\"class\":\"$cls\",\"dir\":\"$dir\",\"len\":$len,\"result\":\"$res\",\"calls\":$N,\"ir\":${ir:-null}}" >> "$RAW"
done < <(bench/build/parse_bench --list)

# ------------------------------------------------------------------ VM ---
# run_vm SECTIONS CPUS [run-vm.sh options]: bench-guest.sh in a VM
run_vm()
{
	local sections=$1 cpus=$2 rc
	shift 2
	say "booting a VM ($cpus vCPUs, TCG) for: $sections; this takes minutes"
	set +e
	FTPALG_BENCH_SECTIONS=$sections "${NICE[@]}" selftests/vm/run-vm.sh \
		--kernel-release "$KREL" --cpus "$cpus" --mem "${BENCH_VM_MEM:-2048}" \
		--timeout "${BENCH_VM_TIMEOUT:-2400}" --module "kmod/nf_conntrack_ftpalg.ko" \
		"$@" -- bash bench/bench-guest.sh |
		sed -u 's/\r$//' | tee -a "$RAW" | grep --line-buffered -v '^BENCH \|^KSYMS ' >&2
	rc=${PIPESTATUS[0]}
	set -e
	((rc == 0)) || say "VM run exited with status $rc (results may be partial)"
}

if [[ ${BENCH_SKIP_VM:-0} != 1 ]]; then
	if grep -qw insn <<<"$SECTIONS"; then
		# -icount with more than one vCPU did not get past the firmware
		# here (QEMU 7.2, 8 minutes): there the guest clock follows the
		# host's, and timer interrupts add some noise to the counts
		ICOUNT=()
		((${FTPALG_BENCH_CPUS:-1} > 1)) || ICOUNT=(--icount "${BENCH_ICOUNT:-2}")
		run_vm insn "${FTPALG_BENCH_CPUS:-1}" "${ICOUNT[@]}" \
			--plugin "$ROOT/bench/build/insn_count.so,out=$COUNTS"
	fi
	if [[ -n ${WALL_SECTIONS// /} ]]; then
		run_vm "$WALL_SECTIONS" "${FTPALG_BENCH_CPUS:-2}"
	fi
fi

# -------------------------------------------------------------- report ---
python3 bench/report.py --raw "$RAW" --json "$JSON" --repo "$ROOT" --counts "$COUNTS"
say "raw output: $RAW"
say "counts:     $COUNTS"
say "results:    $JSON"
