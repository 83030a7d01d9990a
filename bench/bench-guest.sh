#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# In-VM driver of `make bench` (started by scripts/bench.sh through
# selftests/vm/run-vm.sh, as root, in the repository directory).  Measures
# three router variants side by side in one boot:
#   none     no helper (data connections allowed and DNATed by port)
#   ftp      in-tree nf_conntrack_ftp + nf_nat_ftp   (ct helper type "ftp")
#   ftpalg   nf_conntrack_ftpalg, default policy     (ct helper type "ftpalg")
# in the client - router - server topology of selftests/lib.sh with the
# "dnat" routes: the client only knows 203.0.113.0/24 and connects to
# 203.0.113.1:21, which the router DNATs to the server 198.51.100.2:21.
#
# The guest's writes vanish with the VM, so results go to stdout as lines
#   BENCH {json object}
# which scripts/bench.sh collects.  Lines starting with '#' are progress.
#
# Environment (all optional):
#   FTPALG_BENCH_SECTIONS  "insn rate data mem alloc place" (default: all;
#                          insn needs the instruction counter plugin, see
#                          scripts/bench.sh, which runs it in a VM of its own)
#   FTPALG_BENCH_INSN_REPS repetitions of the instruction counts (3)
#   FTPALG_BENCH_INSN_TXNS transactions per count (2000)
#   FTPALG_BENCH_INSN_CONNS control connections doing them (16)
#   FTPALG_BENCH_INSN_MB   MB of the counted data transfer (8)
#   FTPALG_BENCH_INSN_IDLE seconds of the counted idle stretch (10)
#   FTPALG_BENCH_REPS      repetitions of timed measurements (5)
#   FTPALG_BENCH_CONNS     concurrent control connections, rate (100: with
#                          ftpalg's 8 expectations each, below its default
#                          netns_expect_max of 1024)
#   FTPALG_BENCH_SECS      seconds per rate run (4)
#   FTPALG_BENCH_PLACE_REPS repetitions of the placement runs (2: each
#                          opens 1000 sessions, the slowest part under TCG)
#   FTPALG_BENCH_DATA_MB   MB per data transfer (128)
#   FTPALG_BENCH_IDLE      idle sessions for the memory figure (10000)
#   FTPALG_BENCH_PLACE     concurrent passive sessions, placement (1000)
#   FTPALG_BENCH_ALLOC_TXNS transactions of the allocation check (2000)
#   FTPALG_BENCH_WINDOW    ftpalg passive window for placement (51000-51999)

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
REPO=$PWD
BIN=$REPO/bench/build
CTL=$REPO/tools/ftpalgctl

SECTIONS=${FTPALG_BENCH_SECTIONS:-insn rate data mem alloc place}
INSN_REPS=${FTPALG_BENCH_INSN_REPS:-3}
INSN_TXNS=${FTPALG_BENCH_INSN_TXNS:-2000}
INSN_CONNS=${FTPALG_BENCH_INSN_CONNS:-16}
INSN_MB=${FTPALG_BENCH_INSN_MB:-8}
INSN_IDLE=${FTPALG_BENCH_INSN_IDLE:-10}
REPS=${FTPALG_BENCH_REPS:-5}
CONNS=${FTPALG_BENCH_CONNS:-100}
SECS=${FTPALG_BENCH_SECS:-4}
PLACE_REPS=${FTPALG_BENCH_PLACE_REPS:-2}
DATA_MB=${FTPALG_BENCH_DATA_MB:-128}
IDLE=${FTPALG_BENCH_IDLE:-10000}
PLACE=${FTPALG_BENCH_PLACE:-1000}
ALLOC_TXNS=${FTPALG_BENCH_ALLOC_TXNS:-2000}
WINDOW=${FTPALG_BENCH_WINDOW:-51000-51999}
VARIANTS="none ftp ftpalg"
DATA_PORT=45000		# the one passive port of the data responder
PLACE_PORT=50000	# the port every placement session is offered

