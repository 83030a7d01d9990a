#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Shared helpers for the ftpalg selftests: KTAP-style check lines, skip
# logic, network namespaces, the client - router - server topology, router
# rulesets, the vsftpd server and the FTP clients.
#
#   client ns (c0)  ---  (r0) router ns (r1)  ---  (s0) server ns
#   192.0.2.2            192.0.2.1   198.51.100.1      198.51.100.2
#   2001:db8:1::2        2001:db8:1::1 2001:db8:2::1   2001:db8:2::2
#                  public (lo): 203.0.113.1, 2001:db8:3::1
#
# Only documentation prefixes are used (RFC 5737, RFC 3849).
#
# Environment:
#   FTPALG_HELPER   helper under test (default "ftpalg").  Setting it to
#                   "ftp" runs the generic checks against the in-tree helper,
#                   which is how the tests themselves were debugged on a
#                   kernel without the module; ftpalg-only checks then SKIP.
#   FTPALG_TIME_SCALE     multiplies every wait for progress (1; make
#                         check-debug sets 4: KASAN + lockdep under TCG)
#   FTPALG_CLIENT_TIMEOUT seconds a transfer that should work may take
#                         (60 x FTPALG_TIME_SCALE: only a hang waits this
#                         long; a busy 2-core host running an old kernel
#                         under TCG took over 25 s to connect)
#   FTPALG_NEG_TIMEOUT    seconds a transfer that must fail is given
#                         (15 x FTPALG_TIME_SCALE)
#   FTPALG_VERBOSE=1  print command output of passing checks too
#   FTPALG_TIMES=1    print elapsed seconds after every check

ksft_skip=4

SELFTEST_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
FTPALG_MODULE=${FTPALG_MODULE:-nf_conntrack_ftpalg}
HELPER=${FTPALG_HELPER:-ftpalg}
TIME_SCALE=${FTPALG_TIME_SCALE:-1}
CLIENT_TIMEOUT=${FTPALG_CLIENT_TIMEOUT:-$((60 * TIME_SCALE))}
NEG_TIMEOUT=${FTPALG_NEG_TIMEOUT:-$((15 * TIME_SCALE))}
CTRL_PORT=21
PASV_MIN=40000
PASV_MAX=40100

C4=192.0.2.2
R4C=192.0.2.1
R4S=198.51.100.1
S4=198.51.100.2
PUB4=203.0.113.1
C6=2001:db8:1::2
R6C=2001:db8:1::1
R6S=2001:db8:2::1
S6=2001:db8:2::2
PUB6=2001:db8:3::1

# The distribution python: a pyenv shim in PATH is slow to start in the VM.
if [ -x /usr/bin/python3 ]; then PYTHON=/usr/bin/python3; else PYTHON=python3; fi

TMPD=$(mktemp -d /tmp/ftpalg-selftest.XXXXXX) || exit 1
chmod 755 "$TMPD"
DATA_FILE=$TMPD/root/data.bin

_ns_list=()
_pids=()
_ktap_n=0
_ktap_pass=0
_ktap_fail=0
_ktap_skip=0

# ---------------------------------------------------------------- output

diag()
{
	# Indent command output as KTAP diagnostics, last 40 lines only.
	[ -n "$*" ] || return 0
	printf '%s\n' "$*" | tail -n 40 | sed 's/^/#   /'
}

ktap_pass()
{
	_ktap_n=$((_ktap_n + 1)); _ktap_pass=$((_ktap_pass + 1))
	echo "ok $_ktap_n - $*"
	[ -n "${FTPALG_TIMES:-}" ] && echo "#   at ${SECONDS}s"
	return 0
}

ktap_fail()
{
	_ktap_n=$((_ktap_n + 1)); _ktap_fail=$((_ktap_fail + 1))
	echo "not ok $_ktap_n - $*"
	[ -n "${FTPALG_TIMES:-}" ] && echo "#   at ${SECONDS}s"
	return 0
}

ktap_skip()
{
	_ktap_n=$((_ktap_n + 1)); _ktap_skip=$((_ktap_skip + 1))
	echo "ok $_ktap_n - $1 # SKIP ${2:-}"
}

# check DESC CMD...: passes when CMD exits 0.
check()
{
	local desc=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	if [ $rc -eq 0 ]; then
		ktap_pass "$desc"
		[ -n "${FTPALG_VERBOSE:-}" ] && diag "$out"
	else
		ktap_fail "$desc"
		echo "#   command (rc=$rc): $*"
		diag "$out"
	fi
	return $rc
}

# check_fails DESC CMD...: passes when CMD exits non-zero (negative control).
check_fails()
{
	local desc=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	if [ $rc -ne 0 ]; then
		ktap_pass "$desc"
		[ -n "${FTPALG_VERBOSE:-}" ] && diag "$out"
		return 0
	fi
	ktap_fail "$desc"
	echo "#   command unexpectedly succeeded: $*"
	diag "$out"
	return 1
}

