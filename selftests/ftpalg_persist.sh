#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Policy persistence with ftpalgctl save / restore / -b, against the
# kernel (FTPALG_CMD_REPLACE_POLICY):
#  - save of the defaults is one set line with every key at its default
#  - every key, off its default, on the default policy and on IPv4 and
#    IPv6 scopes (hosts, prefixes, /0): save, change the policy (other
#    keys, a scope more, scopes gone), restore: the same policy (show -j
#    and save again), and the same verdicts (active PORT refused where a
#    restored scope says active off, accepted where one says on)
#  - restore is all or nothing: a file with a bad last line (exit 2,
#    FILE:LINE), a caller without CAP_NET_ADMIN (exit 1) and 1025 scopes,
#    more than the module takes (exit 1, the kernel's reason), change
#    nothing; 1024 scopes (one message of about 100 KB) are taken; an
#    empty file gives the module defaults without any scope
#  - -b runs its lines in order and stops at the first that fails, naming
#    it: the lines before it applied, none after it
# Topology (lib.sh) plus vsftpd B on 198.51.100.3.

# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

CTL=$SELFTEST_DIR/../tools/ftpalgctl
[ -x "$CTL" ] || CTL=$(command -v ftpalgctl 2>/dev/null || echo "$CTL")
S4B=198.51.100.3
NOCAP=(setpriv --inh-caps=-net_admin --bounding-set=-net_admin)

require_base
require_module
is_ftpalg || skip "policy persistence needs the ftpalg helper"
[ -x "$CTL" ] || skip "ftpalgctl not found (make -C tools)"
require_tools jq setpriv
"$CTL" stats >/dev/null 2>&1
[ $? -eq 3 ] && skip "ftpalgctl: module or netlink unavailable"

ctl() { "$CTL" -n "$NS_R" "$@"; }

# policy_json: the router's policy as canonical JSON (scopes sorted).
policy_json() { ctl -j show | jq -cS '.policy | .scopes |= sort_by(.server)'; }

# check_policy_is DESC FILE: the router's policy is the one in FILE.
check_policy_is()
{
	local now
	now=$(policy_json)
	if [ "$now" = "$(cat "$2")" ]; then
		ktap_pass "$1"
	else
		ktap_fail "$1"
		diag "$(diff <(jq . "$2") <(jq . <<< "$now"))"
	fi
}

# scope_lines FIRST COUNT: COUNT distinct IPv6 /64 scopes, as set lines.
scope_lines()
{
	local i
	for ((i = $1; i < $1 + $2; i++)); do
		printf 'set server 2001:db8:%x:%x::/64 min-port %d\n' \
			$((i / 65536 + 0x100)) $((i % 65536)) $((1024 + i))
	done
}

# A PORT that is to be refused: curl fails, the refusal is counted.
port_refused()
{
	local desc=$1 host=$2
	stat_snap
	check_fails "$desc: curl fails" curl_get port "$host" "$CTRL_PORT" \
		"$TMPD/neg.bin" "$NEG_TIMEOUT"
	check_stat "$desc: refused" refused_active_off -ge 1
}

topo_create
ip -n "$NS_S" addr add "$S4B/24" dev s0
check "router: ruleset loads" router_rules nft -150 none || exit 1
check "vsftpd A ($S4) started" vsftpd_start a4 4 "$CTRL_PORT" || exit 1
vsftpd_start b 4 "$CTRL_PORT" "listen_address=$S4B"
check "vsftpd B ($S4B) started" \
	busywait 10000 sh -c "ip netns exec '$NS_S' ss -Hltn | grep -q '$S4B:$CTRL_PORT'" || exit 1

f=$TMPD/persist
check "save of the defaults: one set line, every key at its module default" \
	sh -c "'$CTL' -n '$NS_R' save | grep -v '^#' | grep -qx 'set active on bounce drop min-port 1024 passive-window any passive-map off action drop'"

# ---------------------------------------------------------- round trip

ctl set active off bounce allow min-port 2000 passive-window 40000-40050 \
	passive-map on action reset
ctl set server 198.51.100.0/24 active off bounce drop min-port 3000 \
	passive-window 50000-50100 passive-map off action reset
