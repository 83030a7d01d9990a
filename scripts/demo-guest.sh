#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of `make demo` (run by scripts/demo.sh inside the VM, as root,
# with nf_conntrack_ftpalg installed).  Builds the selftests' topology
#
#   client 192.0.2.2 -- (r0) router (r1) -- server 198.51.100.2
#                        public address 203.0.113.1
#
# attaches the ftpalg helper with an nft "ct helper" object and downloads a
# file four times: masquerading router with the client behind it (active PORT,
# passive EPSV), then a DNAT port forward 203.0.113.1:21 -> server (passive
# PASV, active PORT).  For each transfer it shows the FTP command/reply
# line as captured by tcpdump on the client's and on the server's link,
# the router's expectation while the transfer is paused, and the result.
# Exit status: 0 if all four transfers delivered identical content.

# shellcheck source-path=SCRIPTDIR source=../selftests/lib.sh
source "$(dirname "$0")/../selftests/lib.sh"

require_base
require_tools tcpdump sha256sum
require_module

DEMO_TIMEOUT=${FTPALG_CLIENT_TIMEOUT:-20}

# FTPALG_DEMO_TIMES=1: elapsed seconds of each step on stderr.
tick()
{
	[ -n "${FTPALG_DEMO_TIMES:-}" ] && echo "   (${SECONDS}s: $*)" >&2
	return 0
}
ok=0
total=0

# A small FTP client (plain sockets: ftplib and hashlib would pull in
# libssl/libcrypto, slow to load over 9p under TCG): log in, TYPE I,
# PORT/EPRT or PASV/EPSV, print PAUSED and wait for a file to appear (so the
# router's expectation can be listed), then RETR data.bin into OUT.
cat > "$TMPD/client.py" <<'EOF'
import os, socket, sys, time

host, mode, out, pause, tmo = sys.argv[1:6]
tmo = float(tmo)


def main():
    ctl = socket.create_connection((host, 21), timeout=tmo)
    rf = ctl.makefile("rb")

    def reply():
        first = line = rf.readline().decode("latin-1")
        while line[3:4] == "-" or not line[:3].isdigit():
            line = rf.readline().decode("latin-1")
            if not line:
                sys.exit("control connection closed")
            if line[:3] == first[:3] and line[3:4] == " ":
                break
        return first.strip()

    def cmd(line, want):
        if line:
            ctl.sendall(line.encode() + b"\r\n")
        text = reply()
        if text[:1] not in want:
            sys.exit("%r: unexpected reply %r" % (line, text))
        return text

    cmd(None, "2")
    if cmd("USER anonymous", "23")[:1] == "3":
        cmd("PASS demo@", "2")
    cmd("TYPE I", "2")
    if mode in ("port", "eprt"):
        lsock = socket.create_server(("", 0), backlog=1)
        lsock.settimeout(tmo)
        me, port = ctl.getsockname()[0], lsock.getsockname()[1]
        if mode == "port":
            cmd("PORT %s,%d,%d" % (me.replace(".", ","), port >> 8, port & 255), "2")
        else:
            cmd("EPRT |1|%s|%d|" % (me, port), "2")
    else:
        text = cmd(mode.upper(), "2")
        inner = text[text.index("(") + 1:text.rindex(")")]
        if mode == "pasv":
            n = [int(x) for x in inner.split(",")]
            dhost, dport = "%d.%d.%d.%d" % tuple(n[:4]), n[4] * 256 + n[5]
        else:
            dhost, dport = ctl.getpeername()[0], int(inner.split(inner[0])[3])
    print("PAUSED", flush=True)
    deadline = time.monotonic() + tmo
    while not os.path.exists(pause):
        if time.monotonic() > deadline:
            sys.exit("pause file never appeared")
        time.sleep(0.05)
    if mode in ("port", "eprt"):
        ctl.sendall(b"RETR data.bin\r\n")
        conn, peer = lsock.accept()
        how = "server connected from %s:%d" % peer[:2]
        cmd(None, "1")
    else:
        conn = socket.create_connection((dhost, dport), timeout=tmo)
        how = "client connected to %s:%d" % (dhost, dport)
        cmd("RETR data.bin", "1")
    conn.settimeout(tmo)
    n = 0
    with open(out, "wb") as f:
        while True:
            chunk = conn.recv(65536)
            if not chunk:
                break
            f.write(chunk)
            n += len(chunk)
    conn.close()
    cmd(None, "2")
    cmd("QUIT", "2")
    print("RESULT %d %s" % (n, how), flush=True)


