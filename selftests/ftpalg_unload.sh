#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Module unload/reload while FTP sessions are live:
#  - rate-limited vsftpd transfers (active and passive, IPv4 and IPv6,
#    routed and through SNAT) are in flight, further control connections
#    hold pending expectations (PORT accepted, PASV answered) and one
#    control connection keeps sending PORT/NOOP through the helper, when
#    the helper is detached and the module removed;
#  - rmmod must be refused while an nft ct helper object references it;
#  - afterwards no ftpalg expectation or helper reference is left, the
#    transfers in flight complete intact, the busy control connection still
#    works, and after modprobe a fresh transfer succeeds (RELATED);
#  - load/unload repeated with pending expectations; refcounts checked;
#  - while the module goes, refused PORTs keep coming and ftpalgctl
#    monitor listens: the helper stops before the netlink family goes;
#  - module parameters out of range are refused by modprobe and by writes
#    to /sys/module/.../parameters; expect_timeout written at runtime
#    applies to new expectations.
# The VM runner fails the run on any kernel WARN/BUG/oops.

# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

require_base
require_module
is_ftpalg || skip "ftpalg-only test (FTPALG_HELPER=$HELPER)"

RATE=${FTPALG_UNLOAD_RATE:-40000}	# bytes/s per transfer
BIG_KB=${FTPALG_UNLOAD_KB:-1024}
# the tool of this tree, else an installed one (kselftest install layout)
CTL=$SELFTEST_DIR/../tools/ftpalgctl
[ -x "$CTL" ] || CTL=$(command -v ftpalgctl 2>/dev/null || echo "$CTL")

topo_create
ftp_root_prepare
BIG=$TMPD/root/big.bin
head -c $((BIG_KB * 1024)) /dev/urandom > "$BIG"
chmod 644 "$BIG"
check "vsftpd IPv4 (rate limited) started" \
	vsftpd_start v4 4 "$CTRL_PORT" "anon_max_rate=$RATE" || exit 1
check "vsftpd IPv6 (rate limited) started" \
	vsftpd_start v6 6 "$CTRL_PORT" "anon_max_rate=$RATE" || exit 1

# ------------------------------------------------------------- helpers

refcnt()
{
	lsmod | awk -v m="$1" '$1 == m { print $3; f = 1 } END { if (!f) print "absent" }'
}

# bg_get NAME MODE HOST: download big.bin in the background.
declare -A BG_PID
bg_get()
{
	local name=$1 mode=$2 host=$3
	curl_mode_opts "$mode" || return 1
	rm -f "$TMPD/$name.out"
	nsx "$NS_C" timeout "$(scaled 100)" curl -sS -v --max-time 90 --connect-timeout 20 \
		"${CURL_MODE_OPTS[@]}" -o "$TMPD/$name.out" \
		"ftp://$(url_host "$host"):$CTRL_PORT/big.bin" > "$TMPD/$name.log" 2>&1 &
	BG_PID[$name]=$!
	_pids+=("$!")
}

size_of()
{
	stat -c %s "$1" 2>/dev/null || echo 0
}

# in_flight NAME...: every download has started and is not finished.
in_flight()
{
	local n s
	for n in "$@"; do
		s=$(size_of "$TMPD/$n.out")
		[ "$s" -ge 65536 ] || return 1
	done
}

# bg_done NAME RC: the download finished (curl exit status RC) intact.
bg_done()
{
	local name=$1 rc=$2
	if [ $rc -eq 0 ] && cmp -s "$TMPD/$name.out" "$BIG"; then
		echo "ok ($(size_of "$TMPD/$name.out") bytes)"
		return 0
	fi
	echo "curl rc=$rc, $(size_of "$TMPD/$name.out") of $(size_of "$BIG") bytes"
	grep -E '^(< [0-9]|> [A-Z]|curl:)' "$TMPD/$name.log" | tail -n 12
	return 1
}