# shellcheck source=../selftests/lib.sh
. "$REPO/selftests/lib.sh"

T0=$SECONDS
log() { echo "# [$((SECONDS - T0))s] $*"; }
emit() { echo "BENCH $*"; }
has() { case " $SECTIONS " in *" $1 "*) return 0 ;; esac; return 1; }
# kv KEY LINE: value of KEY=... in a "RESULT k=v ..." line
kv() { sed -n "s/.*[ ]$1=\([^ ]*\).*/\1/p" <<<"$2" | head -n1; }
delta() { [[ $1 =~ ^[0-9]+$ && $2 =~ ^[0-9]+$ ]] && echo $(($2 - $1)) || echo null; }
num() { [[ $1 =~ ^-?[0-9]+(\.[0-9]+)?$ ]] && echo "$1" || echo null; }

# --------------------------------------------------------------- setup ---

ulimit -n 1048576 2>/dev/null || ulimit -n 65536 2>/dev/null
# Big enough tables for 10,000 sessions and 1000s of expectations; the
# defaults for a small VM are ~8k conntracks and 128 expectations.  Both
# limits are global (writable in the initial namespace only).
modprobe nf_conntrack hashsize=65536 expect_hashsize=8192 2>/dev/null ||
	modprobe nf_conntrack
sysctl -qw net.netfilter.nf_conntrack_max=262144
sysctl -qw net.netfilter.nf_conntrack_expect_max=65536
for m in nf_nat nf_conntrack_ftp nf_nat_ftp nf_conntrack_ftpalg; do
	modprobe "$m" || { echo "# cannot load $m"; exit 1; }
done

topo_create
topo_routes dnat
nsx "$NS_C" sysctl -qw net.ipv4.ip_local_port_range="10000 60999"
for ns in "$NS_C" "$NS_S"; do
	nsx "$ns" sysctl -qw net.ipv4.tcp_max_syn_backlog=8192
	nsx "$ns" sysctl -qw net.core.somaxconn=8192
done

emit "{\"section\":\"env\",\"sections\":\"$SECTIONS\",\"kernel\":\"$(uname -r)\",\"cpus\":$(nproc),\"mem_kb\":$(awk '/MemTotal/ {print $2}' /proc/meminfo),\"ct_buckets\":$(cat /proc/sys/net/netfilter/nf_conntrack_buckets),\"expect_max\":$(cat /proc/sys/net/netfilter/nf_conntrack_expect_max),\"conns\":$CONNS,\"secs\":$SECS,\"reps\":$REPS,\"place_reps\":$PLACE_REPS,\"data_mb\":$DATA_MB,\"idle\":$IDLE,\"place\":$PLACE,\"alloc_txns\":$ALLOC_TXNS,\"window\":\"$WINDOW\"}"

# set_rules VARIANT: the router's whole ruleset, and empty tables.
set_rules()
{
	local v=$1 f=$TMPD/bench.nft
	{
		echo "table inet bench {"
		case $v in
		ftp) echo "  ct helper h { type \"ftp\" protocol tcp; }" ;;
		ftpalg*) echo "  ct helper h { type \"ftpalg\" protocol tcp; }" ;;
		esac
		echo "  chain hlp_pre {"
		echo "    type filter hook prerouting priority -150; policy accept;"
		# without a helper the same matches, so that every packet
		# costs the ruleset the same in all variants (make bench's
		# instruction counts: ~250 per packet, the iifname match)
		if [ "$v" = none ]; then
			echo "    iifname \"r0\" tcp dport 21 ct state new counter"
		else
			echo "    iifname \"r0\" tcp dport 21 ct state new ct helper set \"h\""
		fi
		echo "  }"
		echo "  chain filter_fwd {"
		echo "    type filter hook forward priority filter; policy drop;"
		echo "    ct state established,related accept"
		echo "    iifname \"r0\" oifname \"r1\" ct state new tcp dport 21 accept"
		[ "$v" = none ] &&
			echo "    iifname \"r0\" oifname \"r1\" ct state new tcp dport $DATA_PORT accept"
		echo "  }"
		echo "  chain nat_pre {"
		echo "    type nat hook prerouting priority dstnat; policy accept;"
		echo "    iifname \"r0\" ip daddr $PUB4 tcp dport 21 dnat ip to $S4"
		[ "$v" = none ] &&
			echo "    iifname \"r0\" ip daddr $PUB4 tcp dport $DATA_PORT dnat ip to $S4"
		echo "  }"
		echo "}"
	} > "$f"
	nsx "$NS_R" nft flush ruleset && nsx "$NS_R" nft -f "$f" || {
		cat "$f"
		return 1
	}
	ct_flush
}

