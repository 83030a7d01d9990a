#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Interoperability with real FTP servers and clients, ftpalg beside the
# in-tree nf_conntrack_ftp (+ nf_nat_ftp) on the same router:
#   servers  vsftpd, proftpd (proftpd-core, minimal standalone config),
#            pure-ftpd, pyftpdlib (connects before it answers PORT/EPRT)
#   clients  python ftplib: one session of transfers on one control
#            connection, alternating active and passive, RETR/STOR/LIST;
#            curl (RETR+LIST on one connection, then STOR), lftp with
#            ftp:sync-mode off (pipelined commands: RETR, STOR, LIST),
#            wget (RETR, LIST); each active and passive
#   paths    IPv4 routed, SNAT, DNAT; IPv6 routed, NAT66 (masquerade)
# Every server runs twice: on port 21, whose control connections get
# ftpalg, and on 2121, whose get the in-tree helper, the reference.  Each
# case runs against the reference and ftpalg at the same time: a case the
# reference passes must pass with ftpalg; one that fails with both is a SKIP that
# shows the reference's output.  The router forwards only control and
# RELATED data connections, so a transfer passes only if the helper
# expected it (SNAT/DNAT: and rewrote the announcement).  File contents
# are compared.  On these clean links no path may count desync or refuse
# anything.
#
# Matrix (a subset, to stay within a few minutes under TCG): for every
# server, the ftplib session on every path, of 20 transfers through the
# NATs (v4-snat, v6-nat66: every rewrite moves the sequence offset) and of
# 6 (each mode and operation once) elsewhere; curl, lftp and wget, active
# and passive, on v4-snat (the NAT most routers run); curl, active and
# passive, on v6-nat66 (EPRT rewritten).  FTPALG_INTEROP_FULL=1 runs every
# client on every path, and 20 transfers everywhere.
#
# proftpd-core and pure-ftpd conflict with vsftpd in Debian: scripts/deps.sh
# unpacks them under /var/cache/ftpalg/servers/ (used if not in PATH).  A
# server that is missing is skipped with a reason.

# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

SERVERS_DIR=/var/cache/ftpalg/servers
REF_PORT=2121
ROOT=$TMPD/root
PATHS="v4-routed v4-snat v4-dnat v6-routed v6-nat66"

# path_clients PATH: the clients besides ftplib that run on PATH.
path_clients()
{
	if [ -n "${FTPALG_INTEROP_FULL:-}" ]; then
		echo curl lftp wget
		return
	fi
	case $1 in
	v4-snat) echo curl lftp wget ;;
	v6-nat66) echo curl ;;
	esac
}

require_base
require_module
require_tools lftp wget unshare
modprobe nf_conntrack_ftp 2>/dev/null || skip "nf_conntrack_ftp not available"
modprobe nf_nat_ftp 2>/dev/null || skip "nf_nat_ftp not available"

topo_create
ftp_root_prepare
head -c 65536 /dev/urandom > "$ROOT/small.bin"
mkdir -p "$ROOT/up"
chmod 644 "$ROOT/small.bin"
chmod 777 "$ROOT/up"	# anonymous uploads are written as user ftp

# server_bin NAME PACKAGE: NAME in PATH, or unpacked by scripts/deps.sh.
server_bin()
{
	command -v "$1" 2>/dev/null && return 0
	[ -x "$SERVERS_DIR/$2/usr/sbin/$1" ] || return 1
	echo "$SERVERS_DIR/$2/usr/sbin/$1"
}

# server_wait NAME PORT LOG: the server listens on PORT, or its log shows why not.
server_wait()
{
	if ! busywait 15000 listening "$NS_S" "$2"; then
		echo "# $1 on port $2 did not start"
		diag "$(cat "$3")"
		return 1
	fi
}

vsftpd_up()
{
	local port=$1
	vsftpd_start "v4_$port" 4 "$port" write_enable=YES anon_upload_enable=YES &&
		vsftpd_start "v6_$port" 6 "$port" write_enable=YES anon_upload_enable=YES
}

proftpd_up()
{
	local port=$1 bin conf=$TMPD/proftpd-$1.conf log=$TMPD/proftpd-$1.log
	bin=$(server_bin proftpd proftpd-core) || return 2
	cat > "$conf" <<-EOF
	ServerType standalone
	DefaultServer on
	ServerName "interop"
	Port $port
	UseIPv6 on
	User nobody
	Group nogroup
	PidFile $TMPD/proftpd-$port.pid
	ScoreboardFile $TMPD/proftpd-$port.scoreboard
	DelayTable none
	WtmpLog off
	UseReverseDNS off
	AuthOrder mod_auth_unix.c
	PassivePorts $PASV_MIN $PASV_MAX
	<Anonymous $ROOT>
	  User ftp
	  Group nogroup
	  UserAlias anonymous ftp
	  RequireValidShell off
	  <Limit WRITE>
	    AllowAll
	  </Limit>
	</Anonymous>
	EOF
	nsx "$NS_S" "$bin" -n -c "$conf" > "$log" 2>&1 &
	_pids+=($!)
	server_wait proftpd "$port" "$log"
}