# holder NAME HOST PORTARG: a control connection (bash /dev/tcp) that
# logs in, has a PORT accepted and a PASV answered, then stays idle
# with both expectations pending until killed.
holder()
{
	local name=$1 host=$2 port=$3 fam=4
	[ "${host#*:}" != "$host" ] && fam=6
	nsx "$NS_C" timeout "$(scaled 120)" bash -c '
		exec 3<>/dev/tcp/'"$host"'/'"$CTRL_PORT"' || exit 3
		rd() { local l; while read -r -t 10 l <&3; do echo "< $l";
			case $l in "$1"*) return 0;; esac; done; return 1; }
		rd 220 || exit 1
		printf "USER anonymous\r\n" >&3; rd 230 || exit 1
		if [ '"$fam"' = 4 ]; then
			printf "PORT '"$port"'\r\n" >&3; rd 200 || exit 1
			printf "PASV\r\n" >&3; rd 227 || exit 1
		else
			printf "EPRT '"$port"'\r\n" >&3; rd 200 || exit 1
			printf "EPSV\r\n" >&3; rd 229 || exit 1
		fi
		echo HOLDING
		sleep 100
	' > "$TMPD/$name.hold" 2>&1 &
	_pids+=("$!")
	HOLD_PID[$name]=$!
}
declare -A HOLD_PID

holder_stop()
{
	kill "${HOLD_PID[$1]}" 2>/dev/null
	wait "${HOLD_PID[$1]}" 2>/dev/null
}

# busy NAME HOST: a control connection that keeps sending PORT and NOOP
# (one segment each), reading the replies, until NAME.stop exists; exits 0
# if every command got its reply.
busy()
{
	local name=$1 host=$2
	# until busy_stop: it must outlive the unload however slow the kernel
	# (KASAN under TCG); the timeout only ends a forgotten one
	nsx "$NS_C" timeout 900 bash -c '
		exec 3<>/dev/tcp/'"$host"'/'"$CTRL_PORT"' || exit 3
		rd() { local l; while read -r -t 10 l <&3; do
			case $l in "$1"*) return 0;; esac; done; echo "no $1"; return 1; }
		rd 220 || exit 1
		printf "USER anonymous\r\n" >&3; rd 230 || exit 1
		echo BUSY
		i=0
		while [ ! -e "'"$TMPD/$name.stop"'" ]; do
			i=$((i % 250 + 1))
			# 200, or 500 once a NATed PORT is no longer rewritten
			printf "PORT 192,0,2,2,201,%d\r\n" $i >&3; rd "" || exit 1
			printf "NOOP\r\n" >&3; rd 200 || exit 1
			sleep 0.05
		done
		printf "QUIT\r\n" >&3; rd 221 || exit 1
		echo DONE
	' > "$TMPD/$name.busy" 2>&1 &
	_pids+=("$!")
	BUSY_PID=$!
}

# refuser NAME HOST: until NAME.stop exists, control connections that each
# send a PORT naming a third host (refused: bounce, and retransmitted), so
# that refusal events are being sent while the module goes.
refuser()
{
	local name=$1 host=$2
	nsx "$NS_C" timeout 900 bash -c '
		while [ ! -e "'"$TMPD/$name.stop"'" ]; do
			if exec 3<>/dev/tcp/'"$host"'/'"$CTRL_PORT"'; then
				read -r -t 10 l <&3
				printf "USER anonymous\r\n" >&3; read -r -t 10 l <&3
				printf "PORT 192,0,2,99,7,1\r\n" >&3
				sleep 0.3
				exec 3>&-
				echo ROUND
			fi
			sleep 0.2
		done
	' > "$TMPD/$name.refuse" 2>&1 &
	_pids+=("$!")
	REFUSER_PID=$!
}

# detach: remove what pins the module (the ct helper object and the rule
# using it), keeping the forward filter and NAT for the live connections.
detach()
{
	nsx "$NS_R" nft flush chain inet ftpalg_sel hlp_pre &&
	nsx "$NS_R" nft delete ct helper inet ftpalg_sel alg
}

