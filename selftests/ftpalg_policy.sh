#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Policy of the ftpalg helper, set with ftpalgctl, against vsftpd + curl and
# a scripted peer (policy_peer.py):
#  - active off: PORT/EPRT refused, passive still works, pending active
#    expectations removed (passive ones and other namespaces' kept)
#  - bounce drop|allow: a PORT/EPRT naming a third host (192.0.2.9, a
#    listener next to the client) is dropped with its retransmissions, or
#    forwarded without any expectation; the third host sees no connection
#  - min-port: PORT/EPRT/227/229 below it refused
#  - passive-window: 227/229 outside it refused, active mode unaffected
#  - passive redirect: a 227 naming another host (vsftpd pasv_address)
#  - passive-map: behind DNAT, a server whose passive range lies outside the
#    window works through a mapped port; without NAT it is still refused
#  - action reset: the client fails fast and both ends are reset
#  - server scopes: most specific prefix wins, unset keys from the default,
#    unset server; an IPv6 scope leaves IPv4 alone
#  - per-namespace isolation: a second router with the same addresses
#  - refusal events (ftpalgctl -j monitor), counters, sessions/expect JSON
#    compared with conntrack -L / conntrack -L expect
#  - privilege: joining the events group needs CAP_NET_ADMIN over the
#    namespace (root without it, a user namespace's root: refused; the
#    root of a user namespace in its own network namespace: allowed);
#    show and stats need nothing, set and stats reset need CAP_NET_ADMIN
#
# Topology (lib.sh) plus: client 192.0.2.9 / 2001:db8:1::9 (third host),
# server 198.51.100.3 (vsftpd "B", passive ports 50000-50100) and
# 198.51.100.4 (vsftpd "R", pasv_address=198.51.100.9), and a second,
# identical client - router - server triple for the isolation checks.
#
# Environment (besides lib.sh's):
#   FTPALG_POLICY_SECTIONS  sections to run, in order (default: all of
#       defaults active bounce minport window redirect reset scopes
#       isolation dnat privilege)
#   FTPALG_POLICY_WAIT      seconds a refused line is given to be answered (2;
#       the line is judged on the refusal's counter and event too)

# shellcheck disable=SC2317 # helpers are called through check/busywait
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

# the tool of this tree, else an installed one (kselftest install layout)
CTL=$SELFTEST_DIR/../tools/ftpalgctl
[ -x "$CTL" ] || CTL=$(command -v ftpalgctl 2>/dev/null || echo "$CTL")
PPEER=$SELFTEST_DIR/policy_peer.py
S4B=198.51.100.3		# vsftpd B: passive ports 50000-50100
S4R=198.51.100.4		# vsftpd R: 227 names 198.51.100.9
REDIR4=198.51.100.9
THIRD4=192.0.2.9		# the bounce target, next to the client
THIRD6=2001:db8:1::9
TPORT=2000			# its listening port
WAIT=${FTPALG_POLICY_WAIT:-2}	# seconds a refused line is given
ANSWER_WAIT=$(scaled 60)	# ... and a line to be answered or reset: a hang

require_base
require_module
is_ftpalg || skip "policy tests need the ftpalg helper"
[ -x "$CTL" ] || skip "ftpalgctl not found (make -C tools)"
require_tools jq
"$CTL" stats >/dev/null 2>&1
[ $? -eq 3 ] && skip "ftpalgctl: module or netlink unavailable"

# ------------------------------------------------------------- helpers

ctl() { "$CTL" -n "$NS_R" "$@"; }

# policy_defaults NETNS: default policy back to the module defaults and no
# server scope.
policy_defaults()
{
	local ns=$1 sc
	"$CTL" -n "$ns" set active on bounce drop min-port 1024 \
		passive-window any passive-map off action drop || return 1
	for sc in $("$CTL" -n "$ns" -j show | jq -r '.policy.scopes[].server'); do
		"$CTL" -n "$ns" unset server "$sc" || return 1
	done
}

# new_case: defaults, empty conntrack table, counter snapshot, event mark.
new_case()
{
	policy_defaults "$NS_R" || ktap_fail "policy reset to defaults"
	nsx "$NS_R" conntrack -F -f ipv4 >/dev/null 2>&1
	nsx "$NS_R" conntrack -F -f ipv6 >/dev/null 2>&1
	nsx "$NS_R" conntrack -F expect >/dev/null 2>&1
	stat_snap
	mon_mark
}

# ---- monitor -j: events captured in the background, one file per router
mon_start()
{
	local ns=$1 file=$2
	"$CTL" -n "$ns" -j monitor > "$file" 2> "$file.err" &
	_pids+=($!)
}

# mon_subscribed NS: a generic netlink socket in NS has joined a
# multicast group (the monitor's; nothing else in a test netns does).
mon_subscribed()
{
	# shellcheck disable=SC2016 # awk's own fields
	nsx "$1" awk '$2 == 16 && $4 != "00000000" { f = 1 } END { exit !f }' \
		/proc/net/netlink
}

mon_mark() { MON_MARK=$(wc -l < "$MON1"); }

# mon_match FILE MARK JQ-CONDITION: an event after line MARK satisfies it.
mon_match()
{
	tail -n +$(($2 + 1)) "$1" | jq -c "select($3)" 2>/dev/null | grep -q .
}

# check_event DESC JQ-CONDITION: an event of router 1 since new_case.
check_event()
{
	local desc=$1 cond=$2
	if busywait 60000 mon_match "$MON1" "$MON_MARK" "$cond"; then
		ktap_pass "$desc"
	else
		ktap_fail "$desc"
		echo "#   wanted: $cond"
		diag "$(tail -n +$((MON_MARK + 1)) "$MON1")"
		diag "$(cat "$MON1.err")"
	fi
}