# ktap_finish: summary line, plan, exit status (1 if any check failed).
ktap_finish()
{
	echo "# Totals: pass:$_ktap_pass fail:$_ktap_fail skip:$_ktap_skip (${SECONDS}s)"
	echo "1..$_ktap_n"
	[ $_ktap_fail -eq 0 ] || exit 1
	[ $_ktap_n -gt 0 ] && [ $_ktap_skip -eq $_ktap_n ] && exit $ksft_skip
	exit 0
}

skip()
{
	echo "SKIP: $*"
	exit $ksft_skip
}

# scaled SECONDS: a time limit for waiting on progress, on a slow kernel too.
scaled()
{
	echo $(($1 * TIME_SCALE))
}

# Waits poll with builtins only: on a loaded machine a fork per poll costs
# more than the poll.  nap SECONDS sleeps without a fork (a read timing out
# on a FIFO that nobody writes).
mkfifo "$TMPD/sleep.fifo" && exec {SLEEPFD}<>"$TMPD/sleep.fifo" || exit 1
nap() { read -r -t "${1:-0.05}" -u "$SLEEPFD"; return 0; }

# busywait TIMEOUT_MS CMD...: poll CMD every 50 ms until it succeeds,
# TIMEOUT_MS x FTPALG_TIME_SCALE milliseconds of wall-clock time at most.
busywait()
{
	local end t
	t=${EPOCHREALTIME//[!0-9]/}
	end=$((t / 1000 + $1 * TIME_SCALE))
	shift
	while ! "$@"; do
		t=${EPOCHREALTIME//[!0-9]/}
		[ $((t / 1000)) -lt $end ] || return 1
		nap 0.05
	done
}

exists() { [ -e "$1" ]; }

# has FILE STRING: FILE contains STRING (no fork).
has()
{
	local l
	[ -e "$1" ] || return 1
	while IFS= read -r l; do
		[[ $l == *"$2"* ]] && return 0
	done < "$1"
	return 1
}

# ---------------------------------------------------------- requirements

require_root()
{
	[ "$(id -u)" -eq 0 ] || skip "must be run as root"
}

require_tools()
{
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null 2>&1 || skip "$t not found"
	done
}

require_base()
{
	require_root
	require_tools ip nft conntrack timeout cmp curl vsftpd ss "$PYTHON"
	ip netns add "ftpalg-probe-$$" 2>/dev/null || skip "no netns support"
	ip netns del "ftpalg-probe-$$"
}

# Load the module under test (on a real host the user ran "make install";
# in the VM the runner installed it).  With FTPALG_HELPER=ftp nothing to do.
require_module()
{
	is_ftpalg || return 0
	modprobe "$FTPALG_MODULE" 2>/dev/null ||
		skip "cannot load $FTPALG_MODULE (run 'make install' first)"
}

is_ftpalg()
{
	[ "$HELPER" = ftpalg ]
}

# ------------------------------------------------------- cleanup / netns

cleanup()
{
	local p ns pids
	for p in "${_pids[@]}"; do
		kill "$p" 2>/dev/null
	done
	for ns in "${_ns_list[@]}"; do
		pids=$(ip netns pids "$ns" 2>/dev/null)
		# shellcheck disable=SC2086 # list of pids
		[ -n "$pids" ] && kill $pids 2>/dev/null
	done
	for p in "${_pids[@]}"; do
		wait "$p" 2>/dev/null
	done
	for ns in "${_ns_list[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "$TMPD"
}
trap cleanup EXIT
# run the EXIT trap (cleanup) also when killed by the runner's timeout
trap 'exit 130' INT
trap 'exit 143' TERM

nsx()
{
	local ns=$1
	shift
	ip netns exec "$ns" "$@"
}

# topo_create: three namespaces with random suffix and the veth links.
topo_create()
{
	local sfx ns
	sfx=$(mktemp -u XXXXXXXX)
	NS_C=ftpalg-c-$sfx
	NS_R=ftpalg-r-$sfx
	NS_S=ftpalg-s-$sfx
	for ns in "$NS_C" "$NS_R" "$NS_S"; do
		ip netns add "$ns" || skip "cannot create netns $ns"
		_ns_list+=("$ns")
		ip -n "$ns" link set lo up
	done
	ip link add c0 netns "$NS_C" type veth peer name r0 netns "$NS_R" ||
		skip "no veth support"
	ip link add s0 netns "$NS_S" type veth peer name r1 netns "$NS_R" ||
		skip "no veth support"

	ip -n "$NS_C" addr add "$C4/24" dev c0
	ip -n "$NS_C" addr add "$C6/64" dev c0 nodad
	ip -n "$NS_R" addr add "$R4C/24" dev r0
	ip -n "$NS_R" addr add "$R6C/64" dev r0 nodad
	ip -n "$NS_R" addr add "$R4S/24" dev r1
	ip -n "$NS_R" addr add "$R6S/64" dev r1 nodad
	ip -n "$NS_R" addr add "$PUB4/32" dev lo
	ip -n "$NS_R" addr add "$PUB6/128" dev lo nodad
	ip -n "$NS_S" addr add "$S4/24" dev s0
	ip -n "$NS_S" addr add "$S6/64" dev s0 nodad
	ip -n "$NS_C" link set c0 up
	ip -n "$NS_R" link set r0 up
	ip -n "$NS_R" link set r1 up
	ip -n "$NS_S" link set s0 up
	nsx "$NS_R" sysctl -qw net.ipv4.ip_forward=1
	nsx "$NS_R" sysctl -qw net.ipv6.conf.all.forwarding=1
	# Conntrack keeps the kernel's defaults, as on a real router:
	# nf_conntrack_tcp_loose=1 (mid-stream pickup), tcp_be_liberal=0.
	topo_routes routed
}

# topo_routes routed|snat|dnat
#   routed: everybody routes everything through the router.
#   snat:   the server only knows the router's public prefix, so a data
#           connection to the client's real (private) address cannot work.
#   dnat:   the client only knows the public prefix, so a 227 naming the
#           server's real (private) address cannot work.
topo_routes()
{
	local ns
	for ns in "$NS_C" "$NS_S"; do
		ip -n "$ns" -4 route flush proto boot
		ip -n "$ns" -6 route flush proto boot
	done
	case $1 in
	routed|snat)
		ip -n "$NS_C" route add default via "$R4C"
		ip -n "$NS_C" -6 route add default via "$R6C"
		;;
	dnat)
		ip -n "$NS_C" route add 203.0.113.0/24 via "$R4C"
		ip -n "$NS_C" -6 route add 2001:db8:3::/64 via "$R6C"
		;;
	esac
	case $1 in
	routed|dnat)
		ip -n "$NS_S" route add default via "$R4S"
		ip -n "$NS_S" -6 route add default via "$R6S"
		;;
	snat)
		ip -n "$NS_S" route add 203.0.113.0/24 via "$R4S"
		ip -n "$NS_S" -6 route add 2001:db8:3::/64 via "$R6S"
		;;
	esac
}