# ct_bounded ARGS...: conntrack ARGS in the router netns, at most 20 s;
# a hang is reported with the process's kernel stack.
ct_bounded()
{
	local pid i
	ip netns exec "$NS_R" conntrack "$@" > "$TMPD/ct.out" 2>/dev/null &
	pid=$!
	for i in $(seq 100); do
		kill -0 $pid 2>/dev/null || break
		sleep 0.2
	done
	if kill -0 $pid 2>/dev/null; then
		echo "HANG: conntrack $* did not finish in 20 s; kernel stack:" >&2
		cat "/proc/$pid/stack" >&2
		kill -9 $pid
		wait $pid 2>/dev/null
		return 124
	fi
	wait $pid
	cat "$TMPD/ct.out"
}

no_ftpalg_left()
{
	local e c
	e=$({ ct_bounded -L expect -f ipv4; ct_bounded -L expect -f ipv6; } | grep -c "helper=$HELPER")
	c=$({ ct_bounded -L -f ipv4; ct_bounded -L -f ipv6; } | grep -c "helper=$HELPER")
	echo "expectations: $e, conntracks with helper: $c"
	[ "$e" -eq 0 ] && [ "$c" -eq 0 ]
}

# live_unload PHASE HOST4 HOST6: the whole scenario in the current topology.
live_unload()
{
	local ph=$1 h4=$2 h6=$3 n rc ref
	local -a names=("$ph-port4" "$ph-pasv4" "$ph-eprt6" "$ph-epsv6")

	# first the slow starters, then the transfers, then unload at once
	holder "$ph-hold4" "$h4" "192,0,2,2,200,1"
	holder "$ph-hold6" "$h6" "|2|$C6|51202|"
	busy "$ph-busy" "$h4"
	check "$ph: holders have pending expectations" \
		busywait 40000 grep -q HOLDING "$TMPD/$ph-hold4.hold" "$TMPD/$ph-hold6.hold"
	check "$ph: busy control connection running" \
		busywait 20000 grep -q BUSY "$TMPD/$ph-busy.busy"
	MON_PID=
	if [ -x "$CTL" ]; then
		"$CTL" -n "$NS_R" -j monitor > "$TMPD/$ph.mon" 2>&1 &
		MON_PID=$!
		_pids+=("$MON_PID")
		refuser "$ph-refuse" "$h4"
		check "$ph: refusal events reach the monitor" \
			busywait 40000 grep -q '"reason": *"bounce"' "$TMPD/$ph.mon"
	fi
	check "$ph: ftpalg expectations pending" \
		test "$(expect_list | grep -c "helper=$HELPER")" -ge 4
	bg_get "$ph-port4" port "$h4"
	bg_get "$ph-pasv4" pasv "$h4"
	bg_get "$ph-eprt6" eprt "$h6"
	bg_get "$ph-epsv6" epsv "$h6"
	check "$ph: transfers in flight" busywait 40000 in_flight "${names[@]}"

	ref=$(refcnt "$FTPALG_MODULE")
	check "$ph: module pinned by the ct helper object (refcnt $ref)" \
		test "$ref" != absent -a "$ref" != 0
	check_fails "$ph: rmmod refused while the ruleset uses the helper" \
		rmmod "$FTPALG_MODULE"
	check "$ph: helper object removed" detach
	ref=$(refcnt "$FTPALG_MODULE")
	check "$ph: refcnt 0 once detached ($ref)" test "$ref" = 0
	check "$ph: rmmod during transfers and PORT traffic" rmmod "$FTPALG_MODULE"
	# if the phase gets stuck, say where (live on stdout); the bound only
	# catches hangs (a loaded machine took over 60 s for this phase)
	(
		# not holding the output pipe once the watchdog is killed
		sleep $((300 * ${FTPALG_TIME_SCALE:-1})) >/dev/null 2>&1
		echo "# WATCHDOG: $ph phase stuck $((300 * ${FTPALG_TIME_SCALE:-1})) s after rmmod"
		ps -eo pid,stat,wchan:32,args | grep -vE ' (S|I)[<sNl+]* ' | sed 's/^/#   /'
		for p in $(pgrep -f 'conntrack|curl|nft'); do
			echo "#   stack of $p ($(tr '\0' ' ' < /proc/$p/cmdline)):"
			sed 's/^/#     /' "/proc/$p/stack"
		done
		sleep 2
		dmesg | sed -n '/BUG:\|Oops\|general protection\|unable to handle\|WARNING:/,+45p' |
			head -n 120 | sed 's/^/#   dmesg: /'
		# processes stuck in the kernel never return: end the test
		echo "not ok - $ph: stuck after rmmod (see WATCHDOG output above)"
		kill -KILL $$
	) &
	WD_PID=$!
	diag "$(for n in "${names[@]}"; do echo "$n: $(size_of "$TMPD/$n.out") of $(size_of "$BIG") bytes at rmmod"; done)"
	has_busy=$(grep -c DONE "$TMPD/$ph-busy.busy")
	check "$ph: busy connection still sending at rmmod" test "$has_busy" -eq 0
	check "$ph: module gone" test "$(refcnt "$FTPALG_MODULE")" = absent
	check "$ph: no ftpalg expectation or helper left" no_ftpalg_left
	check "$ph: per-netns counters gone" test ! -e "/proc/net/stat/ftpalg"

	for n in "${names[@]}"; do
		wait "${BG_PID[$n]}"
		rc=$?
		check "$ph: in-flight ${n#"$ph"-} transfer completes intact" bg_done "$n" $rc
	done
	if [ -n "$MON_PID" ]; then
		: > "$TMPD/$ph-refuse.stop"
		wait "$REFUSER_PID"
		kill "$MON_PID" 2>/dev/null
		wait "$MON_PID" 2>/dev/null
		diag "$ph: $(grep -c ROUND "$TMPD/$ph-refuse.refuse") refused PORT connections, $(grep -c bounce "$TMPD/$ph.mon") events"
	fi
	: > "$TMPD/$ph-busy.stop"
	wait "$BUSY_PID"
	rc=$?
	check "$ph: busy control connection unaffected (rc=$rc)" test $rc -eq 0 ||
		diag "$(tail -n 5 "$TMPD/$ph-busy.busy")"
	holder_stop "$ph-hold4"
	holder_stop "$ph-hold6"

	kill "$WD_PID" 2>/dev/null
	check "$ph: modprobe again" modprobe "$FTPALG_MODULE"
}