# check_no_event DESC JQ-CONDITION
check_no_event()
{
	local desc=$1 cond=$2
	sleep 0.5
	if mon_match "$MON1" "$MON_MARK" "$cond"; then
		ktap_fail "$desc"
		diag "$(tail -n +$((MON_MARK + 1)) "$MON1")"
	else
		ktap_pass "$desc"
	fi
}

# ev COND...: jq condition for an event of client 192.0.2.2 or
# 2001:db8:1::2, plus the given "key": value conditions.
ev()
{
	local c out='(.client == "'$C4'" or .client == "'$C6'")'
	for c in "$@"; do
		out="$out and $c"
	done
	echo "$out"
}

# ---- policy_peer session in the client netns
# pp HOST [--wait S] LINE...: output in $PP_OUT, status returned.
pp()
{
	PP_OUT=$TMPD/pp.$RANDOM.log
	pp_to "$PP_OUT" "$@"
}

# pp_to FILE HOST [--wait S] LINE...: same, output to FILE (for "&")
pp_to()
{
	local out=$1 host=$2
	shift 2
	nsx "$NS_C" timeout "$(scaled 900)" "$PYTHON" "$PPEER" session "$host" "$CTRL_PORT" \
		--wait "$WAIT" "$@" > "$out" 2>&1
}

pp_result() { sed -n 's/.*RESULT \([a-z]*\) .*/\1/p' "$PP_OUT"; }
pp_local_port() { sed -n 's/.*local [^ ]* \([0-9]*\)$/\1/p' "$PP_OUT"; }

# pp_start NAME HOST [--wait S] LINE...: session in the background, its
# output in $TMPD/pp.NAME.log.  Independent probes run in parallel.
declare -A _pp_pid
pp_start()
{
	local name=$1
	shift
	pp_to "$TMPD/pp.$name.log" "$@" &
	_pp_pid[$name]=$!
}

# pp_check NAME DESC WANT: wait for session NAME, assert that it ended in
# WANT (ok, noreply, reset, closed); $PP_OUT is its log.
pp_check()
{
	local name=$1 desc=$2 want=$3 got
	wait "${_pp_pid[$name]}"
	PP_OUT=$TMPD/pp.$name.log
	got=$(pp_result)
	if [ "$got" = "$want" ]; then
		ktap_pass "$desc"
		[ -n "${FTPALG_VERBOSE:-}" ] && diag "$(cat "$PP_OUT")"
		return 0
	fi
	ktap_fail "$desc (want $want, got ${got:-nothing})"
	diag "$(cat "$PP_OUT")"
	dump_state
	return 1
}

# check_pp DESC WANT HOST [--wait S] LINE...: one session, in the foreground.
check_pp()
{
	local desc=$1 want=$2
	shift 2
	pp_start fg "$@"
	pp_check fg "$desc" "$want"
}

# check_pp_reply DESC REGEX: a line of the last session matched REGEX.
check_pp_reply()
{
	if grep -qE -- "$2" "$PP_OUT"; then
		ktap_pass "$1"
	else
		ktap_fail "$1"
		echo "#   no line matching: $2"
		diag "$(cat "$PP_OUT")"
	fi
}

port_arg() { echo "${1//./,},$(($2 / 256)),$(($2 % 256))"; }

# ---- curl
# curl_refused port|pasv HOST TMO: a curl download that is to fail, TMO
# seconds at most (x FTPALG_TIME_SCALE); sets CURL_RC and CURL_LOG.
curl_refused()
{
	local -a opt=(--ftp-port - --disable-eprt)
	[ "$1" = pasv ] && opt=(--disable-epsv)
	CURL_LOG=$TMPD/refused.log
	nsx "$NS_C" timeout "$(scaled $(($3 + 10)))" curl -sS -v \
		--max-time "$(scaled "$3")" "${opt[@]}" -o "$TMPD/refused.bin" \
		"ftp://$2:$CTRL_PORT/data.bin" > "$CURL_LOG" 2>&1
	CURL_RC=$?
}

# curl_unanswered CMD: curl sent CMD (PORT, PASV) and received nothing after.
curl_unanswered()
{
	grep -q "^> $1" "$CURL_LOG" && ! sed -n "/^> $1/,\$p" "$CURL_LOG" | grep -q '^< '
}

curl_log_tail() { grep -E '[<>] [A-Z0-9]|curl:|\* (Recv|Send|Connection|Closing)' "$CURL_LOG" | tail -n 12; }

# ---- expectations
# exp_match REGEX: a helper=ftpalg expectation of router 1 matching REGEX.
exp_match() { expect_list | grep "helper=$HELPER" | grep -qE -- "$1"; }

# server_has_conn NS PORT: the server netns has a TCP socket to client PORT.
server_has_conn() { nsx "$1" ss -Htan "dport = :$2" | grep -q .; }

listening_on()
{
	nsx "$1" ss -Hltn | awk '{ print $4 }' | grep -qxF "$2"
}

stat_get_ns()
{
	nsx "$1" cat "$STAT_FILE" 2>/dev/null |
		awk -v k="$2" '$1 == k { print $2; f = 1 } END { if (!f) print "NA" }'
}

refused_sum()
{
	nsx "$1" cat "$STAT_FILE" |
		awk '/^refused_|^resets_sent|^passive_mapped/ { s += $2 } END { print s + 0 }'
}