ct_flush()
{
	nsx "$NS_R" conntrack -F >/dev/null 2>&1
	nsx "$NS_R" conntrack -F expect >/dev/null 2>&1
}

expect_n()
{
	nsx "$NS_R" conntrack -L expect 2>/dev/null | grep -c 'proto=6'
}

ct_n()
{
	nsx "$NS_R" conntrack -C 2>/dev/null || echo 0
}

alg_stat()
{
	nsx "$NS_R" cat /proc/net/stat/ftpalg 2>/dev/null |
		awk -v k="$1" '$1 == k { print $2; f = 1 } END { if (!f) print "null" }'
}

RESP_PID=
start_responder()
{
	# not nsx: $! must be the program itself (ip netns exec execs it),
	# not a subshell whose death would leave it running
	ip netns exec "$NS_S" "$BIN/ftp_responder" --listen "$S4" --port 21 "$@" \
		> "$TMPD/responder.log" 2>&1 &
	RESP_PID=$!
	_pids+=("$RESP_PID")
	busywait 20000 listening "$NS_S" 21 || {
		echo "# responder did not start"
		cat "$TMPD/responder.log"
		return 1
	}
}

stop_responder()
{
	[ -n "$RESP_PID" ] || return 0
	kill "$RESP_PID" 2>/dev/null
	wait "$RESP_PID" 2>/dev/null
	RESP_PID=
	sleep 0.5
}

# bg_loadgen OUT ARGS...: loadgen in the client netns, in the background.
LG_PID=
bg_loadgen()
{
	local out=$1
	shift
	: > "$out"
	ip netns exec "$NS_C" "$BIN/ftp_loadgen" "$@" > "$out" 2>&1 &	# as above
	LG_PID=$!
	_pids+=("$LG_PID")
}

# wait_for WORD FILE SECS: until WORD appears in FILE (or the loadgen died)
wait_for()
{
	local word=$1 file=$2 secs=$3 i=0
	while ! grep -q "^$word" "$file"; do
		kill -0 "$LG_PID" 2>/dev/null || { grep -q "^$word" "$file"; return; }
		i=$((i + 1))
		[ $i -ge $((secs * 10)) ] && return 1
		sleep 0.1
	done
}

stop_loadgen()
{
	[ -n "$LG_PID" ] || return 0
	kill "$LG_PID" 2>/dev/null
	wait "$LG_PID" 2>/dev/null
	LG_PID=
}

set_window()
{
	# $1: "on" -> WINDOW with passive-map on; "off" -> back to the defaults
	[ -x "$CTL" ] || { echo "tools/ftpalgctl not built"; return 1; }
	if [ "$1" = on ]; then
		"$CTL" -n "$NS_R" set passive-window "$WINDOW" passive-map on 2>&1
	else
		"$CTL" -n "$NS_R" set passive-window any passive-map off 2>&1
	fi
}