# The router's links, each end: "NETNS DEVICE" (netem on a device's egress).
_link_ends()
{
	echo "$NS_C c0"
	echo "$NS_R r0"
	echo "$NS_R r1"
	echo "$NS_S s0"
}

# links_impair NETEM-ARGS...: the same netem qdisc on both router links in
# both directions (egress of c0, r0, r1 and s0), e.g. "delay 10ms 5ms loss
# 1%".  Fails when a qdisc cannot be set (no sch_netem).
links_impair()
{
	local ns dev
	while read -r ns dev; do
		ip netns exec "$ns" tc qdisc replace dev "$dev" root netem "$@" ||
			return 1
	done < <(_link_ends)
}

# links_clear: back to unimpaired links.
links_clear()
{
	local ns dev
	while read -r ns dev; do
		ip netns exec "$ns" tc qdisc del dev "$dev" root 2>/dev/null
	done < <(_link_ends)
	return 0
}

# links_show: the netem statistics of every link end (what was impaired).
links_show()
{
	local ns dev
	while read -r ns dev; do
		echo "$dev: $(ip netns exec "$ns" tc -s qdisc show dev "$dev" |
			tr -s ' \n' ' ')"
	done < <(_link_ends)
}

# ------------------------------------------------------- router rulesets

# router_rules ATTACH PRIO NAT
#   ATTACH: nft   helper object "$HELPER" set for tcp dport 21 at PRIO
#           ipt   iptables/ip6tables -t raw ... -j CT --helper "$HELPER"
#           both  nft: "$HELPER" for dport 21 and in-tree "ftp" for 2121
#           none  no helper at all (negative control)
#   PRIO:   prerouting priority of the helper chain, e.g. -150 (mangle:
#           after conntrack at -200, which "ct helper set" needs, and before
#           dstnat at -100) or 0 (after dstnat).  -300 (raw) would be
#           before conntrack, where "ct helper set" has no conntrack to act on
#   NAT:    none | snat (ip: snat to 203.0.113.1, ip6: masquerade)
#           | masq (masquerade both) | dnat (203.0.113.1:21 -> server:21,
#           and :2121 for the in-tree helper of "both")
# The forward chain drops everything except established/related traffic
# and new control connections client -> server, so a data connection can
# only pass as RELATED to an expectation.  Named counters related_alg /
# related_ftp count packets of RELATED connections whose master uses the
# helper "$HELPER" / "ftp".
router_rules()
{
	local attach=$1 prio=$2 nat=$3
	nsx "$NS_R" nft flush ruleset || return 1
	{
		echo "table inet ftpalg_sel {"
		case $attach in
		nft|both)
			echo "  ct helper alg { type \"$HELPER\" protocol tcp; }"
			;;
		esac
		[ "$attach" = both ] &&
			echo "  ct helper intree { type \"ftp\" protocol tcp; }"
		echo "  counter related_alg { }"
		echo "  counter related_ftp { }"
		echo "  chain hlp_pre {"
		echo "    type filter hook prerouting priority $prio; policy accept;"
		case $attach in
		nft|both) echo "    tcp dport $CTRL_PORT ct helper set \"alg\"" ;;
		esac
		[ "$attach" = both ] &&
			echo "    tcp dport 2121 ct helper set \"intree\""
		echo "  }"
		echo "  chain filter_fwd {"
		echo "    type filter hook forward priority filter; policy drop;"
		echo "    ct state related ct helper \"$HELPER\" counter name \"related_alg\""
		echo "    ct state related ct helper \"ftp\" counter name \"related_ftp\""
		echo "    ct state established,related accept"
		echo "    iifname \"r0\" oifname \"r1\" ct state new tcp dport { $CTRL_PORT, 2121 } accept"
		echo "  }"
		case $nat in
		dnat)
			echo "  chain nat_pre {"
			echo "    type nat hook prerouting priority dstnat; policy accept;"
			echo "    iifname \"r0\" ip daddr $PUB4 tcp dport { $CTRL_PORT, 2121 } dnat ip to $S4"
			echo "    iifname \"r0\" ip6 daddr $PUB6 tcp dport { $CTRL_PORT, 2121 } dnat ip6 to $S6"
			echo "  }"
			;;
		snat)
			echo "  chain nat_post {"
			echo "    type nat hook postrouting priority srcnat; policy accept;"
			echo "    oifname \"r1\" meta nfproto ipv4 snat ip to $PUB4"
			echo "    oifname \"r1\" meta nfproto ipv6 masquerade"
			echo "  }"
			;;
		masq)
			echo "  chain nat_post {"
			echo "    type nat hook postrouting priority srcnat; policy accept;"
			echo "    oifname \"r1\" masquerade"
			echo "  }"
			;;
		esac
		echo "}"
	} > "$TMPD/ruleset.nft"
	nsx "$NS_R" nft -f "$TMPD/ruleset.nft" || { cat "$TMPD/ruleset.nft"; return 1; }
	if [ "$attach" = ipt ]; then
		nsx "$NS_R" iptables -t raw -A PREROUTING -p tcp --dport "$CTRL_PORT" \
			-j CT --helper "$HELPER" || return 1
		nsx "$NS_R" ip6tables -t raw -A PREROUTING -p tcp --dport "$CTRL_PORT" \
			-j CT --helper "$HELPER" || return 1
	fi
	# start every configuration from an empty conntrack table
	nsx "$NS_R" conntrack -F -f ipv4 >/dev/null 2>&1
	nsx "$NS_R" conntrack -F -f ipv6 >/dev/null 2>&1
	nsx "$NS_R" conntrack -F expect >/dev/null 2>&1
	return 0
}