# Normalised "sessions" / "expect" lists: tool JSON and conntrack -L.
sessions_tool()
{
	"$CTL" -n "$1" -j sessions | jq -r '.sessions[] |
		"\(.family) \(.client) \(.client_port) \(.server) \(.server_port)"' |
		sort
}

sessions_ct()
{
	local f
	for f in ipv4 ipv6; do
		nsx "$1" conntrack -L -f "$f" -p tcp 2>/dev/null |
			grep "helper=$HELPER" | awk -v fam="$f" '{
			s = ""; d = ""; sp = ""; dp = ""
			for (i = 1; i <= NF; i++) {
				n = index($i, "="); if (!n) continue
				k = substr($i, 1, n - 1); v = substr($i, n + 1)
				if (k == "src" && s == "") s = v
				else if (k == "dst" && d == "") d = v
				else if (k == "sport" && sp == "") sp = v
				else if (k == "dport" && dp == "") dp = v
			}
			print fam, s, sp, d, dp }'
	done | sort
}

expect_tool()
{
	"$CTL" -n "$1" -j expect | jq -r '.expectations[] |
		"\(.family) \(.src) \(.dst) \(.dport) \(.master.src) \(.master.dst) \(.master.sport) \(.master.dport)"' |
		sort
}

expect_ct()
{
	local f
	for f in ipv4 ipv6; do
		nsx "$1" conntrack -L expect -f "$f" 2>/dev/null |
			grep "helper=$HELPER" | awk -v fam="$f" '{
			s = ""; d = ""; dp = ""; ms = ""; md = ""; msp = ""; mdp = ""; m = 0
			for (i = 1; i <= NF; i++) {
				n = index($i, "="); if (!n) continue
				k = substr($i, 1, n - 1); v = substr($i, n + 1)
				if (k == "master-src") ms = v
				else if (k == "master-dst") { md = v; m = 1 }
				else if (m && k == "sport" && msp == "") msp = v
				else if (m && k == "dport" && mdp == "") mdp = v
				else if (!m && k == "src" && s == "") s = v
				else if (!m && k == "dst" && d == "") d = v
				else if (!m && k == "dport" && dp == "") dp = v
			}
			print fam, s, d, dp, ms, md, msp, mdp }'
	done | sort
}

# check_same DESC CMD1 CMD2: both print the same non-empty text.
check_same()
{
	local a b
	a=$($2)
	b=$($3)
	if [ -n "$a" ] && [ "$a" = "$b" ]; then
		ktap_pass "$1"
		[ -n "${FTPALG_VERBOSE:-}" ] && diag "$a"
	else
		ktap_fail "$1"
		echo "#   $2:"
		diag "$a"
		echo "#   $3:"
		diag "$b"
	fi
}

# check_no_refusal DESC: no refusal counter moved since new_case.
check_no_refusal()
{
	local k d bad=""
	for k in refused_active_off refused_bounce refused_low_port \
		 refused_passive_window refused_passive_redirect resets_sent; do
		d=$(stat_delta "$k")
		[ "$d" = 0 ] || bad="$bad $k:$d"
	done
	if [ -z "$bad" ]; then
		ktap_pass "$1"
	else
		ktap_fail "$1 (moved:$bad)"
	fi
}

# paused ftp_peer get in the current client netns; PAUSED in $2
peer_pause_start()
{
	local host=$1 out=$2 mode=$3 pf=$4
	nsx "$NS_C" timeout "$(scaled 900)" "$PYTHON" \
		"$SELFTEST_DIR/ftp_peer.py" "$host" "$CTRL_PORT" get --mode "$mode" \
		--expect "$DATA_FILE" --pause-file "$pf" > "$out" 2>&1 &
	PEER_PID=$!
}

# 227 / 229 port a curl log announced
announced_port()
{
	sed -n -e 's/^< 227 .*(\([0-9]*\),\([0-9]*\),\([0-9]*\),\([0-9]*\),\([0-9]*\),\([0-9]*\)).*/\5 \6/p' \
		-e 's/^< 229 .*(|||\([0-9]*\)|).*/\1/p' "$1" |
		awk 'NF == 2 { print $1 * 256 + $2; next } { print $1 }' | tail -n 1
}

in_window() { [ -n "$1" ] && [ "$1" -ge "$2" ] && [ "$1" -le "$3" ]; }

# ------------------------------------------------------------ topology

SECTIONS=${FTPALG_POLICY_SECTIONS:-defaults active bounce minport window redirect reset scopes isolation dnat privilege}
want_section() { [[ " $SECTIONS " == *" $1 "* ]]; }

topo_create
# shellcheck disable=SC2034 # read through use_topo
T1_C=$NS_C T1_R=$NS_R T1_S=$NS_S
if want_section isolation; then
	topo_create
	# shellcheck disable=SC2034 # read through use_topo
	T2_C=$NS_C T2_R=$NS_R T2_S=$NS_S
fi
use_topo()
{
	local cv=T$1_C rv=T$1_R sv=T$1_S
	NS_C=${!cv} NS_R=${!rv} NS_S=${!sv}
}

ftp_root_prepare
if want_section isolation; then
	use_topo 2
	check "router 2: ruleset loads" router_rules nft -150 none || exit 1
	check "router 2: vsftpd started" vsftpd_start t2 4 "$CTRL_PORT" \
		"connect_timeout=4" || exit 1
fi