# --------------------------------------- 0. instructions (TCG plugin) ---
# Kernel instructions, counted by bench/insn_count.so between the markers
# that ftp_loadgen executes (--mark): around exactly INSN_TXNS transactions
# of one kind on INSN_CONNS established control connections, around a data
# transfer, around an idle stretch with INSN_CONNS sessions open.  Every
# marker is a snapshot in the plugin's file, numbered from 0 in execution
# order: each record says which snapshots are its own (first_mark, marks).
# The first repetition also records per-block counts (--mark 2), which
# report.py attributes to functions with the KSYMS dump at the end.  One
# loadgen and one responder thread per vCPU, thread i on CPU i.
MARKS=0
insn_emit()
{
	local v=$1 rep=$2 kind=$3 units=$4 out=$5 extra=$6 m
	m=$(kv marks "$out")
	[[ $m =~ ^[0-9]+$ ]] || m=0
	emit "{\"section\":\"insn\",\"variant\":\"$v\",\"rep\":$rep,\"kind\":\"$kind\",\"first_mark\":$MARKS,\"marks\":$m,\"units\":$(num "$units"),\"failed\":$(num "$(kv failed "$out")"),\"secs\":$(num "$(kv secs "$out")")$extra}"
	MARKS=$((MARKS + m))
}

# router_packets: packets received on the router's two links
router_packets()
{
	nsx "$NS_R" cat /proc/net/dev |
		awk '{ sub(/:/, " ") } $1 == "r0" || $1 == "r1" { s += $3 } END { print s + 0 }'
}

section_insn()
{
	local cpus rep v kind lvl out p0 p1 warm
	cpus=$(nproc)
	# the data sender puts out one segment per packet (no GSO super
	# packets), so that packets are a count that repeats
	nsx "$NS_S" ip link set dev s0 gso_max_segs 1 ||
		log "insn: cannot set gso_max_segs; data packets are GSO packets"
	for rep in $(seq 0 "$INSN_REPS"); do
		# rep 0 warms up (page cache, slab caches, TCP metrics): no markers
		lvl=1 warm=""
		[ "$rep" = 1 ] && lvl=2
		[ "$rep" = 0 ] && lvl=0 warm=" (warm-up)"
		start_responder --threads "$cpus" --cpu-base 0 --pasv 40000-49999 || return 1
		for v in $VARIANTS; do
			for kind in port pasv noop; do
				set_rules "$v" || return 1
				out=$(nsx "$NS_C" "$BIN/ftp_loadgen" rate --server "$PUB4" \
					--conns "$INSN_CONNS" --threads "$cpus" --cpu-base 0 \
					--count "$INSN_TXNS" --mix "$kind" --mark "$lvl" 2>&1 |
					grep '^RESULT')
				log "insn rep=$rep $v $kind$warm: $out"
				[ "$rep" = 0 ] || insn_emit "$v" "$rep" "$kind" "$(kv txns "$out")" "$out" ""
			done
			# a fresh table: no closed connections of the runs before
			# expire during the idle stretch
			set_rules "$v" || return 1
			bg_loadgen "$TMPD/idle.out" idle --server "$PUB4" --conns "$INSN_CONNS"
			if wait_for READY "$TMPD/idle.out" 120; then
				# no pipe: a grep starting (page faults, exec) would
				# run inside the idle stretch
				"$BIN/ftp_loadgen" sleep --secs "$INSN_IDLE" --mark "$lvl" > "$TMPD/sleep.out"
				out=$(grep '^RESULT' "$TMPD/sleep.out")
				log "insn rep=$rep $v idle$warm: $out"
				[ "$rep" = 0 ] || insn_emit "$v" "$rep" idle "$INSN_IDLE" "$out" ""
			else
				log "insn $v idle: loadgen not ready: $(cat "$TMPD/idle.out")"
			fi
			stop_loadgen
		done
		stop_responder
		# the data responder's one passive port (it sends the data)
		start_responder --threads 1 --pasv "$DATA_PORT-$DATA_PORT" \
			--data-bytes $((INSN_MB * 1000000)) || return 1
		for v in $VARIANTS; do
			set_rules "$v" || return 1
			p0=$(router_packets)
			out=$(nsx "$NS_C" "$BIN/ftp_loadgen" data --server "$PUB4" \
				--timeout-ms 10000 --mark "$lvl" 2>&1 | grep '^RESULT')
			p1=$(router_packets)
			log "insn rep=$rep $v data$warm: $out packets=$((p1 - p0))"
			[ "$rep" = 0 ] || insn_emit "$v" "$rep" data "$(kv bytes "$out")" "$out" \
				",\"packets\":$((p1 - p0))"
		done
		stop_responder
	done
	nsx "$NS_S" ip link set dev s0 gso_max_segs 65535
	# text symbols (core kernel and modules) for the attribution, as
	# "KSYMS <base64 of gzip>" lines: ~10x less to push through the UART
	grep -E '^[0-9a-f]+ [tTwW] ' /proc/kallsyms | gzip -1 | base64 -w 120 | sed 's/^/KSYMS /'
}