# nft_counter NAME: packets of a named counter in the router.
nft_counter()
{
	nsx "$NS_R" nft list counter inet ftpalg_sel "$1" |
		sed -n 's/.*packets \([0-9]*\).*/\1/p'
}

# expect_list: the router's expectation table.
expect_list()
{
	nsx "$NS_R" conntrack -L expect -f ipv4 2>/dev/null
	nsx "$NS_R" conntrack -L expect -f ipv6 2>/dev/null
}

expect_count()
{
	expect_list | grep -c 'proto=6'
}

# ------------------------------------------------------------- counters

STAT_FILE=/proc/net/stat/ftpalg

stat_get()
{
	nsx "$NS_R" cat "$STAT_FILE" 2>/dev/null |
		awk -v k="$1" '$1 == k { print $2; f = 1 } END { if (!f) print "NA" }'
}

# stat_snap: remember all counters of the router netns.
stat_snap()
{
	nsx "$NS_R" cat "$STAT_FILE" > "$TMPD/stat.snap" 2>/dev/null
}

stat_delta()
{
	local now before
	now=$(stat_get "$1")
	before=$(awk -v k="$1" '$1 == k { print $2 }' "$TMPD/stat.snap")
	[ "$now" = NA ] || [ -z "$before" ] && { echo NA; return; }
	echo $((now - before))
}

# check_stat DESC NAME OP VALUE: assert on the change of counter NAME since
# the last stat_snap, e.g. check_stat "..." nat_rewrite -ge 1.
check_stat()
{
	local desc=$1 name=$2 op=$3 val=$4 d
	if ! is_ftpalg; then
		ktap_skip "$desc" "counters exist only for ftpalg"
		return 0
	fi
	d=$(stat_delta "$name")
	if [ "$d" != NA ] && test "$d" "$op" "$val"; then
		ktap_pass "$desc ($name +$d)"
		return 0
	fi
	ktap_fail "$desc ($name delta $d, want $op $val)"
	diag "$(nsx "$NS_R" cat "$STAT_FILE" 2>&1)"
	return 1
}