use_topo 1
ip -n "$NS_C" addr add "$THIRD4/24" dev c0
# deprecated at once: never chosen as the client's own source address
ip -n "$NS_C" addr add "$THIRD6/64" dev c0 nodad preferred_lft 0
ip -n "$NS_S" addr add "$S4B/24" dev s0
ip -n "$NS_S" addr add "$S4R/24" dev s0
check "router 1: ruleset loads" router_rules nft -150 none || exit 1
check "vsftpd A IPv4 started" vsftpd_start a4 4 "$CTRL_PORT" \
	"port_promiscuous=YES" "connect_timeout=4" || exit 1
check "vsftpd A IPv6 started" vsftpd_start a6 6 "$CTRL_PORT" \
	"port_promiscuous=YES" "connect_timeout=4" || exit 1
vsftpd_start b 4 "$CTRL_PORT" "listen_address=$S4B" \
	"pasv_min_port=50000" "pasv_max_port=50100"
check "vsftpd B ($S4B, passive 50000-50100) started" \
	busywait 60000 listening_on "$NS_S" "$S4B:$CTRL_PORT" || exit 1
vsftpd_start r 4 "$CTRL_PORT" "listen_address=$S4R" "pasv_address=$REDIR4"
check "vsftpd R ($S4R, pasv_address=$REDIR4) started" \
	busywait 60000 listening_on "$NS_S" "$S4R:$CTRL_PORT" || exit 1

# the third host: a dual-stack listener in the client netns
nsx "$NS_C" "$PYTHON" "$PPEER" listen "$TPORT" > "$TMPD/third.log" 2>&1 &
_pids+=($!)
check "third host listening on $THIRD4/$THIRD6 port $TPORT" \
	busywait 60000 grep -q LISTENING "$TMPD/third.log"
nsx "$NS_C" "$PYTHON" -c "import socket; socket.create_connection(('$THIRD4', $TPORT), 60).close()"
check "third host: listener logs connections (positive control)" \
	busywait 60000 grep -q "CONNECTION from" "$TMPD/third.log"
third_clean() { ! grep -E "CONNECTION from (198\.51\.100\.|2001:db8:2::)" "$TMPD/third.log"; }

MON1=$TMPD/mon1.jsonl
MON2=$TMPD/mon2.jsonl
mon_start "$T1_R" "$MON1"
MON1_PID=$!
check "router 1: monitor subscribed" busywait 60000 mon_subscribed "$T1_R"
if want_section isolation; then
	mon_start "$T2_R" "$MON2"
	check "router 2: monitor subscribed" busywait 60000 mon_subscribed "$T2_R"
fi

# ------------------------------------------------------ default policy

sec_defaults()
{
	check "show -j: default policy (active on, bounce drop, min-port 1024, window any, map off, action drop, no scope)" \
		sh -c "'$CTL' -n '$NS_R' -j show | jq -e '.policy | .active == true and .bounce == \"drop\" and .min_port == 1024 and .passive_window == null and .passive_map == false and .action == \"drop\" and (.scopes | length) == 0'"
	check "/proc/net/stat/ftpalg and stats -j agree on expect_created" \
		sh -c "test \"\$('$CTL' -n '$NS_R' -j stats | jq .counters.expect_created)\" = \"$(stat_get expect_created)\""
	new_case
	ftp_transfer "defaults: ipv4 active PORT" port "$S4"
	ftp_transfer "defaults: ipv4 passive PASV" pasv "$S4"
	ftp_transfer "defaults: ipv6 passive EPSV" epsv "$S6"
	check_no_refusal "defaults: nothing refused, no reset"
}

# ---------------------------------------------------------- active off

sec_active()
{
	new_case
	ctl set active off
	pp_start a4 "$S4" "TYPE I" "PORT $(port_arg "$C4" 2001)"
	pp_start a6 "$S6" "TYPE I" "EPRT |2|$C6|2002|"
	pp_check a4 "active off: PORT gets no reply" noreply
	pp_check a6 "active off: ipv6 EPRT gets no reply" noreply
	check_stat "active off: PORT and EPRT refused" refused_active_off -ge 2
	check_stat "active off: no expectation created" expect_created -eq 0
	check_event "active off: event {active_off, drop, data 192.0.2.2:2001, scope null}" \
		"$(ev '.reason == "active_off"' '.action == "drop"' '.family == "ipv4"' \
		   ".server == \"$S4\"" '.server_port == 21' ".data == \"$C4\"" \
		   '.data_port == 2001' '.scope == null')"
	check_event "active off: ipv6 event names 2001:db8:1::2 port 2002" \
		"$(ev '.reason == "active_off"' '.family == "ipv6"' ".data == \"$C6\"" '.data_port == 2002')"
	stat_snap
	curl_refused port "$S4" 20
	# 28: curl's own timeout
	if [ "$CURL_RC" -eq 28 ] && curl_unanswered PORT; then
		ktap_pass "active off, action drop: curl's PORT unanswered until its timeout"
	else
		ktap_fail "active off, action drop: curl's PORT unanswered until its timeout (rc $CURL_RC)"
		diag "$(curl_log_tail)"
	fi
	check_stat "active off: curl's PORT refused" refused_active_off -ge 1
	# forget curl's control connection: no orphaned retransmission is judged
	nsx "$NS_R" conntrack -F -f ipv4 >/dev/null 2>&1
	ftp_transfer "active off: ipv4 passive PASV still works" pasv "$S4"
	ftp_transfer "active off: ipv6 passive EPSV still works" epsv "$S6"
	ctl set active on
	ftp_transfer "active on again: ipv4 active EPRT works" eprt "$S4"
}

# ------------------------------------------------------------- bounce