# ------------------------------------------------ 1. control-plane rate ---
# cpus=1: loadgen 1 thread and responder 1 thread, both pinned to CPU 0
#         (all softirq work of the router runs on the sending CPU: veth)
# cpus=N: loadgen N threads and responder N threads, thread i on CPU i,
#         N = the VM's vCPUs (FTPALG_BENCH_CPUS)
section_rate()
{
	local cpus rep v out lim0
	for cpus in $(printf '%s\n' 1 "$(nproc)" | sort -un); do
		start_responder --threads "$cpus" --cpu-base 0 --pasv 40000-49999 || return 1
		for rep in $(seq 1 "$REPS"); do
			for v in $VARIANTS; do
				set_rules "$v" || return 1
				lim0=$(alg_stat refused_expect_limit)
				out=$(nsx "$NS_C" "$BIN/ftp_loadgen" rate --server "$PUB4" \
					--conns "$CONNS" --threads "$cpus" --cpu-base 0 \
					--secs "$SECS" 2>&1 | grep '^RESULT')
				log "rate cpus=$cpus rep=$rep $v: $out"
				emit "{\"section\":\"rate\",\"variant\":\"$v\",\"cpus\":$cpus,\"rep\":$rep,\"tps\":$(num "$(kv tps "$out")"),\"txns\":$(num "$(kv txns "$out")"),\"secs\":$(num "$(kv secs "$out")"),\"failed\":$(num "$(kv failed "$out")"),\"expects\":$(expect_n),\"refused_expect_limit\":$(delta "$lim0" "$(alg_stat refused_expect_limit)")}"
			done
		done
		stop_responder
	done
}

# -------------------------------------------------------- 2. data path ---
section_data()
{
	local rep v out
	start_responder --threads 1 --pasv "$DATA_PORT-$DATA_PORT" \
		--data-bytes $((DATA_MB * 1000000)) || return 1
	# one untimed transfer first (page cache, TCP metrics, lazy setup)
	set_rules none && nsx "$NS_C" "$BIN/ftp_loadgen" data --server "$PUB4" \
		--timeout-ms 10000 > /dev/null 2>&1
	for rep in $(seq 1 "$REPS"); do
		for v in $VARIANTS; do
			set_rules "$v" || return 1
			out=$(nsx "$NS_C" "$BIN/ftp_loadgen" data --server "$PUB4" \
				--timeout-ms 10000 2>&1)
			log "data rep=$rep $v: $out"
			out=$(grep '^RESULT' <<<"$out")
			emit "{\"section\":\"data\",\"variant\":\"$v\",\"rep\":$rep,\"mbps\":$(num "$(kv mbps "$out")"),\"bytes\":$(num "$(kv bytes "$out")"),\"secs\":$(num "$(kv secs "$out")")}"
		done
	done
	stop_responder
}