ctl set server "$S4" active on min-port 1024
ctl set server 0.0.0.0/0 passive-window any
ctl set server 2001:db8:2::/64 active on bounce drop min-port 0 \
	passive-window 1-65535 passive-map off action drop
ctl set server "$S6" action reset
ctl set server ::/0 passive-map on
policy_json > "$f.json"
check "policy set: the default and 6 scopes" jq -e '.scopes | length == 6' "$f.json"
check "save exits 0" sh -c "'$CTL' -n '$NS_R' save > '$f.saved'"
check "save: 7 set lines, each scope once" \
	sh -c "test \$(grep -c '^set ' '$f.saved') -eq 7 && test \$(grep -c '^set server ' '$f.saved') -eq 6"
diag "$(cat "$f.saved")"

# another policy: every default key back, a scope more, scopes removed,
# a surviving scope with other keys
ctl restore - < /dev/null
ctl set server 203.0.113.0/24 active off
ctl set server "$S4" bounce allow
check "restore exits 0" ctl restore "$f.saved"
check_policy_is "restore: the same policy as saved (every key, IPv4 and IPv6)" "$f.json"
check "save after restore: the same lines" \
	sh -c "'$CTL' -n '$NS_R' save | cmp - '$f.saved'"
port_refused "restored /24 scope (active off): PORT to B" "$S4B"
ftp_transfer "restored /32 scope (active on): active PORT to A works" port "$S4"

# ------------------------------------------------------ all or nothing

{ cat "$f.saved"; echo "set server 198.51.100.0/24 active sometimes"; } > "$f.bad"
ctl restore - < /dev/null
ctl set min-port 5
policy_json > "$f.before"
out=$(ctl restore "$f.bad" 2>&1)
rc=$?
check "restore of a file with a bad last line: exit 2 (got $rc)" test "$rc" -eq 2
check "restore names the file and the line" \
	grep -qF "$f.bad:$(wc -l < "$f.bad"): set: invalid active \"sometimes\"" <<< "$out"
check_policy_is "restore of a bad file applied nothing" "$f.before"
out=$(nsx "$NS_R" "${NOCAP[@]}" "$CTL" restore "$f.saved" 2>&1)
rc=$?
check "restore without CAP_NET_ADMIN: exit 1 (got $rc)" test "$rc" -eq 1
check_policy_is "restore without CAP_NET_ADMIN applied nothing" "$f.before"
scope_lines 0 1025 > "$f.many"
out=$(ctl restore "$f.many" 2>&1)
rc=$?
check "restore of 1025 scopes: the kernel refuses, exit 1 (got $rc)" test "$rc" -eq 1
check "restore of 1025 scopes: says why" grep -q "kernel: too many scopes" <<< "$out"
check_policy_is "restore of 1025 scopes applied nothing" "$f.before"
head -n 1024 "$f.many" > "$f.most"
check "restore of 1024 scopes (one message of about 100 KB)" ctl restore "$f.most"
check "1024 scopes, the default back to the module's" \
	sh -c "'$CTL' -n '$NS_R' -j show | jq -e '.policy.min_port == 1024 and (.policy.scopes | length) == 1024 and any(.policy.scopes[]; .server == \"2001:db8:100:3ff::/64\" and .min_port == 2047)'"
: > "$f.empty"
check "restore of an empty file" ctl restore "$f.empty"
check "restore of an empty file: the module defaults, no scope" \
	sh -c "'$CTL' -n '$NS_R' -j show | jq -e '.policy | .active == true and .bounce == \"drop\" and .min_port == 1024 and .passive_window == null and .passive_map == false and .action == \"drop\" and (.scopes | length) == 0'"

# ------------------------------------------------------------------ -b

printf '%s\n' "set server 192.0.2.0/24 active off" "set min-port 3000" \
	"unset server 192.0.2.0/24" "unset server 192.0.2.0/24" \
	"set min-port 4000" > "$f.batch"
out=$(ctl -b "$f.batch" 2>&1)
rc=$?
check "-b: the failing 4th line stops it, exit 1 (got $rc)" test "$rc" -eq 1
check "-b: names the line" grep -qF "$f.batch:4: failed" <<< "$out"
check "-b: lines 1-3 applied, line 5 not" \
	sh -c "'$CTL' -n '$NS_R' -j show | jq -e '.policy.min_port == 3000 and (.policy.scopes | length) == 0'"

ktap_finish