# stat_deltas [REGEX]: "name +delta" of every counter (matching REGEX)
# that changed since the last stat_snap, on one line.
stat_deltas()
{
	local re=${1:-.}
	nsx "$NS_R" cat "$STAT_FILE" 2>/dev/null |
		awk -v re="$re" 'NR == FNR { b[$1] = $2; next }
			$1 ~ re && $2 != b[$1] { printf "%s%s +%d", s, $1, $2 - b[$1]; s = " " }
			END { print "" }' "$TMPD/stat.snap" -
}

# Counters without forks, for tests that check many per case: a process
# in the router's namespace lends its /proc/PID/net/stat/ftpalg.
# router_counters_init (after topo_create); stat_read ARRAY copies the
# counters into an associative array; the case's start goes into ST0, its
# end into ST1, and cs / cs_sum / st_deltas compare the two.
declare -A ST0 ST1
router_counters_init()
{
	ip netns exec "$NS_R" sleep 100000 &
	R_PID=$!
	_pids+=("$R_PID")
}

stat_read()
{
	local -n _a=$1
	local k v
	_a=()
	while read -r k v; do
		_a[$k]=$v
	done < "/proc/$R_PID/net/stat/ftpalg"
}

# cs DESC NAME OP VALUE: assert on the change of counter NAME from ST0 to ST1.
cs()
{
	local desc=$1 name=$2 op=$3 val=$4 d
	d=$(( ${ST1[$name]:-0} - ${ST0[$name]:-0} ))
	if [ -n "${ST1[$name]}" ] && test "$d" "$op" "$val"; then
		ktap_pass "$desc ($name +$d)"
		return 0
	fi
	ktap_fail "$desc ($name delta $d, want $op $val)"
	st_deltas
	return 1
}

# cs_sum DESC OP VALUE NAME...: the same for a sum of counters.
cs_sum()
{
	local desc=$1 op=$2 val=$3 d=0 n
	shift 3
	for n in "$@"; do
		d=$((d + ${ST1[$n]:-0} - ${ST0[$n]:-0}))
	done
	if test "$d" "$op" "$val"; then
		ktap_pass "$desc ($* +$d)"
	else
		ktap_fail "$desc ($* delta $d, want $op $val)"
	fi
}

# st_deltas: the counters that changed from ST0 to ST1, as diagnostics.
st_deltas()
{
	local k
	for k in "${!ST1[@]}"; do
		[ "${ST1[$k]}" != "${ST0[$k]}" ] && echo "#   $k +$((ST1[$k] - ST0[$k]))"
	done
	return 0
}

# check_no_refusal DESC: no refused_* counter changed since the last stat_snap.
check_no_refusal()
{
	local desc=$1 d
	if ! is_ftpalg; then
		ktap_skip "$desc" "counters exist only for ftpalg"
		return 0
	fi
	if [ ! -s "$TMPD/stat.snap" ]; then
		ktap_fail "$desc (no counters in $STAT_FILE)"
		return 1
	fi
	d=$(stat_deltas '^refused_')
	if [ -z "$d" ]; then
		ktap_pass "$desc"
		return 0
	fi
	ktap_fail "$desc ($d)"
	return 1
}

# dump_state: diagnostics after a failed transfer.
dump_state()
{
	echo "# --- router state"
	diag "$(nsx "$NS_R" cat "$STAT_FILE" 2>&1)"
	diag "$(expect_list)"
	diag "$(nsx "$NS_R" conntrack -L -f ipv4 2>&1; nsx "$NS_R" conntrack -L -f ipv6 2>&1)"
	diag "$(dmesg 2>/dev/null | tail -n 5)"
}

# ------------------------------------------------------------ FTP server

ftp_root_prepare()
{
	mkdir -p "$TMPD/root" "$TMPD/empty"
	chmod 755 "$TMPD/root" "$TMPD/empty"
	head -c 307200 /dev/urandom > "$DATA_FILE"
	chmod 644 "$DATA_FILE"
}