# ------------------------------------------------------- 3a. memory ---
slab_snap()
{
	sync
	echo 3 > /proc/sys/vm/drop_caches
	sleep 1
	cat /proc/slabinfo > "$1"
	grep '^Slab:' /proc/meminfo | awk '{print $2}' > "$1.meminfo"
}

# slab_delta BEFORE AFTER FILTER: active bytes (active_objs * objsize)
# of the caches whose name matches FILTER, after - before
slab_delta()
{
	awk -v re="$3" 'FNR <= 2 { next }
		$1 ~ re { b = $2 * $4; if (FNR == NR) s -= b; else s += b }
		END { printf "%d\n", s }' "$1" "$2"
}

slab_objs_delta()
{
	awk -v re="$3" 'FNR <= 2 { next }
		$1 ~ re { if (FNR == NR) s -= $2; else s += $2 }
		END { printf "%d\n", s }' "$1" "$2"
}

section_mem()
{
	local v out b a n ct meminfo ctb d
	trace_setup
	start_responder --threads 1 --pasv 40000-49999 || return 1
	for v in $VARIANTS; do
		set_rules "$v" || return 1
		sleep 1
		b=$TMPD/slab.$v.before
		a=$TMPD/slab.$v.after
		slab_snap "$b"
		((TRACED)) && hist_snap "$b.hist"
		bg_loadgen "$TMPD/idle.out" idle --server "$PUB4" --conns "$IDLE"
		if ! wait_for READY "$TMPD/idle.out" 400; then
			log "mem $v: loadgen not ready: $(cat "$TMPD/idle.out")"
			stop_loadgen
			continue
		fi
		sleep 2
		ct=$(ct_n)
		((TRACED)) && hist_snap "$a.hist"
		slab_snap "$a"
		out=$(grep '^RESULT' "$TMPD/idle.out")
		n=$(kv established "$out")
		log "mem $v: $out conntracks=$ct"
		stop_loadgen
		meminfo=$(( ($(cat "$a.meminfo") - $(cat "$b.meminfo")) * 1024 ))
		ctb=null
		if ((TRACED)); then
			d=$(hist_delta "$b.hist" "$a.hist")
			ctb=$(awk -v re="$CT_SITES" '$3 ~ re { s += $2 } END { print s + 0 }' <<<"$d")
			log "mem $v: conntrack-related allocations while opening $n sessions (calls bytes site):"
			awk -v re="$CT_SITES" '$3 ~ re' <<<"$d" | head -n 12 | sed 's/^/#     /'
		fi
		emit "{\"section\":\"mem\",\"variant\":\"$v\",\"sessions\":$(num "$n"),\"conntracks\":$(num "$ct"),\"slab_total\":$(slab_delta "$b" "$a" .),\"slab_kmalloc\":$(slab_delta "$b" "$a" '^kmalloc-'),\"slab_conntrack\":$(slab_delta "$b" "$a" '^nf_conntrack'),\"slab_tcp\":$(slab_delta "$b" "$a" '^(TCP|request_sock_TCP|tw_sock_TCP)$'),\"meminfo_slab\":$meminfo,\"ct_alloc_bytes\":$ctb}"
		# which caches grew (for the record)
		awk 'FNR <= 2 { next } FNR == NR { b[$1] = $2 * $4; next }
			{ d = $2 * $4 - b[$1]; if (d > 65536 || d < -65536) printf "#   %-24s %+d\n", $1, d }' \
			"$b" "$a" | sort -t+ -k2 -n | head -n 20
		ct_flush
		sleep 2
	done
	stop_responder
}