try:
    main()
except OSError as e:
    sys.exit("error: %s" % e)
EOF

# cap_start NAME NS IF: tcpdump the control connection on IF in NS for the
# whole demo (started once: tcpdump is slow to start under TCG); every
# scenario looks at the lines written since cap_mark.
cap_start()
{
	local name=$1 ns=$2 ifc=$3 pid
	nsx "$ns" timeout 900 tcpdump -l -n -A -s 0 -i "$ifc" "tcp port $CTRL_PORT" \
		> "$TMPD/$name.cap" 2> "$TMPD/$name.err" &
	pid=$!
	_pids+=("$pid")
	busywait 20000 grep -q "listening on" "$TMPD/$name.err"
}

# shellcheck disable=SC2034 # read indirectly by cap_lines
cap_mark()
{
	CAP_OFF_c=$(wc -l < "$TMPD/c.cap")
	CAP_OFF_s=$(wc -l < "$TMPD/s.cap")
}

# cap_lines NAME: the FTP address-carrying lines captured since cap_mark.
cap_lines()
{
	local var="CAP_OFF_$1"
	tail -n +$((${!var} + 1)) "$TMPD/$1.cap" |
		grep -aoE 'PORT [0-9,]+|EPRT \|[12]\|[0-9a-fA-F.:]+\|[0-9]+\||227 [^(]*\([0-9,]+\)|229 [^(]*\(\|\|\|[0-9]+\|\)' |
		awk '!seen[$0]++' | paste -sd' '
}

# expect_show: the router's pending expectations, one compact line each.
expect_show()
{
	nsx "$NS_R" conntrack -L expect -f ipv4 2>/dev/null | awk '/proto=6/ {
		sec = ""; src = dst = dp = mas = mad = msp = mdp = hlp = ""
		for (i = 2; i <= NF; i++) {
			split($i, kv, "=")
			k = kv[1]; v = kv[2]
			if (k ~ /^mask-/) sec = "mask"
			if (k ~ /^master-/) sec = "master"
			if (k == "src" && sec == "") src = v
			if (k == "dst" && sec == "") dst = v
			if (k == "dport" && sec == "") dp = v
			if (k == "master-src") mas = v
			if (k == "master-dst") mad = v
			if (k == "sport" && sec == "master") msp = v
			if (k == "dport" && sec == "master") mdp = v
			if (k == "helper") hlp = v
		}
		printf "    expect %s -> %s:%s (helper %s, expires in %ss)\n",
			src, dst, dp, hlp, $1
		printf "      of control connection %s:%s -> %s:%s\n", mas, msp, mad, mdp
	}'
}

# ruleset_excerpt: the router's helper object, helper rule and NAT rule.
ruleset_excerpt()
{
	nsx "$NS_R" nft list ruleset | awk '
		/ct helper alg \{/ { obj = 1; s = "ct helper alg {"; next }
		obj && /\}/ { print "     " s " }"; obj = 0; next }
		obj { gsub(/^[ \t]+/, ""); s = s " " $0 ";"; next }
		/ct helper set|masquerade|snat ip to|dnat ip to/ {
			gsub(/^[ \t]+/, ""); print "     " $0
		}'
}