# vsftpd_start NAME 4|6 PORT [extra config lines...]
# Runs vsftpd in the server netns on its IPv4 or IPv6 address.  Sessions
# and transfers never time out on a slow machine (a paused transfer
# outlived vsftpd's 60 s idle timeout under load); connect/accept stay
# short: a refused data connection's 425 is the evidence negative cases
# wait for.
vsftpd_start()
{
	local name=$1 fam=$2 port=$3 conf pid
	shift 3
	[ -f "$DATA_FILE" ] || ftp_root_prepare
	conf=$TMPD/vsftpd-$name.conf
	{
		if [ "$fam" = 4 ]; then
			echo "listen=YES"
			echo "listen_ipv6=NO"
			echo "listen_address=$S4"
		else
			echo "listen=NO"
			echo "listen_ipv6=YES"
			echo "listen_address6=$S6"
		fi
		cat <<-EOF
		listen_port=$port
		background=NO
		anonymous_enable=YES
		no_anon_password=YES
		local_enable=NO
		write_enable=NO
		anon_root=$TMPD/root
		secure_chroot_dir=$TMPD/empty
		seccomp_sandbox=NO
		isolate=NO
		isolate_network=NO
		pasv_enable=YES
		pasv_min_port=$PASV_MIN
		pasv_max_port=$PASV_MAX
		pasv_addr_resolve=NO
		port_enable=YES
		connect_from_port_20=NO
		xferlog_enable=NO
		dirmessage_enable=NO
		use_localtime=NO
		idle_session_timeout=3600
		data_connection_timeout=300
		connect_timeout=15
		accept_timeout=15
		EOF
		printf '%s\n' "$@"
	} > "$conf"
	nsx "$NS_S" vsftpd "$conf" > "$TMPD/vsftpd-$name.log" 2>&1 &
	pid=$!
	_pids+=("$pid")
	eval "VSFTPD_PID_$name=$pid"
	if ! busywait 60000 listening "$NS_S" "$port"; then
		echo "# vsftpd $name did not start"
		diag "$(cat "$TMPD/vsftpd-$name.log")"
		return 1
	fi
}

# ftp_test_setup: what the transfer tests start with: the modules, the
# three namespaces, the FTP root, vsftpd on IPv4 and IPv6 (exits if a
# server does not start).
ftp_test_setup()
{
	require_base
	require_module
	topo_create
	ftp_root_prepare
	check "vsftpd IPv4 started" vsftpd_start v4 4 "$CTRL_PORT" || exit 1
	check "vsftpd IPv6 started" vsftpd_start v6 6 "$CTRL_PORT" || exit 1
}

vsftpd_stop()
{
	local var="VSFTPD_PID_$1"
	[ -n "${!var:-}" ] || return 0
	kill "${!var}" 2>/dev/null
	wait "${!var}" 2>/dev/null
	eval "VSFTPD_PID_$1="
}

listening()
{
	nsx "$1" ss -Hltn "sport = :$2" | grep -q LISTEN
}

# ------------------------------------------------------------ FTP clients

url_host()
{
	case $1 in
	*:*) echo "[$1]" ;;
	*) echo "$1" ;;
	esac
}

# curl_get MODE HOST [PORT [OUT [TIMEOUT]]]: download data.bin with curl
# from the client netns and compare it with the original.
#   port: active PORT, eprt: active EPRT, pasv: PASV using the announced
#   address (not curl's default of the control connection's), epsv: EPSV.
curl_get()
{
	curl_get_file data.bin "$@"
}

# curl_mode_opts MODE: curl's options for data connection mode MODE
# (port, eprt, pasv, epsv) into the array CURL_MODE_OPTS.
curl_mode_opts()
{
	case $1 in
	port) CURL_MODE_OPTS=(--ftp-port - --disable-eprt) ;;
	eprt) CURL_MODE_OPTS=(--ftp-port -) ;;
	pasv) CURL_MODE_OPTS=(--disable-epsv --no-ftp-skip-pasv-ip) ;;
	epsv) CURL_MODE_OPTS=(--ftp-skip-pasv-ip) ;;
	*) echo "bad mode $1"; return 1 ;;
	esac
}

# curl_get_file FILE MODE HOST [PORT [OUT [TIMEOUT]]]: curl_get for FILE of
# the server's root.  The transfer must have used MODE's command and no
# other: on an error reply curl falls back from EPSV to PASV and from EPRT
# to PORT, which would hide a failure of the mode under test.  With
# CURL_STALL set, curl also gives up after that many seconds without a
# byte (a stalled transfer), however long TIMEOUT is.
curl_get_file()
{
	local file=$1 mode=$2 host=$3 port=${4:-$CTRL_PORT} out=${5:-$TMPD/dl.bin}
	local tmo=${6:-$CLIENT_TIMEOUT} want=${mode^^} not
	local -a stall=()
	[ -n "${CURL_STALL:-}" ] && stall=(--speed-limit 1 --speed-time "$CURL_STALL")
	curl_mode_opts "$mode" || return 2
	case $mode in
	port) not=EPRT ;;
	eprt) not=PORT ;;
	pasv) not=EPSV ;;
	epsv) not=PASV ;;
	esac
	rm -f "$out"
	nsx "$NS_C" timeout $((tmo + 5)) curl -sS -v --max-time "$tmo" \
		--connect-timeout "$tmo" "${stall[@]}" "${CURL_MODE_OPTS[@]}" -o "$out" \
		"ftp://$(url_host "$host"):$port/$file" > "$out.log" 2>&1
	local rc=$?
	if [ $rc -ne 0 ]; then
		grep -E '^(< [0-9]|> [A-Z]|curl:|\* +(Connect|Trying|Failed|Connected))' "$out.log" | tail -n 25
		echo "curl exit $rc"
		return 1
	fi
	cmp "$out" "$TMPD/root/$file" || return 1
	if ! grep -q "^> $want" "$out.log" || grep -q "^> $not" "$out.log"; then
		grep -E '^(< [0-9]|> [A-Z])' "$out.log" | tail -n 25
		echo "curl did not use $want (only)"
		return 1
	fi
	echo "transfer ok ($(stat -c %s "$out") bytes, $want)"
}