sec_bounce()
{
	local pf pp_pid

	new_case
	pp_start b4 "$S4" "TYPE I" "PORT $(port_arg "$THIRD4" "$TPORT")"
	pp_start b6 "$S6" "TYPE I" "EPRT |2|$THIRD6|$TPORT|"
	pp_check b4 "bounce drop (default): PORT naming $THIRD4 gets no reply" noreply
	pp_check b6 "bounce drop: ipv6 EPRT naming $THIRD6 gets no reply" noreply
	check_stat "bounce drop: both lines refused, retransmissions too" refused_bounce -ge 4
	check_stat "bounce drop: no expectation created" expect_created -eq 0
	check_event "bounce drop: event {bounce, drop, data 192.0.2.9:$TPORT}" \
		"$(ev '.reason == "bounce"' '.action == "drop"' ".server == \"$S4\"" \
		   ".data == \"$THIRD4\"" ".data_port == $TPORT")"
	check_event "bounce drop: ipv6 event names $THIRD6" \
		"$(ev '.reason == "bounce"' '.family == "ipv6"' ".data == \"$THIRD6\"")"

	new_case
	ctl set bounce allow
	pf=$TMPD/pause.bounce
	PP_OUT=$TMPD/pp.bounce.log
	pp_to "$PP_OUT" "$S4" --wait "$ANSWER_WAIT" --pause-file "$pf" "TYPE I" \
		"PORT $(port_arg "$THIRD4" "$TPORT")" "@pause" "RETR data.bin" &
	pp_pid=$!
	if busywait 60000 grep -q PAUSED "$PP_OUT"; then
		check_pp_reply "bounce allow: PORT naming $THIRD4 forwarded (server replied 200)" \
			"PORT .* -> 200"
		if exp_match .; then
			ktap_fail "bounce allow: no expectation for the third host"
			diag "$(expect_list)"
		else
			ktap_pass "bounce allow: no expectation for the third host"
		fi
	else
		ktap_fail "bounce allow: peer reached the pause"
		diag "$(cat "$PP_OUT")"
	fi
	touch "$pf"
	wait "$pp_pid"
	check_pp_reply "bounce allow: the server could not connect to the third host" \
		"RETR data.bin -> 425"
	check_stat "bounce allow: counted as foreign_addr" foreign_addr -eq 1
	check_stat "bounce allow: not refused" refused_bounce -eq 0
	check_stat "bounce allow: no expectation created" expect_created -eq 0
	check_no_event "bounce allow: no refusal event" '.reason == "bounce"'
	check "bounce: the third host saw no connection" third_clean
}

# ----------------------------------------------------------- min-port

sec_minport()
{
	local pf pp_pid

	new_case
	check_pp "min-port 1024 (default): PORT to port 1000 gets no reply" noreply \
		"$S4" "TYPE I" "PORT $(port_arg "$C4" 1000)"
	check_stat "min-port 1024: PORT refused" refused_low_port -ge 1
	check_event "min-port: event {low_port, data_port 1000}" \
		"$(ev '.reason == "low_port"' ".data == \"$C4\"" '.data_port == 1000')"
	ctl set min-port 900
	pf=$TMPD/pause.minport
	PP_OUT=$TMPD/pp.minport.log
	pp_to "$PP_OUT" "$S4" --pause-file "$pf" "TYPE I" "PORT $(port_arg "$C4" 1000)" "@pause" &
	pp_pid=$!
	if busywait 60000 grep -q "PORT .* -> 200" "$PP_OUT" &&
	   busywait 60000 exp_match "dst=$C4 .*dport=1000 "; then
		ktap_pass "min-port 900: PORT to port 1000 accepted, expectation for port 1000"
	else
		ktap_fail "min-port 900: PORT to port 1000 accepted, expectation for port 1000"
		diag "$(cat "$PP_OUT")"
		diag "$(expect_list)"
	fi
	touch "$pf"
	wait "$pp_pid"
	stat_snap
	ctl set min-port 45000
	pp_start m4 "$S4" "PASV"
	pp_start m6 "$S6" "EPSV"
	pp_check m4 "min-port 45000: PASV (227 port 40000-40100) gets no reply" noreply
	pp_check m6 "min-port 45000: ipv6 EPSV gets no reply" noreply
	check_stat "min-port 45000: 227 and 229 refused" refused_low_port -ge 2
	check_event "min-port: event for the 227 names the server's address" \
		"$(ev '.reason == "low_port"' ".data == \"$S4\"" '.data_port >= 40000' '.data_port <= 40100')"
	ftp_transfer "min-port 45000: ipv4 PASV to B (50000-50100) works" pasv "$S4B"
}

# ------------------------------------------------------ passive-window

sec_window()
{
	new_case
	ctl set passive-window 50000-50100
	pp_start w4 "$S4" "PASV"
	pp_start w6 "$S6" "EPSV"
	pp_check w4 "passive-window 50000-50100: PASV to A (40000-40100) gets no reply" noreply
	pp_check w6 "passive-window 50000-50100: ipv6 EPSV to A gets no reply" noreply
	check_stat "passive-window: 227 and 229 refused" refused_passive_window -ge 2
	check_stat "passive-window: nothing mapped without NAT" passive_mapped -eq 0
	check_event "passive-window: event {passive_window, drop, server $S4}" \
		"$(ev '.reason == "passive_window"' '.action == "drop"' ".server == \"$S4\"" \
		   '.data_port >= 40000' '.data_port <= 40100')"
	check_event "passive-window: ipv6 event" \
		"$(ev '.reason == "passive_window"' '.family == "ipv6"' ".server == \"$S6\"")"
	ftp_transfer "passive-window 50000-50100: PASV to B works" pasv "$S4B"
	ftp_transfer "passive-window 50000-50100: EPSV to B works" epsv "$S4B"
	ftp_transfer "passive-window: active PORT to A unaffected" port "$S4"
	ctl set passive-map on
	stat_snap
	check_pp "passive-map on without NAT: PASV to A still refused" noreply "$S4" "PASV"
	check_stat "passive-map on without NAT: refused" refused_passive_window -ge 1
	check_stat "passive-map on without NAT: nothing mapped" passive_mapped -eq 0
	ctl set passive-window 40000-40100 passive-map off
	ftp_transfer "passive-window 40000-40100: PASV to A works" pasv "$S4"
}