# scenario TITLE HOST MODE: one download through the router; prints the
# captured control lines, the expectation and the result.
scenario()
{
	local title=$1 host=$2 mode=$3 pf out log pid rc got res
	local n sha how
	total=$((total + 1))
	echo
	echo "[$total/4] $title"
	pf=$TMPD/go.$total
	out=$TMPD/dl.$total
	log=$TMPD/client.$total.log
	cap_mark
	nsx "$NS_C" timeout $((DEMO_TIMEOUT * 2)) "$PYTHON" "$TMPD/client.py" \
		"$host" "$mode" "$out" "$pf" "$DEMO_TIMEOUT" > "$log" 2>&1 &
	pid=$!
	_pids+=("$pid")
	if busywait $((DEMO_TIMEOUT * 1000)) grep -q PAUSED "$log"; then
		tick "client paused"
		got=$(expect_show)
	else
		got=""
	fi
	touch "$pf"
	wait "$pid"
	rc=$?
	tick "scenario $total done"

	echo "  tcpdump of the control connection:"
	case $mode in
	port|eprt)
		printf '    %-20s %s\n' "client sent (c0):" "$(cap_lines c)"
		printf '    %-20s %s\n' "server got (s0):" "$(cap_lines s)"
		;;
	*)
		printf '    %-20s %s\n' "server sent (s0):" "$(cap_lines s)"
		printf '    %-20s %s\n' "client got (c0):" "$(cap_lines c)"
		;;
	esac
	echo "  router: conntrack -L expect, while the client waits before RETR:"
	if [ -n "$got" ]; then
		echo "$got"
	else
		echo "    (none)"
	fi

	res=$(grep '^RESULT ' "$log")
	if [ $rc -eq 0 ] && [ -n "$res" ]; then
		read -r _ n how <<< "$res"
		sha=$(sha256sum < "$out" | cut -d' ' -f1)
		if [ "$sha" = "$want" ] && cmp -s "$out" "$DATA_FILE"; then
			echo "  data connection: $how"
			echo "  result: $n bytes, sha256 ${sha:0:16}... same as on the server: OK"
			ok=$((ok + 1))
			return 0
		fi
		echo "  result: $n bytes, sha256 ${sha:0:16}... differs from ${want:0:16}...: FAILED"
	else
		echo "  result: transfer FAILED (client exit $rc)"
		sed 's/^/    client: /' "$log" | tail -n 5
	fi
	return 1
}

echo "== ftpalg demo: FTP through a NAT router with the ftpalg helper"
echo "   client $C4 (c0) --- ($R4C r0) router (r1 $R4S) --- (s0) $S4 server"
echo "   router's public address: $PUB4; vsftpd on the server, a small python"
echo "   FTP client; the ALG is attached through an nft ct helper object"

topo_create
ftp_root_prepare
tick "topology"
if ! vsftpd_start v4 4 "$CTRL_PORT" > "$TMPD/vsftpd.out" 2>&1; then
	cat "$TMPD/vsftpd.out"
	echo "demo: vsftpd did not start"
	exit 1
fi
want=$(sha256sum < "$DATA_FILE" | cut -d' ' -f1)
if ! cap_start c "$NS_C" c0 || ! cap_start s "$NS_S" s0; then
	echo "demo: tcpdump did not start"
	cat "$TMPD/c.err" "$TMPD/s.err"
	exit 1
fi
tick "vsftpd and tcpdump"

# Masquerade: the server has no route to the client's network, so active
# mode works only if PORT is rewritten to the router's address and the
# data connection is translated back.
topo_routes snat
router_rules nft -150 masq || { echo "demo: cannot load the ruleset"; exit 1; }
echo
echo "-- Masquerade: the router translates the client to its own address $R4S;"
echo "   the server has no route to the client, so active mode needs PORT"
echo "   rewritten. Router ruleset:"
ruleset_excerpt
scenario "masquerading router, client behind it: ACTIVE mode (PORT)" "$S4" port
scenario "masquerading router, client behind it: PASSIVE mode (EPSV)" "$S4" epsv

# DNAT: the client only has a route to the public prefix, so passive mode
# works only if the 227 is rewritten to 203.0.113.1.
topo_routes dnat
router_rules nft -150 dnat || { echo "demo: cannot load the ruleset"; exit 1; }
echo
echo "-- DNAT: the router forwards $PUB4:21 to the server; the client has a"
echo "   route to $PUB4 only, so passive mode needs 227 rewritten. Router ruleset:"
ruleset_excerpt
scenario "DNAT port forward $PUB4:21 -> $S4: PASSIVE mode (PASV)" "$PUB4" pasv
scenario "DNAT port forward $PUB4:21 -> $S4: ACTIVE mode (PORT)" "$PUB4" port

echo
echo "router counters (/proc/net/stat/ftpalg, non-zero):"
nsx "$NS_R" cat "$STAT_FILE" | awk '$2 != 0 { printf "%s=%s\n", $1, $2 }' |
	paste -sd' ' | fold -s -w 76 | sed 's/ *$//; s/^/  /'
echo
echo "demo: $ok/$total transfers OK"
[ "$ok" -eq 4 ] && [ "$total" -eq 4 ]
