#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Adversarial control connections through the ftpalg router, both ends
# played by raw_peer.py (fake client in the client netns, fake server on
# port 21 in the server netns), so every byte and segment boundary is
# chosen by the test:
#  - commands and replies split at every byte position (routed) and at a
#    few positions through SNAT (held until whole, the client retransmits);
#  - pipelined commands and replies, wrong-direction commands;
#  - unsolicited 227/229 (dropped: the client never gets them);
#  - PORT: expectation usable at once (the server may connect before its
#    200), withdrawn on 4xx/5xx;
#  - multi-line 227 and 150 replies;
#  - overflowing numbers, bogus EPRT forms (connection stays usable);
#  - lines injected in a segment that does not start a line, in order and
#    out of order; over-long lines; Telnet IAC/NUL; retransmissions;
#  - FTPS: AUTH TLS -> 234 -> binary, PORT/227 look-alikes inside TLS,
#    CCC resume; EPSV ALL; LPRT/LPSV;
#  - PORT floods against max_expected and netns_expect_max (the module is
#    reloaded with netns_expect_max=6 for that, then with defaults);
#    the cap counts live expectations only: not those withdrawn by a 5xx
#    or expired, which the kernel may keep linked until its garbage
#    collection (reloaded with netns_expect_max=2 and a short
#    expect_timeout);
#  - two connections announcing the same data endpoint: the second
#    expectation clashes, is counted expect_failed and logged via nf_log.
# The VM runner fails the run on any kernel WARN/BUG/oops.

# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

require_base
require_module
is_ftpalg || skip "ftpalg-only test (FTPALG_HELPER=$HELPER)"

NORECV=${FTPALG_NORECV:-2.5}	# seconds a dropped line is waited for
# Expectations are listed after scenarios that take minutes on a loaded
# machine or a sanitizer kernel: they must not expire before (the cap
# cases set their own).
EXP_TIMEOUT=$(scaled 600)
echo "$EXP_TIMEOUT" > "/sys/module/$FTPALG_MODULE/parameters/expect_timeout" ||
	skip "cannot set expect_timeout"

topo_create
# every write its own segment: no autocorking behind a queued one
for ns in "$NS_C" "$NS_S"; do
	nsx "$ns" sysctl -qw net.ipv4.tcp_autocorking=0 2>/dev/null
done

# ------------------------------------------------------------- helpers
# Under TCG every exec is slow, so the helpers below avoid forks: the fake
# peers run in batch mode (one python process per side for all
# scenarios), waits use "read -t" on a FIFO, and the router's counters and
# expectations are read through /proc/PID/net of a process in its netns.

router_counters_init