# --------------------------------------------------- passive redirect

sec_redirect()
{
	new_case
	check_pp "redirect: PASV to R (227 names $REDIR4) gets no reply" noreply "$S4R" "PASV"
	check_stat "redirect: refused" refused_passive_redirect -ge 1
	check_stat "redirect: no expectation created" expect_created -eq 0
	check_event "redirect: event {passive_redirect, server $S4R, data $REDIR4}" \
		"$(ev '.reason == "passive_redirect"' ".server == \"$S4R\"" ".data == \"$REDIR4\"")"
	ftp_transfer "redirect: EPSV to R (no address in 229) works" epsv "$S4R"
}

# ------------------------------------------------------- action reset

sec_reset()
{
	local cport

	new_case
	ctl set active off action reset
	curl_refused port "$S4" 60
	# 28 would be curl's own timeout: the reset must end it before
	if [ "$CURL_RC" -ne 0 ] && [ "$CURL_RC" -ne 28 ] && grep -q '^> PORT' "$CURL_LOG"; then
		ktap_pass "action reset: curl PORT fails by the reset, not its timeout (rc $CURL_RC)"
	else
		ktap_fail "action reset: curl PORT fails by the reset, not its timeout (rc $CURL_RC)"
		diag "$(curl_log_tail)"
	fi
	check_stat "action reset: reset sent" resets_sent -ge 1
	check_event "action reset: event {active_off, reset}" \
		"$(ev '.reason == "active_off"' '.action == "reset"')"
	check_pp "action reset: PORT -> connection reset" reset "$S4" --wait "$ANSWER_WAIT" \
		"TYPE I" "PORT $(port_arg "$C4" 2003)"
	cport=$(pp_local_port)
	check "action reset: the server's end of the control connection is gone" \
		busywait 60000 eval "! server_has_conn $NS_S $cport"

	ctl set active on passive-window 50000-50100
	stat_snap
	curl_refused pasv "$S4" 60
	if [ "$CURL_RC" -ne 0 ] && [ "$CURL_RC" -ne 28 ] && grep -q '^> PASV' "$CURL_LOG"; then
		ktap_pass "action reset: curl PASV (227 outside the window) fails by the reset, not its timeout (rc $CURL_RC)"
	else
		ktap_fail "action reset: curl PASV (227 outside the window) fails by the reset, not its timeout (rc $CURL_RC)"
		diag "$(curl_log_tail)"
	fi
	check_pp "action reset: 227 refused -> connection reset" reset "$S4" --wait "$ANSWER_WAIT" "PASV"
	cport=$(pp_local_port)
	check "action reset: the server (sender of the 227) was reset too" \
		busywait 60000 eval "! server_has_conn $NS_S $cport"
	check_stat "action reset: two passive refusals, two resets" resets_sent -ge 2
	check_event "action reset: event {passive_window, reset}" \
		"$(ev '.reason == "passive_window"' '.action == "reset"')"
}

# ------------------------------------------------------------- scopes

sec_scopes()
{
	new_case
	ctl set server "$S4" active off
	check_pp "scope $S4/32 active off: PORT to A gets no reply" noreply "$S4" "TYPE I" \
		"PORT $(port_arg "$C4" 2004)"
	check_event "scope: event carries scope $S4/32" \
		"$(ev '.reason == "active_off"' ".server == \"$S4\"" ".scope == \"$S4/32\"")"
	ftp_transfer "scope $S4/32: active PORT to B (default policy) works" port "$S4B"
	ctl set server 198.51.100.0/24 passive-window 50000-50100
	stat_snap
	ftp_transfer "scopes /32 + /24: PASV to A works (window not set on /32: default any)" pasv "$S4"
	ftp_transfer "scopes /32 + /24: PASV to B works (inside the /24 window)" pasv "$S4B"
	check_stat "scopes /32 + /24: no passive refusal" refused_passive_window -eq 0
	check "show -j: two scopes, each with only its own keys" \
		sh -c "'$CTL' -n '$NS_R' -j show | jq -e '.policy.scopes | length == 2 and any(.[]; .server == \"$S4/32\" and .active == false and (has(\"passive_window\") | not)) and any(.[]; .server == \"198.51.100.0/24\" and .passive_window == [50000, 50100] and (has(\"active\") | not))'"
	ctl unset server "$S4/32"
	check_fails "unset of a scope that does not exist fails" ctl unset server "$S4/32"
	check_pp "after unset $S4/32: PASV to A refused by the /24 window" noreply "$S4" "PASV"
	check_event "scope: event carries scope 198.51.100.0/24" \
		"$(ev '.reason == "passive_window"' ".server == \"$S4\"" '.scope == "198.51.100.0/24"')"
	ftp_transfer "after unset $S4/32: active PORT to A works again" port "$S4"
	ctl set server 2001:db8:2::/64 active off action reset
	check_pp "ipv6 scope active off, reset: EPRT to A6 reset" reset "$S6" --wait "$ANSWER_WAIT" \
		"TYPE I" "EPRT |2|$C6|2005|"
	check_event "ipv6 scope: event carries scope 2001:db8:2::/64" \
		"$(ev '.reason == "active_off"' '.action == "reset"' '.scope == "2001:db8:2::/64"')"
	ftp_transfer "ipv6 scope: ipv4 active EPRT to A unaffected" eprt "$S4"
}