# pure-ftpd serves anonymous users the home of user ftp: that is bound
# to the test's root in a mount namespace of its own.
pureftpd_up()
{
	local port=$1 bin log=$TMPD/pure-ftpd-$1.log
	bin=$(server_bin pure-ftpd pure-ftpd) || return 2
	[ -d "$(getent passwd ftp | cut -d: -f6)" ] || return 2
	# shellcheck disable=SC2016 # expanded by that sh
	nsx "$NS_S" unshare -m sh -c 'mount --bind "$1" "$2" && shift 2 && exec "$@"' \
		sh "$ROOT" "$(getent passwd ftp | cut -d: -f6)" \
		"$bin" -S "$port" -e -H -A -M -f none -p "$PASV_MIN:$PASV_MAX" \
		> "$log" 2>&1 &
	_pids+=($!)
	server_wait pure-ftpd "$port" "$log"
}

pyftpd_up()
{
	local port=$1 log=$TMPD/pyftpd-$1.log
	"$PYTHON" -c 'import pyftpdlib' 2>/dev/null || return 2
	nsx "$NS_S" "$PYTHON" "$SELFTEST_DIR/pyftpd_server.py" "$ROOT" "$port" \
		"$PASV_MIN" "$PASV_MAX" "$S4" "$S6" > "$log" 2>&1 &
	_pids+=($!)
	server_wait pyftpdlib "$port" "$log"
}

# Each *_up PORT returns 0 once listening, 1 if it did not start, 2 if
# the server is not installed.
SERVERS=""
for srv in vsftpd proftpd pureftpd pyftpd; do
	"${srv}_up" "$CTRL_PORT" && "${srv}_up" "$REF_PORT"
	case $? in
	0)	ktap_pass "$srv listens on $CTRL_PORT (ftpalg) and $REF_PORT (in-tree)"
		SERVERS+=" $srv" ;;
	2)	ktap_skip "$srv" "not installed (scripts/deps.sh)" ;;
	*)	ktap_fail "$srv listens on $CTRL_PORT and $REF_PORT" ;;
	esac
done
[ -n "$SERVERS" ] || exit 1

# ------------------------------------------------------------ clients
# Each: MODE (active|passive) HOST PORT TAG; exit 0 only if every
# transfer worked and its contents are right; output for diagnostics.

# For ftplib MODE is the number of transfers (alternating active, passive).
ftplib_client()
{
	nsx "$NS_C" timeout $((CLIENT_TIMEOUT * 4)) "$PYTHON" \
		"$SELFTEST_DIR/ftplib_session.py" "$2" "$3" "$ROOT" "$1" \
		"$CLIENT_TIMEOUT"
}

curl_client()
{
	local url out=$TMPD/c-$4 src=$TMPD/c-$4.src
	local -a opt=(-sS --max-time "$CLIENT_TIMEOUT" --connect-timeout "$CLIENT_TIMEOUT")
	[ "$1" = active ] && opt+=(-P -)
	url="ftp://$(url_host "$2"):$3"
	head -c 5000 /dev/urandom > "$src"
	nsx "$NS_C" curl "${opt[@]}" -o "$out.bin" "$url/small.bin" \
		-o "$out.list" "$url/" || return 1
	cmp "$out.bin" "$ROOT/small.bin" || return 1
	grep -q small.bin "$out.list" || { echo "LIST without small.bin"; return 1; }
	nsx "$NS_C" curl "${opt[@]}" -T "$src" "$url/up/curl-$4" || return 1
	cmp "$src" "$ROOT/up/curl-$4"
}

lftp_client()
{
	local out=$TMPD/l-$4 src=$TMPD/l-$4.src pasv=on
	[ "$1" = active ] && pasv=off
	head -c 5000 /dev/urandom > "$src"
	nsx "$NS_C" timeout $((CLIENT_TIMEOUT * 2)) lftp -c "
		set cmd:fail-exit yes; set net:max-retries 1
		set net:timeout $CLIENT_TIMEOUT; set ftp:ssl-allow no
		set ftp:passive-mode $pasv; set ftp:sync-mode off
		set xfer:clobber on
		open -u anonymous,guest -p $3 $2
		get small.bin -o $out.bin
		put $src -o up/lftp-$4
		cls -1 > $out.list" || return 1
	cmp "$out.bin" "$ROOT/small.bin" || return 1
	cmp "$src" "$ROOT/up/lftp-$4" || return 1
	grep -qx small.bin "$out.list" || { echo "LIST without small.bin"; return 1; }
}