# ------------------------------------------------ 3b. steady-state allocs ---
# Slab allocations by call site: hist triggers on the kmem events, counting
# calls and bytes, only in the context of the bench programs and of
# ksoftirqd (the router's packet processing runs in softirq context on top
# of whichever of these sent the packet), so that the shell's own fork/exec
# noise stays out.
TRACE=/sys/kernel/tracing
ALLOC_EVENTS=()
HIST_SPEC='hist:keys=call_site.sym:vals=hitcount,bytes_alloc:size=8192'
HIST_FILTER='if comm == "ftp_loadgen" || comm == "ftp_responder" || comm ~ "ksoftirqd*"'
TRACED=0
trace_setup()
{
	local ev
	((TRACED)) && return 0
	[ -d "$TRACE/events" ] || mount -t tracefs nodev "$TRACE" 2>/dev/null
	for ev in kmalloc kmem_cache_alloc kmalloc_node kmem_cache_alloc_node; do
		[ -e "$TRACE/events/kmem/$ev/trigger" ] || continue
		echo "$HIST_SPEC $HIST_FILTER" > "$TRACE/events/kmem/$ev/trigger" 2>/dev/null &&
			ALLOC_EVENTS+=("$ev")
	done
	[ ${#ALLOC_EVENTS[@]} -gt 0 ] && TRACED=1
	((TRACED)) || log "no kmem hist triggers: allocation counts unavailable"
}

trace_teardown()
{
	local ev
	for ev in "${ALLOC_EVENTS[@]}"; do
		echo "!$HIST_SPEC $HIST_FILTER" > "$TRACE/events/kmem/$ev/trigger" 2>/dev/null
	done
	ALLOC_EVENTS=()
	TRACED=0
}

# hist_snap FILE: "call_site calls bytes" for all allocation events
hist_snap()
{
	local ev
	for ev in "${ALLOC_EVENTS[@]}"; do
		cat "$TRACE/events/kmem/$ev/hist"
	done | awk '/hitcount:/ {
			s = $0; sub(/^[^]]*\] /, "", s); sub(/[ ]*}.*/, "", s)
			sub(/\+0x[0-9a-f]+\/0x[0-9a-f]+/, "", s); gsub(/ +/, "", s)
			for (i = 1; i < NF; i++) {
				if ($i == "hitcount:") c[s] += $(i + 1)
				if ($i == "bytes_alloc:") b[s] += $(i + 1)
			}
		}
		END { for (k in c) print k, c[k], b[k] + 0 }' > "$1"
}

# hist_delta BEFORE AFTER: "calls bytes site" of sites that changed,
# most calls first
hist_delta()
{
	awk 'FNR == NR { c[$1] = $2; b[$1] = $3; next }
		{ d = $2 - c[$1]; if (d) print d, $3 - b[$1], $1 }' "$1" "$2" |
		sort -rn
}

# conntrack-related sites: nf_* / __nf_* functions and the helpers' own
CT_SITES='^(__)?nf_|ftp|^nfct'