# ------------------- active off removes active expectations; isolation;
# ------------------- sessions / expect JSON against conntrack

sec_isolation()
{
	local p1 p2 p3 r1 r2 r3 mon2_mark

	new_case
	use_topo 2
	policy_defaults "$NS_R"
	check "router 2: untouched by router 1's refusals (refusal counters 0)" \
		test "$(refused_sum "$NS_R")" -eq 0
	check "router 2: no event seen" test ! -s "$MON2"
	peer_pause_start "$S4" "$TMPD/p3.log" port "$TMPD/pause.iso"
	p3=$PEER_PID
	use_topo 1
	peer_pause_start "$S4" "$TMPD/p1.log" port "$TMPD/pause.iso"
	p1=$PEER_PID
	peer_pause_start "$S6" "$TMPD/p2.log" epsv "$TMPD/pause.iso"
	p2=$PEER_PID
	if busywait 60000 grep -q PAUSED "$TMPD/p1.log" &&
	   busywait 60000 grep -q PAUSED "$TMPD/p2.log" &&
	   busywait 60000 grep -q PAUSED "$TMPD/p3.log"; then
		ktap_pass "three transfers paused after PORT/EPSV (two via router 1, one via router 2)"
	else
		ktap_fail "three transfers paused after PORT/EPSV (two via router 1, one via router 2)"
		diag "$(cat "$TMPD"/p[123].log)"
	fi
	check "router 1: active and passive expectations listed" \
		sh -c "ip netns exec $NS_R conntrack -L expect -f ipv4 2>/dev/null | grep -q 'dst=$C4 ' &&
		       ip netns exec $NS_R conntrack -L expect -f ipv6 2>/dev/null | grep -q 'dst=$S6 '"
	check_same "sessions -j lists what conntrack -L shows with helper=ftpalg" \
		"sessions_tool $NS_R" "sessions_ct $NS_R"
	check "sessions -j: the two control connections of router 1" \
		test "$(sessions_tool "$NS_R" | wc -l)" -eq 2
	check_same "expect -j lists what conntrack -L expect shows" \
		"expect_tool $NS_R" "expect_ct $NS_R"
	check "expect -j: two expectations in router 1" \
		test "$(expect_tool "$NS_R" | wc -l)" -eq 2
	check_same "router 2: expect -j lists what conntrack -L expect shows" \
		"expect_tool $T2_R" "expect_ct $T2_R"
	check "router 2: one expectation" test "$(expect_tool "$T2_R" | wc -l)" -eq 1

	ctl set active off
	check "active off: the pending PORT expectation is removed" \
		busywait 60000 eval "! exp_match 'dst=$C4 '"
	check "active off: the pending EPSV expectation is kept" exp_match "dst=$S6 "
	check "active off: router 2's PORT expectation is kept" \
		sh -c "ip netns exec $T2_R conntrack -L expect 2>/dev/null | grep -q 'helper=$HELPER'"
	check "router 2: policy still active on" \
		sh -c "'$CTL' -n '$T2_R' -j show | jq -e '.policy.active == true'"
	touch "$TMPD/pause.iso"
	wait "$p1"; r1=$?
	wait "$p2"; r2=$?
	wait "$p3"; r3=$?
	# the failure's evidence: the server's reply that it could not connect
	if [ "$r1" -ne 0 ] && grep -q "server never connected (425 " "$TMPD/p1.log"; then
		ktap_pass "active off: the PORT transfer whose expectation was removed fails"
	else
		ktap_fail "active off: the PORT transfer whose expectation was removed fails (rc $r1)"
		diag "$(cat "$TMPD/p1.log")"
	fi
	if [ "$r2" -eq 0 ]; then
		ktap_pass "active off: the paused EPSV transfer completes"
	else
		ktap_fail "active off: the paused EPSV transfer completes (rc $r2)"
		diag "$(cat "$TMPD/p2.log")"
	fi
	if [ "$r3" -eq 0 ]; then
		ktap_pass "router 2: the paused PORT transfer completes"
	else
		ktap_fail "router 2: the paused PORT transfer completes (rc $r3)"
		diag "$(cat "$TMPD/p3.log")"
	fi

	# the other way round: router 2 refuses passive, router 1 does not
	new_case
	mon2_mark=$(wc -l < "$MON2")
	"$CTL" -n "$T2_R" set passive-window 50000-50100 action reset
	check "router 1: default policy unchanged by router 2's set" \
		sh -c "'$CTL' -n '$NS_R' -j show | jq -e '.policy.passive_window == null and .policy.action == \"drop\"'"
	use_topo 2
	check_pp "router 2: PASV refused by its own window (reset)" reset "$S4" --wait "$ANSWER_WAIT" "PASV"
	check "router 2: refusal counted in router 2" \
		test "$(stat_get_ns "$T2_R" refused_passive_window)" -ge 1
	check "router 2: event on router 2's monitor" \
		busywait 60000 mon_match "$MON2" "$mon2_mark" '.reason == "passive_window" and .action == "reset"'
	use_topo 1
	ftp_transfer "router 1: PASV still works" pasv "$S4"
	check_no_refusal "router 1: nothing refused, no reset"
	check_no_event "router 1: router 2's refusal not on router 1's monitor" '.reason == "passive_window"'
	policy_defaults "$T2_R"
}