# wget keeps a directory's listing in ./.listing while it runs: the
# reference and ftpalg clients run at once, each in its own directory
# (a subshell: the cd stays in it).
wget_client()
(
	local url out=$TMPD/w-$4
	local -a opt=(-q -t 1 -T "$CLIENT_TIMEOUT")
	[ "$1" = active ] && opt+=(--no-passive-ftp)
	url="ftp://$(url_host "$2"):$3"
	mkdir -p "$out" && cd "$out" || return 1
	nsx "$NS_C" wget "${opt[@]}" -O "$out.bin" "$url/small.bin" || return 1
	cmp "$out.bin" "$ROOT/small.bin" || return 1
	nsx "$NS_C" wget "${opt[@]}" -O "$out.html" "$url/" || return 1
	grep -q small.bin "$out.html" || { echo "LIST without small.bin"; return 1; }
)

# --------------------------------------------------------------- cases
# case_run DESC CLIENT MODE HOST: the reference and ftpalg at once.
declare -A PASSED TOTAL REF_PASSED
ALG_ONLY=""
case_n=0
case_run()
{
	local desc=$1 client=$2 mode=$3 host=$4 ref_out alg_out ref alg pid
	case_n=$((case_n + 1))
	"${client}_client" "$mode" "$host" "$REF_PORT" "ref$case_n" \
		> "$TMPD/case.ref" 2>&1 &
	pid=$!
	alg_out=$("${client}_client" "$mode" "$host" "$CTRL_PORT" "alg$case_n" 2>&1)
	alg=$?
	wait "$pid"
	ref=$?
	ref_out=$(cat "$TMPD/case.ref")
	TOTAL[$path]=$((${TOTAL[$path]:-0} + 1))
	[ $ref -eq 0 ] && REF_PASSED[$path]=$((${REF_PASSED[$path]:-0} + 1))
	if [ $alg -eq 0 ]; then
		PASSED[$path]=$((${PASSED[$path]:-0} + 1))
		if [ $ref -eq 0 ]; then
			ktap_pass "$desc"
		else
			ktap_pass "$desc (the in-tree helper fails it)"
			ALG_ONLY+=" [$desc]"
			diag "$ref_out"
		fi
		[ -n "${FTPALG_VERBOSE:-}" ] && diag "$alg_out"
	elif [ $ref -eq 0 ]; then
		ktap_fail "$desc (the in-tree helper passes it)"
		diag "$alg_out"
		dump_state
	else
		ktap_skip "$desc" "fails with the in-tree helper too"
		diag "$ref_out"
		diag "$alg_out"
	fi
}

for path in $PATHS; do
	case $path in
	v4-routed) routes=routed nat=none host=$S4 ;;
	v4-snat) routes=snat nat=snat host=$S4 ;;
	v4-dnat) routes=dnat nat=dnat host=$PUB4 ;;
	v6-routed) routes=routed nat=none host=$S6 ;;
	v6-nat66) routes=snat nat=snat host=$S6 ;;
	esac
	topo_routes "$routes"
	check "$path: ruleset with ftpalg on $CTRL_PORT, in-tree ftp on $REF_PORT" \
		router_rules both -150 "$nat" || continue
	stat_snap
	count=6
	case $path in v4-snat | v6-nat66) count=20 ;; esac
	[ -n "${FTPALG_INTEROP_FULL:-}" ] && count=20
	for srv in $SERVERS; do
		case_run "$path $srv ftplib $count transfers, active/passive alternating" \
			ftplib "$count" "$host"
		for client in $(path_clients "$path"); do
			for mode in active passive; do
				case_run "$path $srv $client $mode" "$client" "$mode" "$host"
			done
		done
	done
	check_stat "$path: no desync on a clean link" desync -eq 0
	check_no_refusal "$path: nothing refused"
done

echo "# matrix (cases passed, ftpalg / in-tree / total):"
for path in $PATHS; do
	echo "#   $path: ${PASSED[$path]:-0} / ${REF_PASSED[$path]:-0} / ${TOTAL[$path]:-0}"
done
[ -n "$ALG_ONLY" ] && echo "# passed by ftpalg only:$ALG_ONLY"

ktap_finish