# ------------------------------------------------------- routed phase
check "routed: ruleset loads" router_rules nft -150 none || exit 1
live_unload routed "$S4" "$S6"
check "routed: ruleset reloads" router_rules nft -150 none
ftp_transfer "routed: fresh active PORT after reload" port "$S4"
ftp_transfer "routed: fresh passive EPSV ipv6 after reload" epsv "$S6"

# --------------------------------------------------------- SNAT phase
topo_routes snat
check "snat: ruleset loads" router_rules nft -150 snat || exit 1
live_unload snat "$S4" "$S6"
check "snat: ruleset reloads" router_rules nft -150 snat
ftp_transfer "snat: fresh active PORT after reload" port "$S4"
ftp_transfer "snat: fresh passive PASV after reload" pasv "$S4"
ftp_transfer "snat: fresh active EPRT ipv6 after reload" eprt "$S6"

# ------------------------------------- repeated load/unload, pending
topo_routes routed
for i in 1 2 3; do
	check "cycle $i: ruleset loads" router_rules nft -150 none || break
	holder "cycle$i-4" "$S4" "192,0,2,2,202,$i"
	holder "cycle$i-6" "$S6" "|2|$C6|$((51800 + i))|"
	check "cycle $i: expectations pending" busywait 20000 \
		grep -q HOLDING "$TMPD/cycle$i-4.hold" "$TMPD/cycle$i-6.hold"
	check "cycle $i: four ftpalg expectations" \
		test "$(expect_list | grep -c "helper=$HELPER")" -eq 4
	detach
	check "cycle $i: rmmod with pending expectations" rmmod "$FTPALG_MODULE"
	check "cycle $i: no ftpalg expectation left" no_ftpalg_left
	holder_stop "cycle$i-4"
	holder_stop "cycle$i-6"
	check "cycle $i: modprobe" modprobe "$FTPALG_MODULE"
	check "cycle $i: counters back" test -e /proc/net/stat/ftpalg
	ref=$(refcnt "$FTPALG_MODULE")
	check "cycle $i: refcnt 0 without the ruleset's helper object ($ref)" test "$ref" = 0
	# modules loaded on demand in cycle 1 (nft, ctnetlink) settle the base
	[ $i -eq 1 ] && base_ct=$(refcnt nf_conntrack)
