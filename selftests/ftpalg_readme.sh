#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The README's examples, exactly as written: every fenced block of README
# (a line "```TYPE NAME" up to a line "```") is run here, by its TYPE:
#   nft        loaded with nft -f on the router, whose interface towards
#              the outside is renamed "wan" as in the README
#   iptables   its lines run as a shell script on the router
#   ftpalgctl  its lines run one by one on the router, in a directory of
#              their own, with "-n router" naming the router's namespace
# A block of another TYPE fails the test, so a new example needs a runner.
#
# Each ruleset moves files through the router (curl, checked byte for
# byte): PASV and PORT to the server behind DNAT (203.0.113.1 ->
# 198.51.100.2), PORT and PASV from a client behind masquerade to a server
# outside (192.0.2.2), EPRT and EPSV the same way over IPv6 (2001:db8:1::2).
# The forward policy drops what is not established or related, and neither
# side has a route to the other's real addresses, so a transfer works only
# if ftpalg expected and (for NAT) rewrote its data connection.  Negative
# control: the nft ruleset with its helper chain at priority raw (before
# conntrack) attaches nothing, and PASV through DNAT fails.  Last, the
# README's advice for a module reload: save, rmmod, modprobe, restore
# gives the policy back.
#
#   outside: NS_C (c0)  ---  wan (r0) router NS_R (r1)  ---  (s0) NS_S inside
#   client of the DNAT        public 203.0.113.1         server 198.51.100.2
#   server 192.0.2.2,                                    client behind
#   2001:db8:1::2                                        masquerade

# shellcheck disable=SC2317 # helpers are called through check
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

README=$SELFTEST_DIR/../README
CTL=$SELFTEST_DIR/../tools/ftpalgctl
[ -x "$CTL" ] || CTL=$(command -v ftpalgctl 2>/dev/null || echo "$CTL")

require_base
require_module
is_ftpalg || skip "the README's examples name the ftpalg helper"
require_tools iptables ip6tables unshare
[ -r "$README" ] || skip "no README next to the selftests"
[ -x "$CTL" ] || skip "ftpalgctl not found (make -C tools)"

# ------------------------------------------------------------ the blocks

# blocks: "TYPE NAME" of every fenced block of the README, in order.
blocks() { sed -n 's/^```\([a-z0-9]\+\) \([a-z0-9-]\+\)$/\1 \2/p' "$README"; }

# block TYPE NAME: the lines of that block.
block()
{
	awk -v open="\`\`\`$1 $2" '$0 == open { f = 1; next } f && $0 == "```" { exit } f' "$README"
}

# ------------------------------------------------------------ topology

topo_create
# "wan" as in the README; IPv6 addresses go with the link down: add back
ip -n "$NS_R" link set r0 down
ip -n "$NS_R" link set r0 name wan
ip -n "$NS_R" link set wan up
ip -n "$NS_R" -6 addr replace "$R6C/64" dev wan nodad
# Neither side knows the other's real prefix: only NAT can connect them.
topo_routes dnat
check "router: interface wan up with $R4C and $R6C" \
	sh -c "ip -n '$NS_R' addr show dev wan | grep -q '$R4C/' && ip -n '$NS_R' addr show dev wan | grep -q '$R6C/'"

ftp_root_prepare
check "inside: vsftpd on $S4 started" vsftpd_start in4 4 "$CTRL_PORT" || exit 1

# outside: swap the roles of the client and server namespaces and addresses
swap_sides()
{
	local t
	t=$NS_C NS_C=$NS_S NS_S=$t
	t=$C4 C4=$S4 S4=$t
	t=$C6 C6=$S6 S6=$t
}
swap_sides
check "outside: vsftpd on $S4 started" vsftpd_start out4 4 "$CTRL_PORT" || exit 1
check "outside: vsftpd on $S6 started" vsftpd_start out6 6 "$CTRL_PORT" || exit 1
swap_sides

# ------------------------------------------------------------ transfers

# through DESC MODE HOST [outside]: one transfer, from the outside client
# to HOST, or with "outside" from the inside client to HOST outside.
through()
{
	local desc=$1 mode=$2 host=$3 rc
	[ "${4:-}" = outside ] && swap_sides
	check "$desc" curl_get "$mode" "$host"
	rc=$?
	[ "${4:-}" = outside ] && swap_sides
	[ $rc -eq 0 ] || dump_state
	return $rc
}

# transfers RULESET: the six transfers, and the counters they must move.
transfers()
{
	local r=$1
	nsx "$NS_R" conntrack -F -f ipv4 >/dev/null 2>&1
	nsx "$NS_R" conntrack -F -f ipv6 >/dev/null 2>&1
	stat_snap
	through "$r: DNAT: PASV to $PUB4 (server $S4)" pasv "$PUB4"
	through "$r: DNAT: PORT to $PUB4 (server $S4)" port "$PUB4"
	through "$r: masquerade: PORT from $S4 to $C4" port "$C4" outside
	through "$r: masquerade: PASV from $S4 to $C4" pasv "$C4" outside
	through "$r: masquerade: EPRT from $S6 to $C6" eprt "$C6" outside
	through "$r: masquerade: EPSV from $S6 to $C6" epsv "$C6" outside
	check_stat "$r: six expectations created" expect_created -ge 6
	check_stat "$r: 227 and PORTs rewritten under NAT" nat_rewrite -ge 3
	check_no_refusal "$r: nothing refused"
}