section_alloc()
{
	local v mix out hb ha sb sa d total exp ctc txns kobjs
	trace_setup
	start_responder --threads 1 --pasv 40000-49999 || return 1
	for mix in portpasv noop; do
		for v in $VARIANTS; do
			set_rules "$v" || return 1
			rm -f "$TMPD/gate"
			bg_loadgen "$TMPD/alloc.out" rate --server "$PUB4" --conns 64 \
				--threads 1 --cpu-base 0 --count "$ALLOC_TXNS" --mix "$mix" \
				--gate "$TMPD/gate" --hold 1
			wait_for ESTABLISHED "$TMPD/alloc.out" 60 || { stop_loadgen; continue; }
			sleep 0.5
			hb=$TMPD/hist.$v.$mix.before ha=$TMPD/hist.$v.$mix.after
			sb=$TMPD/slab.$v.$mix.before sa=$TMPD/slab.$v.$mix.after
			cat /proc/slabinfo > "$sb"
			((TRACED)) && hist_snap "$hb"
			touch "$TMPD/gate"
			wait_for READY "$TMPD/alloc.out" 120
			((TRACED)) && hist_snap "$ha"
			cat /proc/slabinfo > "$sa"
			out=$(grep '^RESULT' "$TMPD/alloc.out")
			stop_loadgen
			txns=$(kv txns "$out")
			kobjs=$(slab_objs_delta "$sb" "$sa" '^kmalloc-')
			if ((TRACED)); then
				d=$(hist_delta "$hb" "$ha")
				total=$(awk '{ s += $1 } END { print s + 0 }' <<<"$d")
				exp=$(awk '$3 ~ /expect_alloc/ { s += $1 } END { print s + 0 }' <<<"$d")
				ctc=$(awk -v re="$CT_SITES" '$3 ~ re { s += $1 } END { print s + 0 }' <<<"$d")
				log "alloc $mix $v: $out; allocations $total (conntrack-related $ctc, expectations $exp); sites (calls bytes site):"
				head -n 14 <<<"$d" | sed 's/^/#     /'
			else
				total=null exp=null ctc=null
			fi
			emit "{\"section\":\"alloc\",\"variant\":\"$v\",\"mix\":\"$mix\",\"txns\":$(num "$txns"),\"allocs\":$total,\"expect_allocs\":$exp,\"ct_allocs\":$ctc,\"kmalloc_objs_delta\":$kobjs,\"expects_after\":$(expect_n)}"
			ct_flush
		done
	done
	stop_responder
	trace_teardown
}

# ----------------------------------------------- 4. NAT port placement ---
section_place()
{
	local rep v out ex note pol nop0
	start_responder --threads 1 --pasv "$PLACE_PORT-$PLACE_PORT" || return 1
	for rep in $(seq 1 "$PLACE_REPS"); do
		for v in $VARIANTS ftpalg-window; do
			set_rules "$v" || return 1
			note=""
			if [ "$v" = ftpalg-window ]; then
				if ! note=$(set_window on); then
					log "place: ftpalgctl failed: $note"
					emit "{\"section\":\"place\",\"variant\":\"$v\",\"rep\":$rep,\"error\":\"ftpalgctl failed\"}"
					continue
				fi
				pol=$("$CTL" -n "$NS_R" show 2>&1 | head -n 3 | tr '\n' ' ')
				[ "$rep" = 1 ] && log "place: ftpalg policy: $pol"
			fi
			nop0=$(alg_stat nat_no_port)
			bg_loadgen "$TMPD/place.out" place --server "$PUB4" \
				--conns "$PLACE" --timeout-ms 2000 --max-timeouts 10 --hold 1
			if ! wait_for READY "$TMPD/place.out" 400; then
				log "place $v: no result: $(cat "$TMPD/place.out")"
			fi
			ex=$(expect_n)
			out=$(grep '^RESULT' "$TMPD/place.out")
			log "place rep=$rep $v: $out expectations=$ex"
			stop_loadgen
			emit "{\"section\":\"place\",\"variant\":\"$v\",\"rep\":$rep,\"sessions\":$(num "$(kv established "$out")"),\"replies\":$(num "$(kv replies "$out")"),\"public\":$(num "$(kv public "$out")"),\"placed\":$(num "$(kv placed "$out")"),\"timeouts\":$(num "$(kv timeouts "$out")"),\"expects\":$(num "$ex"),\"total_ms\":$(num "$(kv total_ms "$out")"),\"lat_med_ms\":$(num "$(kv lat_med_ms "$out")"),\"lat_first10_ms\":$(num "$(kv lat_first10_ms "$out")"),\"lat_last10_ms\":$(num "$(kv lat_last10_ms "$out")"),\"nat_no_port\":$(delta "$nop0" "$(alg_stat nat_no_port)")}"
			[ "$v" = ftpalg-window ] && set_window off > /dev/null
			ct_flush
		done
	done
	stop_responder
}

rc=0
for s in insn rate data mem alloc place; do
	has "$s" || continue
	log "section $s"
	"section_$s" || { log "section $s FAILED"; rc=1; }
done
log "done"
exit $rc