# ------------------------------------------------- passive-map behind DNAT

sec_dnat()
{
	local p ap p4 rc

	topo_routes dnat
	check "dnat: ruleset loads" router_rules nft -150 dnat
	new_case
	ctl set passive-window 50000-50100
	check_pp "dnat, window 50000-50100, map off: PASV via $PUB4 refused" noreply "$PUB4" "PASV"
	check_stat "dnat, map off: refused" refused_passive_window -ge 1
	ctl set passive-map on
	stat_snap
	if check "dnat, passive-map on: PASV via $PUB4 works" curl_get pasv "$PUB4"; then
		p=$(announced_port "$TMPD/dl.bin.log")
		check "dnat, passive-map on: the client saw a 227 port inside the window ($p)" \
			in_window "$p" 50000 50100
	else
		dump_state
	fi
	if check "dnat, passive-map on: EPSV via $PUB4 works" curl_get epsv "$PUB4"; then
		p=$(announced_port "$TMPD/dl.bin.log")
		check "dnat, passive-map on: 229 port inside the window ($p)" in_window "$p" 50000 50100
	fi
	check "dnat, passive-map on: ipv6 EPSV via $PUB6 works" curl_get epsv "$PUB6"
	check_stat "dnat, passive-map on: three ports mapped" passive_mapped -eq 3
	check_stat "dnat, passive-map on: nothing refused" refused_passive_window -eq 0
	peer_pause_start "$PUB4" "$TMPD/p4.log" pasv "$TMPD/pause.map"
	p4=$PEER_PID
	if busywait 60000 grep -q PAUSED "$TMPD/p4.log"; then
		ap=$(sed -n "s/.*announced data endpoint $PUB4 port \([0-9]*\).*/\1/p" "$TMPD/p4.log")
		check "dnat, passive-map on: 227 names $PUB4, port $ap inside the window" \
			in_window "$ap" 50000 50100
		check "dnat, passive-map on: expect -j lists the mapped port $ap" \
			sh -c "'$CTL' -n '$NS_R' -j expect | jq -e '.expectations | any(.[]; .dport == ${ap:-0} and .dst == \"$PUB4\")'"
	else
		ktap_fail "dnat, passive-map on: ftp_peer paused after PASV"
		diag "$(cat "$TMPD/p4.log")"
	fi
	touch "$TMPD/pause.map"
	wait "$p4"
	rc=$?
	if [ "$rc" -eq 0 ]; then
		ktap_pass "dnat, passive-map on: ftp_peer transfer through the mapped port"
	else
		ktap_fail "dnat, passive-map on: ftp_peer transfer through the mapped port (rc $rc)"
		diag "$(cat "$TMPD/p4.log")"
	fi
	topo_routes routed
	router_rules nft -150 none
}

# ------------------------------------------------- who may do what

# root, less CAP_NET_ADMIN
NOCAP=(setpriv --inh-caps=-net_admin --bounding-set=-net_admin)

sec_privilege()
{
	local out rc

	check "root: its monitor joined the events group and runs" \
		sh -c "kill -0 $MON1_PID && test ! -s '$MON1.err'"
	out=$(nsx "$NS_R" "${NOCAP[@]}" timeout "$(scaled 60)" "$CTL" monitor 2>&1)
	rc=$?
	check "without CAP_NET_ADMIN: monitor cannot join the events group (exit $rc, want 1)" \
		test "$rc" -eq 1
	check "without CAP_NET_ADMIN: monitor says CAP_NET_ADMIN is needed" \
		grep -q "cannot join the events group: .*(CAP_NET_ADMIN is needed)" <<< "$out"
	out=$(nsx "$NS_R" unshare -U -r timeout "$(scaled 60)" "$CTL" monitor 2>&1)
	rc=$?
	check "root of another user namespace: monitor cannot join the events group (exit $rc, want 1)" \
		test "$rc" -eq 1
	# the root of a container's own user and network namespaces may
	out=$(unshare -U -r -n timeout 3 "$CTL" monitor 2>&1)
	rc=$?
	check "root of a user namespace: monitor of its own network namespace runs (exit $rc, want 124)" \
		test "$rc" -eq 124
	[ "$rc" -eq 124 ] || diag "$out"

	check "without CAP_NET_ADMIN: show works" nsx "$NS_R" "${NOCAP[@]}" "$CTL" show
	check "without CAP_NET_ADMIN: stats works" nsx "$NS_R" "${NOCAP[@]}" "$CTL" stats
	check_fails "without CAP_NET_ADMIN: set refused" \
		nsx "$NS_R" "${NOCAP[@]}" "$CTL" set active off
	check_fails "without CAP_NET_ADMIN: stats reset refused" \
		nsx "$NS_R" "${NOCAP[@]}" "$CTL" stats reset
	check "policy unchanged (active on)" \
		sh -c "'$CTL' -n '$NS_R' -j show | jq -e '.policy.active == true'"
	policy_defaults "$NS_R"
}

for sec in $SECTIONS; do
	echo "# --- $sec"
	"sec_$sec"
done

check "third host never saw a connection" third_clean
check "monitor of router 1 still running" kill -0 "$MON1_PID"

ktap_finish