# ftp_transfer MODE HOST [PORT]: one curl transfer that must succeed; on
# failure the router state is dumped.  Also asserts that the data
# connection was RELATED through the helper under test.
ftp_transfer()
{
	local desc=$1 mode=$2 host=$3 port=${4:-$CTRL_PORT} before after
	before=$(nft_counter related_alg)
	if check "$desc" curl_get "$mode" "$host" "$port"; then
		after=$(nft_counter related_alg)
		if [ "${after:-0}" -gt "${before:-0}" ]; then
			ktap_pass "$desc: data connection RELATED via $HELPER"
		else
			ktap_fail "$desc: data connection RELATED via $HELPER (counter $before -> $after)"
		fi
	else
		ktap_skip "$desc: data connection RELATED via $HELPER" "transfer failed"
		dump_state
	fi
}

# peer ARGS...: run ftp_peer.py in the client netns.
peer()
{
	nsx "$NS_C" timeout $((CLIENT_TIMEOUT * 2)) "$PYTHON" "$SELFTEST_DIR/ftp_peer.py" "$@"
}

# peer_paused DESC HOST MODE REGEX [ftp_peer get args...]
# Runs a get that pauses after the PORT/PASV exchange; while it waits,
# asserts that the router holds an expectation created by the helper whose
# "conntrack -L expect" line also matches REGEX (may be empty), then lets
# the transfer finish and asserts that it succeeded.  The peer's output is
# left in $PEER_OUT.
peer_paused()
{
	local desc=$1 host=$2 mode=$3 re=$4 pf out pid rc
	shift 4
	pf=$TMPD/pause.$RANDOM
	out=$TMPD/peer.$RANDOM.log
	# shellcheck disable=SC2034 # used by the test scripts
	PEER_OUT=$out
	nsx "$NS_R" conntrack -F expect >/dev/null 2>&1
	peer "$host" "$CTRL_PORT" get --mode "$mode" --expect "$DATA_FILE" \
		--pause-file "$pf" "$@" > "$out" 2>&1 &
	pid=$!
	if busywait $((CLIENT_TIMEOUT * 1000)) grep -q PAUSED "$out"; then
		if expect_list | grep "helper=$HELPER" | grep -qE -- "${re:-.}"; then
			ktap_pass "$desc: expectation listed during transfer${re:+ (matching $re)}"
			[ -n "${FTPALG_VERBOSE:-}" ] && diag "$(expect_list)"
		else
			ktap_fail "$desc: expectation listed during transfer${re:+ (matching $re)}"
			diag "$(expect_list)"
		fi
	else
		ktap_fail "$desc: peer reached the pause"
	fi
	touch "$pf"
	wait "$pid"
	rc=$?
	if [ $rc -eq 0 ]; then
		ktap_pass "$desc: transfer"
		[ -n "${FTPALG_VERBOSE:-}" ] && diag "$(cat "$out")"
	else
		ktap_fail "$desc: transfer (rc=$rc)"
		diag "$(cat "$out")"
		dump_state
	fi
	return $rc
}

# ------------------------------------------ raw peers and expectations
# raw_peer.py in batch mode: one fake server and one fake client process
# for all scenarios of a test (a scenario is a few files in $BATCH), so
# that a scenario costs no interpreter start.  The router's expectations
# are read through the namespace process of router_counters_init.

RAW=$SELFTEST_DIR/raw_peer.py
export RAW_PEER_SYNC=$TMPD/sync
mkdir -p "$RAW_PEER_SYNC"
EXP=()

# raw_peers_start: the batch peers (after topo_create).  RAW_TIMEOUT, if
# set, is the seconds both sides wait for a line or a connection.
raw_peers_start()
{
	BATCH=$TMPD/batch
	K=0
	mkdir -p "$BATCH"
	nsx "$NS_S" "$PYTHON" "$RAW" batch server "$BATCH" > "$TMPD/batch-server.log" 2>&1 &
	_pids+=("$!")
	nsx "$NS_C" "$PYTHON" "$RAW" batch client "$BATCH" > "$TMPD/batch-client.log" 2>&1 &
	_pids+=("$!")
}

# split_steps [server steps...] -- [client steps...]: the server's steps
# in SERVER_STEPS, the client's in CLIENT_STEPS.
split_steps()
{
	SERVER_STEPS=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		SERVER_STEPS+=("$1")
		shift
	done
	shift
	CLIENT_STEPS=("$@")
}