# fresh: no expectation left in the router, new counter snapshot.
fresh()
{
	nsx "$NS_R" conntrack -F expect >/dev/null 2>&1
	exp_read
	[ ${#EXP[@]} -eq 0 ] || {
		nsx "$NS_R" conntrack -F expect -f ipv6 >/dev/null 2>&1
		nsx "$NS_R" conntrack -F expect -f ipv4 >/dev/null 2>&1
	}
	stat_read ST0
}

raw_peers_start

# pair_finish DESC: the client must exit 0 and the server must have run
# its steps (a server still serving a stalled connection is stopped).
# Takes the counter snapshot ST1.
pair_finish()
{
	pair_wait
	if [ "$CRC" = 0 ] && server_ran_steps; then
		ktap_pass "$1"
		[ -n "${FTPALG_VERBOSE:-}" ] && diag "$(cat "$P_CLOG" "$P_SLOG")"
		return 0
	fi
	ktap_fail "$1 (client rc=$CRC, server rc=$SRC)"
	peer_logs
	return 1
}

# pair DESC NAME ADDR [server steps] -- [client steps]: start and finish.
pair()
{
	local desc=$1
	shift
	pair_start "$@"
	pair_finish "$desc"
}

# solo_start NAME ADDR [server steps] -- [client steps]: like pair_start
# but in processes of their own (for connections that must overlap).
solo_start()
{
	local addr
	P_NAME=$1 addr=$2
	shift 2
	split_steps "$@"
	P_SLOG=$TMPD/$P_NAME.srv
	P_CLOG=$TMPD/$P_NAME.cli
	nsx "$NS_S" timeout "$(scaled 120)" "$PYTHON" "$RAW" server --listen "$addr" \
		"${SERVER_STEPS[@]}" > "$P_SLOG" 2>&1 &
	P_SPID=$!
	_pids+=("$P_SPID")
	busywait 60000 has "$P_SLOG" LISTENING
	nsx "$NS_C" timeout "$(scaled 120)" "$PYTHON" "$RAW" client "$addr" \
		"${CLIENT_STEPS[@]}" > "$P_CLOG" 2>&1 &
	P_CPID=$!
	_pids+=("$P_CPID")
}

solo_finish()
{
	local desc=$1 crc src
	wait "$P_CPID"
	crc=$?
	kill "$P_SPID" 2>/dev/null
	wait "$P_SPID"
	src=$?
	stat_read ST1
	if [ $crc -eq 0 ] && ! has "$P_SLOG" FAIL; then
		ktap_pass "$desc"
		return 0
	fi
	ktap_fail "$desc (client rc=$crc, server rc=$src)"
	diag "$(tail -n 12 "$P_CLOG")"
	diag "$(tail -n 12 "$P_SLOG")"
	return 1
}

CRLF='\r\n'
PASV_EP() { echo "227 Entering Passive Mode (198,51,100,2,$(($1 >> 8)),$(($1 & 255)))"; }

check "routed: ruleset loads" router_rules nft -150 none || exit 1

# -------------------------------------- split at every byte position
# One connection per kind; every line is cut once, at each position in
# turn (also between CR and LF).  Ports are distinct and fixed-width.
s=() c=(gap:0.04) n=0
for i in $(seq 1 22); do	# "PORT 192,0,2,2,18,1NN\r\n" is 23 bytes
	c+=("cuts:$i:PORT 192,0,2,2,18,$((100 + i))$CRLF" "recv:^200 PORT" "pause:sp$i")
	n=$((n + 1))
done
fresh
pair_start split-port "$S4" serve -- "${c[@]}" noop
# after each line: was it reassembled (i.e. did the cut make two segments)?
prev=${ST0[reassembled]} missing=
for i in $(seq 1 22); do
	at_pause "sp$i" || break
	stat_read ST1
	[ "${ST1[reassembled]}" -gt "$prev" ] || missing+=" $i"
	prev=${ST1[reassembled]}
	release "sp$i"
done
pair_finish "split PORT at every position (22 cuts)"
cs "split PORT: every PORT parsed" cmd_port -eq $n
check "split PORT: every line counted reassembled (cut positions not counted:${missing:- none})" \
	test -z "$missing"
cs "split PORT: one expectation each" expect_created -eq $n
cs "split PORT: each accepted by its 200" active_accepted -eq $n
cs "split PORT: nothing malformed" malformed -eq 0
check_exp "split PORT: the last PORT is expected" "$(dp $((18 * 256 + 122)))" -eq 1

t="$(PASV_EP 40300)"
L=$((${#t} + 2))
s=(gap:0.04) c=() n=0
for i in $(seq 1 $((L - 1))); do
	s+=(recv:^PASV "cuts:$i:$(PASV_EP $((40300 + i)))$CRLF")
	c+=("send:PASV$CRLF" "recv:^227 ")
	n=$((n + 1))
done
fresh
pair "split 227 at every position ($n cuts)" split-227 "$S4" "${s[@]}" serve -- \
	"${c[@]}" noop
cs "split 227: every 227 parsed" reply_pasv -eq $n
cs "split 227: one expectation each" expect_created -eq $n
cs "split 227: none refused" refused_unsolicited -eq 0
check_exp "split 227: the last 227 is expected" "$(dp $((40300 + n)))" -eq 1

s=() c=(gap:0.04) n=0
for i in $(seq 1 28); do	# "EPRT |2|2001:db8:1::2|5NNN|\r\n" is 29 bytes
	c+=("cuts:$i:EPRT |2|$C6|$((5100 + i))|$CRLF" "recv:^200 EPRT")
	n=$((n + 1))
done
fresh
pair "ipv6: split EPRT at every position ($n cuts)" split-eprt "$S6" serve -- \
	"${c[@]}" noop
cs "split EPRT: every EPRT parsed" cmd_eprt -eq $n
cs "split EPRT: one expectation each" expect_created -eq $n
cs "split EPRT: every line reassembled" reassembled -ge $n

s=(gap:0.04) c=() n=0
for i in 1 3 4 5 20 36 38 40 42 43 44 45 46 47; do	# 48 bytes
	s+=(recv:^EPSV "cuts:$i:229 Entering Extended Passive Mode (|||$((41100 + i))|)$CRLF")
	c+=("send:EPSV$CRLF" "recv:^229 ")
	n=$((n + 1))
done
fresh
pair "ipv6: split 229 at $n positions" split-229 "$S6" "${s[@]}" serve -- \
	"${c[@]}" noop
cs "split 229: every 229 parsed" reply_epsv -eq $n
cs "split 229: one expectation each" expect_created -eq $n

# ------------------------------------------------ pipelined commands
fresh
pair "pipelined NOOP+PASV+PORT+NOOP in one segment" pipe1 "$S4" serve -- \
	"send:NOOP${CRLF}PASV${CRLF}PORT 192,0,2,2,18,1${CRLF}NOOP$CRLF" \
	"recv:^200 NOOP" "recv:^227 " "recv:^200 PORT" "recv:^200 NOOP" noop
cs "pipelined: 227 answered the PASV" reply_pasv -eq 1
cs "pipelined: PORT seen" cmd_port -eq 1
cs "pipelined: two expectations" expect_created -eq 2
cs "pipelined: PORT accepted by its 200" active_accepted -eq 1
cs "pipelined: nothing refused" refused_unsolicited -eq 0
check_exp "pipelined: passive expectation" "$(dp 40000)" -eq 1
check_exp "pipelined: active expectation, active" "$(dp 4609)" -eq 1
check_exp "pipelined: active expectation not INACTIVE" "$(dp 4609).*INACTIVE" -eq 0

# replies pipelined too, and the PORT refused: 200, 227 and 500 in one
# segment must be matched to NOOP, PASV and PORT in order.
fresh
pair "pipelined replies 200+227+500 in one segment" pipe2 "$S4" \
	recv:^NOOP recv:^PASV recv:^PORT \
	"send:200 NOOP ok$CRLF$(PASV_EP 40010)${CRLF}500 Illegal PORT$CRLF" serve -- \
	"send:NOOP${CRLF}PASV${CRLF}PORT 192,0,2,2,18,2$CRLF" \
	"recv:^200 NOOP" "recv:^227 " "recv:^500" noop
cs "pipelined replies: passive expectation created" reply_pasv -eq 1
cs "pipelined replies: PORT's expectation withdrawn" expect_withdrawn -eq 1
check_exp "pipelined replies: passive expectation" "$(dp 40010)" -eq 1
check_exp "pipelined replies: no active expectation" "$(dp 4610)" -eq 0

# ------------------------------------------- wrong-direction commands
fresh
pair "wrong direction: PORT/EPRT from the server, 227/229 from the client" \
	wrongdir "$S4" \
	"send:PORT 198,51,100,2,18,3$CRLF" "send:EPRT |1|$S4|4612|$CRLF" serve -- \
	"recv:^PORT 198" "recv:^EPRT " \
	"send:$(PASV_EP 40020)$CRLF" "recv:^500" \
	"send:229 Entering Extended Passive Mode (|||40021|)$CRLF" "recv:^500" \
	"send:PASV$CRLF" "recv:^227 " noop
cs "wrong direction: no PORT/EPRT counted" cmd_port -eq 0
cs "wrong direction: only the real 227 counted" reply_pasv -eq 1
cs "wrong direction: nothing refused" refused_unsolicited -eq 0
cs "wrong direction: one expectation (the real PASV)" expect_created -eq 1
check_exp "wrong direction: nothing expected for the fake lines" \
	"$(dp 4611)|$(dp 4612)|$(dp 40020)|$(dp 40021)" -eq 0

# --------------------------------------------- unsolicited 227 / 229
fresh
pair "unsolicited 227 after a NOOP's 200 never reaches the client" unsol1 "$S4" \
	recv:^NOOP "send:200 NOOP ok$CRLF" "send:$(PASV_EP 40030)$CRLF" serve -- \
	"send:NOOP$CRLF" "recv:^200 NOOP" "norecv:$NORECV:227"
cs "unsolicited 227: refused" refused_unsolicited -ge 1
check_exp "unsolicited 227: no expectation" "$(dp 40030)" -eq 0

fresh
pair "unsolicited 229 right after the greeting never reaches the client" unsol2 "$S4" \
	"send:229 Entering Extended Passive Mode (|||40031|)$CRLF" serve -- \
	"norecv:$NORECV:229"
cs "unsolicited 229: refused" refused_unsolicited -ge 1
cs "unsolicited 229: no expectation" expect_created -eq 0

fresh
pair "227 answering a PORT never reaches the client" unsol3 "$S4" \
	recv:^PORT "send:$(PASV_EP 40032)$CRLF" serve -- \
	"send:PORT 192,0,2,2,18,4$CRLF" "norecv:$NORECV:227"
cs "227 for PORT: refused" refused_unsolicited -ge 1
check_exp "227 for PORT: no passive expectation" "$(dp 40032)" -eq 0

fresh
pair "second 227 for one PASV never reaches the client" unsol4 "$S4" \
	recv:^PASV "send:$(PASV_EP 40033)$CRLF" "send:$(PASV_EP 40034)$CRLF" serve -- \
	"send:PASV$CRLF" "recv:^227 .*,156,97\\)" "norecv:$NORECV:227"
cs "second 227: the first one expected" expect_created -eq 1
cs "second 227: refused" refused_unsolicited -ge 1
check_exp "second 227: only the first port expected" "$(dp 40033)" -eq 1
check_exp "second 227: the second port not expected" "$(dp 40034)" -eq 0

fresh
pair "ipv6: unsolicited 229 after a NOOP never reaches the client" unsol6 "$S6" \
	recv:^NOOP "send:200 NOOP ok$CRLF" \
	"send:229 Entering Extended Passive Mode (|||40035|)$CRLF" serve -- \
	"send:NOOP$CRLF" "recv:^200 NOOP" "norecv:$NORECV:229"
cs "ipv6 unsolicited 229: refused" refused_unsolicited -ge 1
cs "ipv6 unsolicited 229: no expectation" expect_created -eq 0

# ------------------------------- PORT: usable at once, 4xx/5xx withdraw
fresh
pair_start port500 "$S4" recv:^PORT pause:f500 \
	"send:500 Illegal PORT command$CRLF" noconnect:2:4621 serve -- \
	listen:4621 "send:PORT 192,0,2,2,18,13$CRLF" "recv:^500" noaccept:0.5 noop
if at_pause f500; then
	check_exp "PORT before its reply: expectation listed" "$(dp 4621)" -eq 1
	check_exp "PORT before its reply: expectation usable (not INACTIVE)" \
		"$(dp 4621).*INACTIVE" -eq 0
fi
release f500
pair_finish "PORT then 500: the server cannot connect after the refusal, client usable"
check_exp "PORT then 500: expectation removed" "$(dp 4621)" -eq 0
cs "PORT then 500: withdrawn" expect_withdrawn -eq 1
cs "PORT then 500: not accepted" active_accepted -eq 0

# pyftpdlib's order: the server connects as soon as it has the PORT, and
# answers 200 only once connected.
fresh
before=$(nft_counter related_alg)
pair "PORT, connect, then 200: data connection before the reply" port200 "$S4" \
	recv:^PORT connect:5:4622 "send:200 PORT command successful$CRLF" serve -- \
	listen:4622 "send:PORT 192,0,2,2,18,14$CRLF" accept:10 "recv:^200 PORT" noop
cs "PORT, connect, 200: accepted" active_accepted -eq 1
cs "PORT, connect, 200: not withdrawn" expect_withdrawn -eq 0
after=$(nft_counter related_alg)
check "PORT, connect, 200: data connection RELATED ($before -> $after)" \
	test "${after:-0}" -gt "${before:-0}"

# pipelined PORTs, the first refused: only its expectation goes.
fresh
pair "pipelined PORT, EPRT: 501 then 200" port2 "$S4" \
	recv:^PORT recv:^EPRT \
	"send:501 Illegal PORT command${CRLF}200 EPRT ok$CRLF" serve -- \
	"send:PORT 192,0,2,2,18,18${CRLF}EPRT |1|$C4|4627|$CRLF" \
	"recv:^501" "recv:^200 EPRT" noop
cs "pipelined PORT, EPRT: one withdrawn" expect_withdrawn -eq 1
cs "pipelined PORT, EPRT: one accepted" active_accepted -eq 1
check_exp "pipelined PORT, EPRT: the refused PORT not expected" "$(dp 4626)" -eq 0
check_exp "pipelined PORT, EPRT: the accepted EPRT expected" "$(dp 4627)" -eq 1

fresh
pair "PORT then 450, EPRT then 200-multi-line, PORT then 530" port4xx "$S4" \
	recv:^PORT "send:450 busy$CRLF" \
	recv:^EPRT "send:200-EPRT${CRLF}200-still going${CRLF}200 EPRT ok$CRLF" \
	recv:^PORT "send:530 not logged in$CRLF" serve -- \
	"send:PORT 192,0,2,2,18,15$CRLF" "recv:^450" \
	"send:EPRT |1|$C4|4624|$CRLF" "recv:^200 EPRT" \
	"send:PORT 192,0,2,2,18,17$CRLF" "recv:^530" noop
cs "4xx/5xx/2xx: two withdrawn" expect_withdrawn -eq 2
cs "4xx/5xx/2xx: one accepted" active_accepted -eq 1
check_exp "4xx/5xx/2xx: only the accepted EPRT expected" "$(dp 4623)|$(dp 4624)|$(dp 4625)" -eq 1
check_exp "4xx/5xx/2xx: the accepted EPRT is active" "$(dp 4624).*INACTIVE" -eq 0

# A refusal in a segment that is dropped (a later line in it is refused)
# withdraws nothing: the session is restored, and each retransmission
# must not withdraw the next older expectation.
fresh
pair "PORT refused in a dropped segment: its retransmissions withdraw nothing" \
	dropref "$S4" \
	recv:^EPRT "send:200 EPRT ok$CRLF" recv:^PORT \
	"send:500 Illegal PORT command$CRLF$(PASV_EP 40036)$CRLF" serve -- \
	"send:EPRT |1|$C4|4628|$CRLF" "recv:^200 EPRT" \
	"send:PORT 192,0,2,2,18,21$CRLF" "norecv:$NORECV:500"
cs "dropped refusal: the unsolicited 227 refused" refused_unsolicited -ge 1
cs "dropped refusal: nothing withdrawn" expect_withdrawn -eq 0
check_exp "dropped refusal: the accepted EPRT still expected" "$(dp 4628)" -eq 1

# --------------------------------------------------- multi-line replies
fresh
pair "multi-line 227 cut into segments" ml227 "$S4" recv:^PASV \
	"cuts:10,60,75:227-Entering Passive Mode (198,51,100,2,157,200)${CRLF}227-again (198,51,100,2,157,201)${CRLF}227 done$CRLF" \
	serve -- "send:PASV$CRLF" "recv:^227 done" noop
cs "multi-line 227: one event" reply_pasv -eq 1
check_exp "multi-line 227: the first tuple expected" "$(dp 40392)" -eq 1
check_exp "multi-line 227: the inner tuple not expected" "$(dp 40393)" -eq 0
cs "multi-line 227: nothing refused" refused_unsolicited -eq 0

fresh
pair "multi-line 150 with a 227 look-alike inside, then PASV" ml150 "$S4" \
	recv:^RETR "send:150-Opening data connection$CRLF" \
	"send:$(PASV_EP 40040)$CRLF" "send: $(PASV_EP 40041)$CRLF" \
	"send:150 go$CRLF" "send:226 done$CRLF" serve -- \
	"send:RETR x$CRLF" "recv:^227 .*,156,104\\)" "recv:^150 go" "recv:^226" \
	"send:PASV$CRLF" "recv:^227 .*,156,64\\)" noop
cs "multi-line 150: no refusal" refused_unsolicited -eq 0
check_exp "multi-line 150: inner 227 lines not expected" "$(dp 40040)|$(dp 40041)" -eq 0
check_exp "multi-line 150: the real PASV expected" "$(dp 40000)" -eq 1

# -------------------------------------------------------- numbers
MAL_C=(
	'PORT 192,0,2,256,18,1'
	'PORT 192,0,2,2,0,0'
	'PORT 192,0,2,2,256,1'
	'PORT 192,0,2,2,18,999'
	'PORT 4294967488,0,2,2,18,1'
	'PORT 192,0,2,2,18,0001'
	'PORT 192,0,2,2,-18,1'
	"EPRT |1|$C4|70000|"
	"EPRT |1|$C4|65536|"
	"EPRT |1|$C4|0|"
	"EPRT |1|$C4|99999999999999999999|"
	"EPRT |3|$C4|5000|"
	"EPRT |2|$C4|5000|"
	"EPRT |1!$C4!5000!"
	"EPRT \\x7f1\\x7f$C4\\x7f5000\\x7f"
	"EPRT  1 $C4 5000 "
	"EPRT 11${C4}15000"
	"EPRT |1|$C4|5000"
	"EPRT |1|192.0.2.2.|5000|"
)
c=()
for l in "${MAL_C[@]}"; do
	c+=("send:$l$CRLF" "recv:^[25]00")
done
fresh
pair "${#MAL_C[@]} malformed PORT/EPRT, then NOOP answered" mal4 "$S4" serve -- \
	"${c[@]}" noop "send:EPRT !1!$C4!4630!$CRLF" "recv:^200 EPRT" noop
cs "malformed ipv4: each counted" malformed -eq ${#MAL_C[@]}
cs "malformed ipv4: only the valid EPRT (! delimiter) expected" expect_created -eq 1
check_exp "malformed ipv4: the valid EPRT expected" "$(dp 4630)" -eq 1

MAL_6=(
	"EPRT |2|fe80::1%eth0|5000|"
	"EPRT |2|$C6%1|5000|"
	"EPRT |2|[$C6]|5000|"
	"EPRT |2|2001:db8:1::2::1|5000|"
	"EPRT |2|2001:db8:1:0:0:0:0:0:2|5000|"
	"EPRT |1|$C6|5000|"
	"EPRT |2|$C6|65536|"
	"EPRT |4|$C6|5000|"
)
c=()
for l in "${MAL_6[@]}"; do
	c+=("send:$l$CRLF" "recv:^[25]00")
done
fresh
pair "ipv6: ${#MAL_6[@]} malformed EPRT (zone ids, brackets, families), then NOOP" \
	mal6 "$S6" serve -- "${c[@]}" noop
cs "malformed ipv6: each counted" malformed -eq ${#MAL_6[@]}
cs "malformed ipv6: no expectation" expect_created -eq 0

# server side: bad 227/229 numbers reach the client, counted, nothing expected
MAL_S=(
	"227 Entering Passive Mode (198,51,100,300,156,64)"
	"227 Entering Passive Mode (198,51,100,2,256,1)"
	"227 Entering Passive Mode (198,51,100,2,0,0)"
	"227 Entering Passive Mode (198,51,100,2,156)"
	"227 Entering Passive Mode (1198,51,100,2,156,64)"
	"229 Entering Extended Passive Mode (|||70000|)"
	"229 Entering Extended Passive Mode (|||0|)"
	"229 Entering Extended Passive Mode (|||65536|)"
	"229 Entering Extended Passive Mode (||||)"
	"229 Entering Extended Passive Mode (|1|$S4|40050|)"
)
s=() c=()
for l in "${MAL_S[@]}"; do
	s+=(recv:^PASV "send:$l$CRLF")
	c+=("send:PASV$CRLF" "recv:^${l:0:3} ")
done
fresh
pair "${#MAL_S[@]} malformed 227/229 reach the client, then NOOP" mals "$S4" \
	"${s[@]}" serve -- "${c[@]}" noop "send:PASV$CRLF" "recv:^227 " noop
cs "malformed 227/229: each counted" malformed -eq ${#MAL_S[@]}
cs "malformed 227/229: none refused" refused_unsolicited -eq 0
cs "malformed 227/229: only the final real PASV expected" expect_created -eq 1

# EPRT naming the other family than the connection's: never the client's
# own address, so a bounce (refused under the default "bounce drop")
fresh
pair "ipv4 connection: EPRT |2| with an IPv6 address is refused" eprtfam4 "$S4" \
	"norecv:$NORECV:EPRT" -- "send:EPRT |2|$C6|5000|$CRLF" "norecv:$NORECV:"
cs "EPRT |2| on ipv4: refused as a bounce" refused_bounce -ge 1
cs "EPRT |2| on ipv4: no expectation" expect_created -eq 0
fresh
pair "ipv6 connection: EPRT |1| with an IPv4 address is refused" eprtfam6 "$S6" \
	"norecv:$NORECV:EPRT" -- "send:EPRT |1|$C4|5000|$CRLF" "norecv:$NORECV:"
cs "EPRT |1| on ipv6: refused as a bounce" refused_bounce -ge 1
cs "EPRT |1| on ipv6: no expectation" expect_created -eq 0

# -------------------------------- injected lines not at a line start
fresh
pair "in order: PORT/227 starting a segment but not a line" inject "$S4" \
	recv:^PASV "cuts:5:500 x$(PASV_EP 40060)$CRLF" serve -- \
	"send:PASV$CRLF" "recv:^500 x227" \
	"cuts:6:NOOP xPORT 192,0,2,2,18,40$CRLF" "recv:^200 NOOP" \
	"cuts:30:NOOP xxxxxxxxxxxxxxxxxxxxxxxxxPORT 192,0,2,2,18,41$CRLF" "recv:^200 NOOP" \
	"cuts:8:XYZZY \\x00\\xffPORT 192,0,2,2,18,42$CRLF" "recv:^500" noop
cs "injected in order: no PORT" cmd_port -eq 0
cs "injected in order: no 227" reply_pasv -eq 0
cs "injected in order: no expectation" expect_created -eq 0

IH_SKIP=
nft_inner_payload "$NS_R" || IH_SKIP="nft cannot match @ih here (needs Linux 5.16)"

# skip_all REASON DESC...: each DESC reported as skipped for REASON.
skip_all()
{
	local why=$1 d
	shift
	for d in "$@"; do
		ktap_skip "$d" "$why"
	done
}

# out of order: the router drops the first segment once, so the helper
# sees the segment starting with "PORT"/"227" before the line's start: it
# drops it (reordered) until the line's start came, then judges the line
# whole: "NOOP xPORT ..." and "500 x227 ..." are no PORT and no 227.
if [ -n "$IH_SKIP" ]; then
	skip_all "$IH_SKIP" "out of order: segment starting mid-line with PORT / 227" \
		"out of order: the router dropped both line starts once" \
		"out of order: segments ahead of the gap dropped" \
		"out of order: no PORT" "out of order: no 227" \
		"out of order: no expectation"
else
nsx "$NS_R" nft -f - <<-EOF
	table inet ftpalg_drop1 {
		counter dropped { }
		chain dropper {
			type filter hook forward priority -10; policy accept;
			tcp dport $CTRL_PORT @ih,0,48 0x4e4f4f502078 ct mark & 0x1 == 0x0 ct mark set ct mark | 0x1 counter name "dropped" drop
			tcp sport $CTRL_PORT @ih,0,40 0x3530302078 ct mark & 0x2 == 0x0 ct mark set ct mark | 0x2 counter name "dropped" drop
		}
	}
EOF
fresh
pair "out of order: segment starting mid-line with PORT / 227" inject-ooo "$S4" \
	recv:^PASV "cuts:5:500 x$(PASV_EP 40061)$CRLF" serve -- \
	"send:PASV$CRLF" "recv:^500 x227" \
	"cuts:6:NOOP xPORT 192,0,2,2,18,43$CRLF" "recv:^200 NOOP" noop
dropped=$(nsx "$NS_R" nft list counter inet ftpalg_drop1 dropped | sed -n 's/.*packets \([0-9]*\).*/\1/p')
check "out of order: the router dropped both line starts once" test "${dropped:-0}" -eq 2
cs "out of order: segments ahead of the gap dropped" reordered -ge 2
cs "out of order: no PORT" cmd_port -eq 0
cs "out of order: no 227" reply_pasv -eq 0
cs "out of order: no expectation" expect_created -eq 0
nsx "$NS_R" nft delete table inet ftpalg_drop1
fi

# ------------------------------------------------------ over-long lines
pad=$(printf '%300s' '')
fresh
pair "over-long PORT line across segments, then a valid PORT" overlong "$S4" serve -- \
	"cuts:320:PORT 192,0,2,2,18,50$pad$pad$CRLF" "recv:^200 PORT" \
	"cuts:300:NOOP$pad${pad}PORT 192,0,2,2,18,51$CRLF" "recv:^200 NOOP" \
	"send:PORT 192,0,2,2,18,52$CRLF" "recv:^200 PORT" noop
cs "over-long split: counted" overlong -ge 1
check_exp "over-long split: no expectation for the long lines" "$(dp 4658)|$(dp 4659)" -eq 0
check_exp "over-long split: the next valid PORT expected" "$(dp 4660)" -eq 1

fresh
pair "over-long (622 byte) PORT line in one segment" overlong1 "$S4" serve -- \
	"send:PORT 192,0,2,2,18,53$pad$pad$CRLF" "recv:^200 PORT" noop
cs "over-long in one segment: counted" overlong -ge 1
check_exp "over-long in one segment: not parsed, no expectation" "$(dp 4661)" -eq 0

# ------------------------------------------------ Telnet IAC and NULs
fresh
pair "Telnet IAC / NUL before the verb, IAC split from the rest" telnet "$S4" serve -- \
	"send:\\xff\\xf4\\xff\\xf2PORT 192,0,2,2,18,60$CRLF" "recv:^200 PORT" \
	"send:\\x00\\x00PORT 192,0,2,2,18,61$CRLF" "recv:^200 PORT" \
	"cuts:1:\\xff\\xf4PORT 192,0,2,2,18,62$CRLF" "recv:^200 PORT" \
	"send:NO\\xff\\xf1OP$CRLF" "recv:^[25]00" \
	"send:\\xff\\xff\\xff\\xff\\x00$CRLF" "recv:^500" noop
cs "telnet: three PORTs parsed" cmd_port -eq 3
check_exp "telnet: three expectations" "$(dp 4668)|$(dp 4669)|$(dp 4670)" -eq 3
cs "telnet: all accepted" active_accepted -eq 3

# ---------------------------------------- retransmissions / overlaps
# The server netns drops the first copy of a segment starting "PORT"
# once per connection: the helper has already seen it, the client
# retransmits (possibly coalesced with the next segment: overlap).
drop_port_once()
{
	nsx "$NS_S" nft -f - <<-EOF
	table inet ftpalg_drop1 {
		counter dropped { }
		chain pre {
			type filter hook prerouting priority 0; policy accept;
			tcp dport $CTRL_PORT @ih,0,32 0x504f5254 ct mark & 0x4 == 0x0 ct mark set ct mark | 0x4 counter name "dropped" drop
		}
	}
	EOF
}
if [ -n "$IH_SKIP" ]; then
	skip_all "$IH_SKIP" "retransmitted PORT (first copy lost after the router)" \
		"retransmit: the server lost the first copy" \
		"retransmit: PORTs parsed once each" \
		"retransmit: one expectation each" "retransmit: each listed once"
else
drop_port_once
fresh
pair "retransmitted PORT (first copy lost after the router)" retrans "$S4" serve -- \
	"send:PORT 192,0,2,2,18,70$CRLF" "send:NOOP$CRLF" \
	"recv:^200 PORT" "recv:^200 NOOP" \
	"cuts:8:PORT 192,0,2,2,18,71$CRLF" "send:NOOP$CRLF" \
	"recv:^200 PORT" "recv:^200 NOOP" noop
dropped=$(nsx "$NS_S" nft list counter inet ftpalg_drop1 dropped | sed -n 's/.*packets \([0-9]*\).*/\1/p')
check "retransmit: the server lost the first copy" test "${dropped:-0}" -ge 1
cs "retransmit: PORTs parsed once each" cmd_port -eq 2
cs "retransmit: one expectation each" expect_created -eq 2
check_exp "retransmit: each listed once" "$(dp 4678)|$(dp 4679)" -eq 2
nsx "$NS_S" nft delete table inet ftpalg_drop1
fi

# ---------------------------------------------------------------- FTPS
ALERT='\x15\x03\x03\x00\x02\x01\x00'
TLS_S=(recv:^AUTH "send:234 Proceed with negotiation.$CRLF" recvbytes:205
	"rand:100:\\x16\\x03\\x03\\x00\\x60"
	"recv:PORT 192,0,2,2,18,80\$" "recv:EPRT \\|1\\|$C4\\|4689\\|\$"
	"recv:LPRT 4,4," "recv:EPSV ALL\$" "recv:PASV\$"
	"send:$(PASV_EP 40070)$CRLF" "cuts:3:229 Entering Extended Passive Mode (|||40071|)$CRLF"
	"rand:60:P" "rand:60:E" "rand:60:2" "rand:60:227 (" "tls:300")
TLS_C=("send:AUTH TLS$CRLF" "recv:^234"
	"rand:200:\\x16\\x03\\x01\\x00\\xc8"
	"send:PORT 192,0,2,2,18,80$CRLF" "cuts:3:EPRT |1|$C4|4689|$CRLF"
	"send:LPRT 4,4,192,0,2,2,2,18,90$CRLF" "send:EPSV ALL$CRLF" "send:PASV$CRLF"
	"recv:227 Entering Passive Mode \\(198,51,100,2,156,134\\)"
	"recv:229 Entering Extended Passive Mode \\(\\|\\|\\|40071\\|\\)"
	"recvbytes:245" "rand:40:PORT " "tls:100")
fresh
pair "FTPS: AUTH TLS, 234, PORT/227 look-alikes inside TLS pass untouched" tls "$S4" \
	"${TLS_S[@]}" serve -- "${TLS_C[@]}"
cs "FTPS: TLS counted" tls -eq 1
cs "FTPS: opaque segments counted" opaque_segments -ge 12
cs "FTPS: nothing parsed" cmd_port -eq 0
cs "FTPS: no 227 parsed" reply_pasv -eq 0
cs "FTPS: nothing refused (LPRT)" refused_long_addr -eq 0
cs "FTPS: nothing refused (227)" refused_unsolicited -eq 0
cs "FTPS: no expectation" expect_created -eq 0

topo_routes snat
check "snat: ruleset loads" router_rules nft -150 snat
fresh
TLS_S[0]=recv:^AUTH
pair "FTPS through SNAT (AUTH SSL): look-alikes neither mangled nor held" tls-snat "$S4" \
	"${TLS_S[@]}" serve -- "send:AUTH SSL$CRLF" "${TLS_C[@]:1}"
cs "FTPS snat: TLS counted" tls -eq 1
cs "FTPS snat: not rewritten" nat_rewrite -eq 0
cs "FTPS snat: not held" nat_hold -eq 0
cs "FTPS snat: no expectation" expect_created -eq 0

# ------------------------------------------- SNAT: split at a few places
s=() c=(gap:0.05) n=0
for i in 1 4 5 12 19 21 22; do	# "PORT 192,0,2,2,18,1NN\r\n" is 23 bytes
	s+=("recv:^PORT 203,0,113,1,[0-9]+,[0-9]+\$" "send:200 PORT ok$CRLF")
	c+=("cuts:$i:PORT 192,0,2,2,18,$((100 + i))$CRLF" "recv:^200 PORT")
	n=$((n + 1))
done
fresh
pair "snat: PORT split at $n positions arrives whole and rewritten" snat-split "$S4" \
	"${s[@]}" serve -- "${c[@]}" noop
cs "snat split: segments held" nat_hold -ge $n
cs "snat split: every PORT rewritten" nat_rewrite -ge $n
cs "snat split: one expectation each" expect_created -eq $n

# A writer slower than its own retransmission timeout: after the timeout the
# client resends only "PORT" and sends nothing more until that is
# acknowledged.  ftpalg must stop holding (the line goes on unchanged, so
# the server refuses the foreign address), not stall the connection.
fresh
pair "snat: PORT written slower than the client's RTO goes on unchanged, no stall" \
	snat-slow "$S4" "timeout:20" "recv:^PORT 192,0,2,2,18,90\$" \
	"send:500 Illegal PORT command.$CRLF" serve -- \
	timeout:20 gap:0.4 "cuts:4,9,14:PORT 192,0,2,2,18,90$CRLF" "recv:^500" noop
cs "snat slow writer: holding given up (nat_failed)" nat_failed -ge 1
cs "snat slow writer: not rewritten" nat_rewrite -eq 0
cs "snat slow writer: no expectation" expect_created -eq 0

# a retransmitted, rewritten PORT must carry the same rewrite.
# The lost PORT alone.  Followed at once by a NOOP that the server SACKs
# before the retransmitted PORT arrives, the connection is reset by
# conntrack on the router (not by ftpalg: resets_sent stays 0); suspected
# cause: nf_conntrack's TCP window check compares SACK edges without the
# seqadj offset.  Not fixable in the module, so it is reported, not run.
ktap_skip "snat: lost rewritten PORT followed by SACKed data" \
	"suspected conntrack limitation (SACK edges vs seqadj), see comment"
if [ -n "$IH_SKIP" ]; then
	skip_all "$IH_SKIP" "snat: lost rewritten PORT is rewritten the same on retransmission" \
		"snat retransmit: the server got the expected port" \
		"snat retransmit: one expectation" "snat retransmit: no reset"
else
	drop_port_once
	fresh
	pair "snat: lost rewritten PORT is rewritten the same on retransmission" \
		snat-retrans "$S4" \
		"recv:^PORT 203,0,113,1," "send:200 PORT ok$CRLF" serve -- \
		"send:PORT 192,0,2,2,18,72$CRLF" "recv:^200 PORT" noop
	got=$(sed -n 's/.*recv b.PORT 203,0,113,1,\([0-9]*\),\([0-9]*\).*/\1 \2/p' \
		"$TMPD/snat-retrans.srv" | head -n1)
	if [ -n "$got" ]; then
		port=$(( ${got% *} * 256 + ${got#* } ))
		check_exp "snat retransmit: the server got the expected port ($port)" "$(dp $port)" -eq 1
	else
		ktap_fail "snat retransmit: the server got a rewritten PORT"
	fi
	cs "snat retransmit: one expectation" expect_created -eq 1
	cs "snat retransmit: no reset" resets_sent -eq 0
	nsx "$NS_S" nft delete table inet ftpalg_drop1
fi

# CCC: back to plain text after both TLS alerts (routed)
topo_routes routed
check "routed again: ruleset loads" router_rules nft -150 none
fresh
pair "FTPS then CCC: parsing resumes after both alerts" ccc "$S4" \
	recv:^AUTH "send:234 Proceed$CRLF" recvbytes:205 "rand:100:\\x16\\x03\\x03\\x00\\x60" \
	"recvbytes:7" "send:$ALERT" \
	"recv:^PORT 192,0,2,2,18,90\$" "send:200 PORT ok$CRLF" serve -- \
	"send:AUTH TLS$CRLF" "recv:^234" "rand:200:\\x16\\x03\\x01\\x00\\xc8" \
	"recvbytes:105" "send:$ALERT" "recvbytes:7" \
	"send:PORT 192,0,2,2,18,90$CRLF" "recv:^200 PORT" \
	"send:PASV$CRLF" "recv:^227 " noop
cs "CCC: TLS counted" tls -eq 1
cs "CCC: PORT parsed after the alerts" cmd_port -eq 1
cs "CCC: two expectations" expect_created -eq 2
check_exp "CCC: PORT and PASV expected" "$(dp 4698)|$(dp 40000)" -eq 2

# a refused AUTH does not make the connection opaque
fresh
pair "AUTH TLS refused: PORT still parsed" authno "$S4" serve -- \
	"send:AUTH TLS$CRLF" "recv:^500" "send:PORT 192,0,2,2,18,91$CRLF" "recv:^200 PORT" noop
cs "AUTH refused: no TLS" tls -eq 0
check_exp "AUTH refused: PORT expected" "$(dp 4699)" -eq 1

# ------------------------------------------------------------ EPSV ALL
fresh
pair "EPSV ALL accepted: EPSV works, then PORT is refused" epsvall1 "$S4" \
	recv:"^EPSV ALL" "send:200 EPSV ALL ok$CRLF" recv:^EPSV \
	"send:229 Entering Extended Passive Mode (|||40080|)$CRLF" "norecv:$NORECV:PORT" -- \
	"send:EPSV ALL$CRLF" "recv:^200" "send:EPSV$CRLF" "recv:^229" \
	"send:PORT 192,0,2,2,18,100$CRLF" "norecv:$NORECV:"
cs "EPSV ALL + PORT: refused" refused_epsv_all -ge 1
check_exp "EPSV ALL + PORT: only the EPSV expected" "$(dp 40080)|$(dp 4708)" -eq 1
check_exp "EPSV ALL + PORT: no active expectation" "$(dp 4708)" -eq 0
fresh
pair "EPSV ALL accepted: PASV is refused" epsvall2 "$S4" \
	recv:"^EPSV ALL" "send:200 EPSV ALL ok$CRLF" "norecv:$NORECV:PASV" -- \
	"send:EPSV ALL$CRLF" "recv:^200" "send:PASV$CRLF" "norecv:$NORECV:"
cs "EPSV ALL + PASV: refused" refused_epsv_all -ge 1
fresh
pair "ipv6: EPSV ALL accepted: EPRT is refused" epsvall3 "$S6" \
	recv:"^EPSV ALL" "send:200 EPSV ALL ok$CRLF" "norecv:$NORECV:EPRT" -- \
	"send:EPSV ALL$CRLF" "recv:^200" "send:EPRT |2|$C6|4710|$CRLF" "norecv:$NORECV:"
cs "EPSV ALL + EPRT: refused" refused_epsv_all -ge 1
cs "EPSV ALL + EPRT: no expectation" expect_created -eq 0
fresh
pair "EPSV ALL refused by the server: PORT still allowed" epsvall4 "$S4" \
	recv:"^EPSV ALL" "send:500 no$CRLF" serve -- \
	"send:EPSV ALL$CRLF" "recv:^500" "send:PORT 192,0,2,2,18,101$CRLF" "recv:^200 PORT" noop
cs "EPSV ALL refused: nothing refused by the ALG" refused_epsv_all -eq 0
check_exp "EPSV ALL refused: PORT expected" "$(dp 4709)" -eq 1

# ----------------------------------------------------------- LPRT/LPSV
fresh
pair "LPRT is refused" lprt "$S4" "norecv:$NORECV:LPRT" -- \
	"send:LPRT 4,4,192,0,2,2,2,18,110$CRLF" "norecv:$NORECV:"
cs "LPRT: refused" refused_long_addr -ge 1
cs "LPRT: no expectation" expect_created -eq 0
fresh
pair "LPSV is refused" lpsv "$S4" "norecv:$NORECV:LPSV" -- \
	"send:LPSV$CRLF" "norecv:$NORECV:"
cs "LPSV: refused" refused_long_addr -ge 1

# ------------------------------------------ per-connection PORT flood
MAXEXP=$(cat /sys/module/"$FTPALG_MODULE"/parameters/max_expected 2>/dev/null || echo 4)
c=() n=0
for i in $(seq 1 12); do
	c+=("send:PORT 192,0,2,2,19,$i$CRLF" "recv:^200 PORT")
	n=$((n + 1))
done
fresh
pair_start flood "$S4" serve -- "${c[@]}" noop pause:flood
if at_pause flood; then
	check_exp "PORT flood ($n): at most max_expected=$MAXEXP pending" "dport=" -le "$MAXEXP"
	check_exp "PORT flood: the newest PORT is pending" "$(dp $((19 * 256 + 12)))" -eq 1
	check_exp "PORT flood: the oldest PORT was evicted" "$(dp $((19 * 256 + 1)))" -eq 0
fi
release flood
pair_finish "PORT flood: connection usable"
cs "PORT flood: every PORT expected once" expect_created -eq $n

c=()
for i in $(seq 1 6); do
	c+=("send:PORT 192,0,2,2,20,$i$CRLF" "recv:^200 PORT" "send:PASV$CRLF" "recv:^227 ")
done
fresh
pair_start flood2 "$S4" serve -- "${c[@]}" noop pause:flood2
if at_pause flood2; then
	# max_expected applies per mode: active and passive each
	check_exp "PORT+PASV flood: at most max_expected=$MAXEXP pending per mode" \
		"dport=" -le "$((2 * MAXEXP))"
fi
release flood2
pair_finish "PORT+PASV flood: connection usable"

# ------------------------------------------------ namespace cap
# Reload with netns_expect_max=6: two connections with 4 PORTs each.
reload()
{
	nsx "$NS_R" nft flush ruleset
	fresh
	rmmod "$FTPALG_MODULE" &&
		modprobe "$FTPALG_MODULE" expect_timeout="$EXP_TIMEOUT" "$@"
}
if check "reload with netns_expect_max=6" reload netns_expect_max=6; then
	router_rules nft -150 none
	fresh
	c=()
	for i in 1 2 3 4; do c+=("send:PORT 192,0,2,2,21,$i$CRLF" "recv:^200 PORT"); done
	solo_start capa "$S4" serve -- "${c[@]}" pause:capa
	A_C=$P_CPID A_S=$P_SPID A_CLOG=$P_CLOG A_SLOG=$P_SLOG A_NAME=$P_NAME
	at_pause capa
	pair "netns cap: 2 more PORTs accepted, the 7th refused" capb "$S4" \
		recv:^PORT "send:200 PORT ok$CRLF" recv:^PORT "send:200 PORT ok$CRLF" \
		"norecv:$NORECV:PORT" -- \
		"send:PORT 192,0,2,2,22,1$CRLF" "recv:^200 PORT" \
		"send:PORT 192,0,2,2,22,2$CRLF" "recv:^200 PORT" \
		"send:PORT 192,0,2,2,22,3$CRLF" "norecv:$NORECV:"
	cs "netns cap: PORT refused" refused_expect_limit -ge 1
	check_exp "netns cap: 6 pending" "dport=" -eq 6
	check_exp "netns cap: the refused PORT not expected" "$(dp 5635)" -eq 0
	pair "netns cap: a 227 is refused too" capc "$S4" \
		recv:^PASV "send:$(PASV_EP 40090)$CRLF" serve -- \
		"send:PASV$CRLF" "norecv:$NORECV:227"
	check_exp "netns cap: the refused 227 not expected" "$(dp 40090)" -eq 0
	fresh
	pair "netns cap: room again once expectations are gone" capd "$S4" serve -- \
		"send:PORT 192,0,2,2,23,1$CRLF" "recv:^200 PORT" noop
	cs "netns cap: new PORT expected" expect_created -eq 1
	release capa
	P_CPID=$A_C P_SPID=$A_S P_CLOG=$A_CLOG P_SLOG=$A_SLOG P_NAME=$A_NAME
	solo_finish "netns cap: first connection finished"
	check "reload with default parameters" reload
fi

# ----------------------------------------- namespace cap: live ones only
# Expired and withdrawn (5xx) expectations may stay linked in the kernel
# until its garbage collection; the cap must not count them.  No fresh()
# before the second PORTs: it would flush them.
ETO=$(scaled 10)
if check "reload with netns_expect_max=2 expect_timeout=$ETO" \
	reload netns_expect_max=2 expect_timeout="$ETO"; then
	router_rules nft -150 none
	fresh
	pair "cap 2: two PORTs accepted" capa "$S4" serve -- \
		"send:PORT 192,0,2,2,25,1$CRLF" "recv:^200 PORT" \
		"send:PORT 192,0,2,2,25,2$CRLF" "recv:^200 PORT"
	check_exp "cap 2: both pending" "dport=" -eq 2
	pair "cap 2: a third one is refused" capz "$S4" serve -- \
		"send:PORT 192,0,2,2,25,3$CRLF" "norecv:$NORECV:"
	cs "cap 2: refused" refused_expect_limit -ge 1
	check_exp "cap 2: the refused PORT not expected" "$(dp $((25 * 256 + 3)))" -eq 0
	nap $((ETO + 2))
	check_exp "cap 2: after expect_timeout none is listed" "dport=" -eq 0
	stat_read ST0
	pair "cap 2: expired ones do not count: two more PORTs accepted" capy "$S4" \
		serve -- \
		"send:PORT 192,0,2,2,25,4$CRLF" "recv:^200 PORT" \
		"send:PORT 192,0,2,2,25,5$CRLF" "recv:^200 PORT"
	cs "cap 2: nothing refused after expiry" refused_expect_limit -eq 0
	cs "cap 2: both expected" expect_created -eq 2

	fresh
	pair "cap 2: two PORTs withdrawn by the server's 500" capw "$S4" \
		recv:^PORT "send:500 no$CRLF" recv:^PORT "send:500 no$CRLF" serve -- \
		"send:PORT 192,0,2,2,25,6$CRLF" "recv:^500" \
		"send:PORT 192,0,2,2,25,7$CRLF" "recv:^500"
	cs "cap 2: both withdrawn" expect_withdrawn -eq 2
	pair "cap 2: withdrawn ones do not count: two more PORTs accepted" capx "$S4" \
		serve -- \
		"send:PORT 192,0,2,2,25,8$CRLF" "recv:^200 PORT" \
		"send:PORT 192,0,2,2,25,9$CRLF" "recv:^200 PORT"
	cs "cap 2: nothing refused after withdrawal" refused_expect_limit -eq 0
	check_exp "cap 2: the two live ones pending" "dport=" -eq 2
	check "reload with default parameters" reload
fi

# ------------------------------------------- a failed expectation is logged
# Two connections announce the same data endpoint: the second expectation
# clashes with the first (EBUSY).  It is counted and logged to nf_log, as
# the in-tree helpers log theirs; the PORT is forwarded.
router_rules nft -150 none
# the packet logger: nf_log_syslog since Linux 5.12, nf_log_ipv4 before
modprobe nf_log_syslog 2>/dev/null || modprobe nf_log_ipv4 2>/dev/null
sysctl -qw net.netfilter.nf_log_all_netns=1
fresh
c=("send:PORT 192,0,2,2,26,1$CRLF" "recv:^200 PORT")
solo_start clasha "$S4" serve -- "${c[@]}" pause:clasha
A_C=$P_CPID A_S=$P_SPID A_CLOG=$P_CLOG A_SLOG=$P_SLOG A_NAME=$P_NAME
at_pause clasha
pair "clash: the same PORT on a second connection is forwarded" clashb "$S4" \
	serve -- "${c[@]}"
cs "clash: the second expectation failed" expect_failed -eq 1
check_exp "clash: one expectation for the endpoint" "$(dp $((26 * 256 + 1)))" -eq 1
check "clash: logged via nf_log" \
	sh -c "dmesg | grep -q 'nf_ct_$HELPER: cannot add expectation (-16), forwarded .*SRC=192.0.2.2 '"
release clasha
P_CPID=$A_C P_SPID=$A_S P_CLOG=$A_CLOG P_SLOG=$A_SLOG P_NAME=$A_NAME
solo_finish "clash: first connection finished"
sysctl -qw net.netfilter.nf_log_all_netns=0

ktap_finish