done
check "nf_conntrack refcount unchanged by the cycles ($base_ct -> $(refcnt nf_conntrack))" \
	test "$(refcnt nf_conntrack)" = "$base_ct"
check "final: ruleset loads" router_rules nft -150 none
ftp_transfer "final: transfer after the cycles" pasv "$S4"

# ------------------------------------------------------- parameters
# Out of range: refused by modprobe and by writes to sysfs, with the range
# in the kernel log.  expect_timeout and max_expected may be written.
PARAMS=/sys/module/$FTPALG_MODULE/parameters
# param_write NAME VALUE: fails as the write to sysfs does
param_write() { echo "$2" > "$PARAMS/$1"; }

# exp_timeout REGEX: seconds left of the ftpalg expectation matching REGEX
exp_timeout()
{
	expect_list | awk -v re="$1" '/helper=ftpalg/ && $0 ~ re { print $1; exit }'
}

nsx "$NS_R" nft flush ruleset
check "params: rmmod" rmmod "$FTPALG_MODULE"
for bad in expect_timeout=0 expect_timeout=86401 expect_timeout=4294968 \
	   max_expected=0 max_expected=256 netns_expect_max=65537 \
	   passive_window=0-100 passive_window=100-65536 \
	   passive_window=70000-80000 passive_window=200-100 \
	   passive_window=100 min_port=65536; do
	# a value taken by mistake must not spoil the next cases
	check_fails "params: modprobe $bad refused" modprobe "$FTPALG_MODULE" "$bad" ||
		rmmod "$FTPALG_MODULE"
done
check "params: the module is not loaded" test "$(refcnt "$FTPALG_MODULE")" = absent
check "params: the kernel log gives the range" \
	sh -c "dmesg | grep -q 'expect_timeout must be a number from 1 to 86400'"
check "params: the kernel log gives the passive_window form" \
	sh -c "dmesg | grep -q 'passive_window must be LO-HI with 1 <= LO <= HI <= 65535, or any'"
check "params: modprobe with the largest values" modprobe "$FTPALG_MODULE" \
	expect_timeout=86400 max_expected=255 netns_expect_max=65536 \
	passive_window=1-65535
check "params: passive_window reads 1-65535" grep -qx 1-65535 "$PARAMS/passive_window"
if [ -x "$CTL" ]; then
	check "params: a namespace's default passive window is 1-65535" \
		sh -c "'$CTL' -n '$NS_R' -j show | jq -e '.policy.passive_window == [1, 65535]'"
fi
check "params: rmmod" rmmod "$FTPALG_MODULE"
check "params: modprobe with the defaults" modprobe "$FTPALG_MODULE"
check "params: passive_window reads any" grep -qx any "$PARAMS/passive_window"
for bad in 0 86401 4294968 -1 abc; do
	check_fails "params: writing expect_timeout=$bad refused" \
		param_write expect_timeout "$bad"
done
for bad in 0 256; do
	check_fails "params: writing max_expected=$bad refused" \
		param_write max_expected "$bad"
done
check "params: expect_timeout still 120" grep -qx 120 "$PARAMS/expect_timeout"
check "params: max_expected still 4" grep -qx 4 "$PARAMS/max_expected"
check_fails "params: netns_expect_max is read-only" param_write netns_expect_max 5
check_fails "params: passive_window is read-only" param_write passive_window 1-2
check "params: writing expect_timeout=300" param_write expect_timeout 300
check "params: expect_timeout reads 300" grep -qx 300 "$PARAMS/expect_timeout"
check "params: ruleset loads" router_rules nft -150 none
holder params "$S4" "192,0,2,2,203,1"
if check "params: expectations pending" busywait 20000 grep -q HOLDING "$TMPD/params.hold"; then
	t=$(exp_timeout "dport=$((203 * 256 + 1))")
	check "params: a new expectation lives expect_timeout=300 s ($t s left)" \
		test "${t:-0}" -gt 200
fi
holder_stop params
check "params: writing expect_timeout=120" param_write expect_timeout 120

ktap_finish