# router_reset: nothing on the router but the interfaces.
router_reset()
{
	nsx "$NS_R" nft flush ruleset
	nsx "$NS_R" iptables -P FORWARD ACCEPT 2>/dev/null
	nsx "$NS_R" ip6tables -P FORWARD ACCEPT 2>/dev/null
}

run_nft()
{
	local name=$1 f=$TMPD/readme-$1.nft
	block nft "$name" > "$f"
	router_reset
	check "README nft $name: loads (nft -f)" nsx "$NS_R" nft -f "$f" || {
		diag "$(cat "$f")"
		return
	}
	transfers "nft $name"

	# negative control: the helper chain at priority raw, before conntrack
	sed '0,/hook prerouting priority filter/s//hook prerouting priority raw/' \
		"$f" > "$f.raw"
	router_reset
	if ! grep -q 'priority raw' "$f.raw" ||
	   ! check "nft $name at priority raw: loads" nsx "$NS_R" nft -f "$f.raw"; then
		ktap_fail "nft $name: negative control (no prerouting chain at priority filter to move)"
		return
	fi
	nsx "$NS_R" conntrack -F -f ipv4 >/dev/null 2>&1
	stat_snap
	check_fails "nft $name at priority raw: PASV through DNAT fails" \
		curl_get pasv "$PUB4" "$CTRL_PORT" "$TMPD/neg.bin" "$NEG_TIMEOUT"
	check_stat "nft $name at priority raw: no expectation created" expect_created -eq 0
}

run_iptables()
{
	local name=$1 f=$TMPD/readme-$1.sh
	block iptables "$name" > "$f"
	router_reset
	check "README iptables $name: every line runs" nsx "$NS_R" sh -ex "$f" || return
	transfers "iptables $name"
}

run_ftpalgctl()
{
	local name=$1 f=$TMPD/readme-$1.txt dir=$TMPD/ctl-$1 line rc out
	block ftpalgctl "$name" > "$f"
	mkdir -p "$dir"
	while IFS= read -r line; do
		case $line in ''|'#'*) continue ;; esac
		# "ftpalgctl" is the tool of this tree; "-n router" names the
		# router's namespace, in a mount namespace of the line's own
		# shellcheck disable=SC2016 # expanded by the inner sh
		out=$(cd "$dir" && PATH=$(dirname "$CTL"):$PATH nsx "$NS_R" unshare -m sh -c '
			mount -t tmpfs tmpfs /run/netns &&
			touch /run/netns/router &&
			mount --bind /proc/self/ns/net /run/netns/router &&
			exec timeout "$0" sh -c "$1"' "$(scaled 5)" "$line" 2>&1)
		rc=$?
		case $line in
		*" monitor"*)	# runs until interrupted: still running at the end
			check "README ftpalgctl $name: $line (runs until stopped, rc $rc)" test "$rc" -eq 124 ;;
		*)
			check "README ftpalgctl $name: $line" test "$rc" -eq 0 ;;
		esac
		[ "$rc" -eq 0 ] || [ "$rc" -eq 124 ] || diag "$out"
	done < "$f"
	case $(cat "$f") in
	*"save > ftpalg.policy"*)
		check "README ftpalgctl $name: the saved file restores the policy" \
			sh -c "'$CTL' -n '$NS_R' save | cmp - '$dir/ftpalg.policy'" ;;
	esac
}

# reload_keeps_policy: what the README says to do at a module reload
# (save, then restore after loading it) gives the policy back.
reload_keeps_policy()
{
	local f=$TMPD/reload.policy
	"$CTL" -n "$NS_R" set active off min-port 2000 action reset
	"$CTL" -n "$NS_R" set server 198.51.100.0/24 passive-window 40000-40100
	"$CTL" -n "$NS_R" set server 2001:db8:2::/64 bounce allow
	check "reload: save" sh -c "'$CTL' -n '$NS_R' save > '$f'" || return
	router_reset
	nsx "$NS_R" conntrack -F -f ipv4 >/dev/null 2>&1
	nsx "$NS_R" conntrack -F -f ipv6 >/dev/null 2>&1
	check "reload: rmmod $FTPALG_MODULE" busywait 10000 rmmod "$FTPALG_MODULE" || return
	check "reload: modprobe $FTPALG_MODULE" modprobe "$FTPALG_MODULE" || return
	check "reload: the policy is lost (defaults, no scope)" \
		sh -c "'$CTL' -n '$NS_R' save | grep -c '^set' | grep -qx 1"
	check "reload: restore" "$CTL" -n "$NS_R" restore "$f"
	check "reload: the policy is back" \
		sh -c "'$CTL' -n '$NS_R' save | cmp - '$f'"
}

n_blocks=0
while read -r type name; do
	n_blocks=$((n_blocks + 1))
	echo "# --- README block: $type $name"
	case $type in
	nft) run_nft "$name" ;;
	iptables) run_iptables "$name" ;;
	ftpalgctl) run_ftpalgctl "$name" ;;
	*) ktap_fail "README block \"$type $name\": no runner for $type" ;;
	esac
done < <(blocks)
echo "# --- module reload"
reload_keeps_policy
check "the README has the nft, iptables and ftpalgctl examples ($n_blocks blocks)" \
	sh -c "blocks() { sed -n 's/^\`\`\`\([a-z0-9]*\) .*/\1/p' '$README'; }; blocks | grep -qx nft && blocks | grep -qx iptables && blocks | grep -qx ftpalgctl"
check "every fence of the README is a named block the test found" \
	test "$(grep -c '^```' "$README")" -eq $((n_blocks * 2))

ktap_finish