# pair_start NAME SERVER-ADDR [server steps...] -- [client steps...]
# Scenario K for the batch peers: the server listens on SERVER-ADDR port
# 21 and records what it receives in $P_REC; the client connects to it.
pair_start()
{
	local addr
	local -a pre=()
	P_NAME=$1 addr=$2
	shift 2
	split_steps "$@"
	[ -n "${RAW_TIMEOUT:-}" ] && pre=("timeout:$RAW_TIMEOUT")
	K=$((K + 1))
	P_SLOG=$TMPD/$P_NAME.srv
	P_CLOG=$TMPD/$P_NAME.cli
	P_REC=$TMPD/$P_NAME.rec
	: > "$P_REC"
	printf '%s\0' "$P_SLOG" --listen "$addr" --record "$P_REC" \
		"${pre[@]}" "${SERVER_STEPS[@]}" > "$BATCH/$K.server"
	: > "$BATCH/$K.server.go"
	printf '%s\0' "$P_CLOG" "$addr" "${pre[@]}" "${CLIENT_STEPS[@]}" > "$BATCH/$K.client"
	: > "$BATCH/$K.client.go"
}

# nft_inner_payload NS: nft in NS can match on the inner header (`@ih`,
# Linux 5.16+), which the cases that drop or queue chosen segments need.
nft_inner_payload()
{
	nsx "$1" nft -f - >/dev/null 2>&1 <<-EOF || return 1
	table inet ftpalg_ih_probe {
		chain c {
			type filter hook forward priority 0; policy accept;
			tcp dport 1 @ih,0,8 0x1 accept
		}
	}
	EOF
	nsx "$1" nft delete table inet ftpalg_ih_probe
}

server_settled()
{
	exists "$BATCH/$K.server.rc" || has "$P_SLOG" "STEPS OK"
}

# pair_wait: the exit status of both sides in CRC and SRC ("timeout" if
# a side did not end; a server still serving is stopped), the router's
# counters in ST1.
# shellcheck disable=SC2034 # CRC and SRC are for the test scripts
pair_wait()
{
	CRC=timeout SRC=timeout
	if busywait 150000 exists "$BATCH/$K.client.rc"; then
		read -r CRC < "$BATCH/$K.client.rc"
	else
		: > "$BATCH/$K.abort"
		echo "# $P_NAME: the client did not finish"
		diag "$(tail -n 5 "$TMPD/batch-client.log" "$P_CLOG" 2>&1)"
		busywait 10000 exists "$BATCH/$K.client.rc" && read -r CRC < "$BATCH/$K.client.rc"
	fi
	# a server still in a step may be behind the client on a loaded
	# machine; one serving on ends when the client's close reaches it,
	# and is stopped if that does not come soon (a dropped FIN)
	if ! busywait 150000 server_settled; then
		: > "$BATCH/$K.abort"
		echo "# $P_NAME: the server did not finish its steps"
	fi
	if ! busywait 3000 exists "$BATCH/$K.server.rc"; then
		: > "$BATCH/$K.abort"
		busywait 10000 exists "$BATCH/$K.server.rc" ||
			diag "$(tail -n 5 "$TMPD/batch-server.log" "$P_SLOG" 2>&1)"
	fi
	[ -e "$BATCH/$K.server.rc" ] && read -r SRC < "$BATCH/$K.server.rc"
	stat_read ST1
}

# server_ran_steps: the scenario's server ran all its steps (it may still
# have been serving when it was stopped).
server_ran_steps()
{
	! has "$P_SLOG" FAIL && { [ "$SRC" = 0 ] || has "$P_SLOG" "STEPS OK"; }
}

peer_logs()
{
	diag "$(tail -n 14 "$P_CLOG")"
	diag "$(tail -n 14 "$P_SLOG")"
}

# at_pause NAME: wait until one side printed "PAUSED NAME"; release NAME
# lets it go on.
at_pause()
{
	busywait 60000 has_pause "$1" && return 0
	ktap_fail "$P_NAME: reached pause $1"
	peer_logs
	return 1
}

has_pause() { has "$P_CLOG" "PAUSED $1" || has "$P_SLOG" "PAUSED $1"; }
release() { : > "$RAW_PEER_SYNC/$1"; }

exp_read() { mapfile -t EXP < "/proc/$R_PID/net/nf_conntrack_expect"; }

# exp_n REGEX: expectations of the helper under test (as last read)
# matching REGEX.
exp_n()
{
	local l n=0
	for l in "${EXP[@]}"; do
		[[ $l == *" $HELPER/"* || $l == *" $HELPER" ]] || continue
		[[ $l =~ ${1:-.} ]] && n=$((n + 1))
	done
	echo $n
}

# check_exp DESC REGEX OP N: assert on the number of matching expectations
# (read now).
check_exp()
{
	local desc=$1 re=$2 op=$3 n=$4 got l
	exp_read
	got=$(exp_n "$re")
	if test "$got" "$op" "$n"; then
		ktap_pass "$desc ($got)"
		return 0
	fi
	ktap_fail "$desc (got $got, want $op $n)"
	for l in "${EXP[@]}"; do echo "#   $l"; done
	return 1
}

# dp N: regex for the data port of an expectation.
dp() { echo "dport=$1( |\$)"; }
