#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Check the OpenWrt package directory (openwrt/nf-conntrack-ftpalg) as far
# as this machine can without an OpenWrt build tree, busybox init or uci:
#   - the procd init script: shellcheck, busybox sh -n, and its functions run
#     under busybox sh with stand-ins for rc.common's config_load/config_get/
#     config_foreach (UCI files sourced with config/option functions, as
#     OpenWrt's functions.sh once did), a fake ftpalgctl and logger: the
#     batch it writes from UCI, each line of it accepted by the real
#     ftpalgctl's parser, its failures, and the firewall4 catalogue entry;
#   - the Makefile, evaluated with stand-ins for OpenWrt's include files:
#     version, FILES, AUTOLOAD, kmod DEPENDS against the module's modinfo,
#     and its Build/Prepare, tools build and install recipes run for the host.
# Prints TAP; exits non-zero on any failure.  Needs busybox, shellcheck,
# make and the tools' build dependencies (scripts/deps.sh).
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PKG=$ROOT/openwrt/nf-conntrack-ftpalg
INIT=$PKG/files/ftpalg.init
MODULE=nf_conntrack_ftpalg
# shellcheck source=scripts/pkg-test-lib.sh
. "$ROOT/scripts/pkg-test-lib.sh"

echo "TAP version 13"
echo "1..13"
for cmd in busybox shellcheck make; do
	command -v "$cmd" >/dev/null || bail "$cmd not installed (scripts/deps.sh)"
done
make -s -C "$ROOT/tools" ftpalgctl >/dev/null || bail "cannot build tools/ftpalgctl"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ftpalg-openwrt.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# 1, 2: static checks of the init script (busybox ash: shellcheck's dash)
if out=$(shellcheck "$INIT" 2>&1); then ok "shellcheck ftpalg.init"; else
	not_ok "shellcheck ftpalg.init"; diag <<<"$out"
fi
if out=$(busybox sh -n "$INIT" 2>&1); then ok "busybox sh -n ftpalg.init"; else
	not_ok "busybox sh -n ftpalg.init"; diag <<<"$out"
fi

# Stand-ins for what rc.common gives the script, a logger that keeps what it
# is told (a function: busybox sh prefers its own applet to a PATH entry),
# and a fake ftpalgctl that keeps the batch it is given and exits FAKE_RC.
mkdir -p "$WORK/bin" "$WORK/uci"
cat >"$WORK/openwrt-api.sh" <<'EOF'
CONFIG_SECTIONS=""
CONFIG_NUM_SECTIONS=0
config() {
	CONFIG_NUM_SECTIONS=$((CONFIG_NUM_SECTIONS + 1))
	CONFIG_SECTION=${2:-cfg$CONFIG_NUM_SECTIONS}
	CONFIG_SECTIONS="$CONFIG_SECTIONS $CONFIG_SECTION"
	eval "CONFIG_${CONFIG_SECTION}_TYPE=\$1"
}
option() { eval "CONFIG_${CONFIG_SECTION}_$1=\$2"; }
config_load() { . "$UCI_DIR/$1"; }
config_get() { eval "$1=\${CONFIG_$2_$3:-}"; }
config_foreach() {
	local fn=$1 type=$2 s t
	for s in $CONFIG_SECTIONS; do
		eval "t=\${CONFIG_${s}_TYPE}"
		[ "$t" = "$type" ] && "$fn" "$s"
	done
}
logger() { echo "$*" >>"$RECORD.log"; }
EOF
cat >"$WORK/bin/ftpalgctl" <<'EOF'
#!/bin/sh
[ "$1" = restore ] || exit 99
echo "$2" >"$RECORD.path"
cp "$2" "$RECORD"
exit "${FAKE_RC:-0}"
EOF
chmod +x "$WORK/bin/ftpalgctl"

# run_start UCI_FILE [FAKE_RC]: start_service with /etc/config/ftpalg =
# UCI_FILE; sets rc, batch (what ftpalgctl restore got), log.
run_start() {
	rm -f "$WORK/record" "$WORK/record.path" "$WORK/record.log"
	cp "$1" "$WORK/uci/ftpalg"
	PATH=$WORK/bin:$PATH UCI_DIR=$WORK/uci RECORD=$WORK/record FAKE_RC=${2:-0} \
		busybox sh -c '. "$1"; . "$2"; FW4_HELPERS=$3; start_service' sh \
		"$WORK/openwrt-api.sh" "$INIT" "$WORK/fw4-helpers" >"$WORK/out" 2>&1
	rc=$?
	batch=$(cat "$WORK/record" 2>/dev/null)
	log=$(cat "$WORK/record.log" 2>/dev/null)
}

# 3: the shipped config (every key commented out): an empty batch
run_start "$PKG/files/ftpalg.config"
if [[ $rc -eq 0 && -f $WORK/record && -z $batch ]]; then
	ok "shipped /etc/config/ftpalg: restore of an empty batch (module defaults)"
else
	not_ok "shipped /etc/config/ftpalg: restore of an empty batch (rc $rc)"
	diag <"$WORK/out"
fi

# 4: keys and scopes become set lines
cat >"$WORK/policy.uci" <<'EOF'
config policy 'default'
	option active 'off'
	option action 'reset'

config server
	option prefix '198.51.100.0/24'
	option passive_window '40000-40100'
	option passive_map 'on'

config server 'legacy'
	option prefix '2001:db8:100::7'
	option active 'on'
	option min_port '20'
EOF
expected="set active off action reset
set server 198.51.100.0/24 passive-window 40000-40100 passive-map on
set server 2001:db8:100::7 active on min-port 20"
run_start "$WORK/policy.uci"
if [[ $rc -eq 0 && $batch == "$expected" ]]; then
	ok "UCI keys and server sections: ftpalgctl restore of the expected batch"
else
	not_ok "UCI keys and server sections: ftpalgctl restore of the expected batch (rc $rc)"
	diff <(echo "$expected") <(echo "$batch") | diag
	diag <"$WORK/out"
fi

# 5: the real ftpalgctl parses every line: it gets as far as entering a
# namespace that does not exist (exit 1), not to a usage error (exit 2),
# and never reaches a loaded module.  Where it has restore, the whole batch
# and the empty one of the shipped config are read by it too.
parsed() { "$ROOT/tools/ftpalgctl" -n ftpalg-openwrt-test-none "$@" >/dev/null 2>&1; [[ $? -eq 1 ]]; }
bad=""
while read -r -a words; do
	parsed "${words[@]}" || bad+="[${words[*]}] "
done <<<"$batch"
if "$ROOT/tools/ftpalgctl" help 2>&1 | grep -qw restore; then
	echo "$batch" >"$WORK/batch"
	: >"$WORK/empty-batch"
	parsed restore "$WORK/batch" || bad+="[restore batch] "
	parsed restore "$WORK/empty-batch" || bad+="[restore empty batch] "
	what="each line of the batch, and restore the batch and an empty one"
else
	what="each line of the batch (this ftpalgctl has no restore)"
fi
check "ftpalgctl accepts $what${bad:+ (not: $bad)}" test -z "$bad"

# 6: the temporary batch file is removed
path=$(cat "$WORK/record.path" 2>/dev/null)
check "batch file ${path:-?} removed" test -n "$path" -a ! -e "${path:-/}"

# 7: server sections without prefix or without keys: nothing applied, logged
printf '%s\n' "config server 'nameless'" "	option active 'off'" \
	"config server 'keyless'" "	option prefix '192.0.2.0/24'" >"$WORK/bad-servers.uci"
run_start "$WORK/bad-servers.uci"
if [[ $rc -eq 2 && ! -f $WORK/record && $log == *"not applied"* ]] &&
	grep -q "server section nameless needs a prefix and a key" "$WORK/out" &&
	grep -q "server section keyless needs a prefix and a key" "$WORK/out"; then
	ok "server sections without prefix or keys: start fails (2), restore not run, logged"
else
	not_ok "server sections without prefix or keys: start fails (2), restore not run, logged (rc $rc)"
	diag <"$WORK/out"
fi

# 8: ftpalgctl restore refusing the batch: its exit status, logged
run_start "$WORK/policy.uci" 2
if [[ $rc -eq 2 && $log == *"ftpalgctl restore exit 2"* ]]; then
	ok "restore failing (exit 2): start fails with it, logged"
else
	not_ok "restore failing (exit 2): start fails with it, logged (rc $rc, log: $log)"
fi

# 9: the firewall4 catalogue gets one ftpalg entry, whatever the restarts
{
	printf '%s\n' "config helper" "	option name 'ftp'" "	option description 'FTP passive connection tracking'" \
		"	option module 'nf_conntrack_ftp'" "	option family 'any'" "	option proto 'tcp'" "	option port '21'"
} >"$WORK/fw4-helpers"
cp "$WORK/fw4-helpers" "$WORK/fw4-helpers.orig"
run_start "$PKG/files/ftpalg.config"
run_start "$PKG/files/ftpalg.config"
entries=$(grep -c "option name 'ftpalg'" "$WORK/fw4-helpers")
if [[ $entries -eq 1 ]] && grep -q "option module '$MODULE'" "$WORK/fw4-helpers" &&
	cmp -s <(head -n "$(wc -l <"$WORK/fw4-helpers.orig")" "$WORK/fw4-helpers") "$WORK/fw4-helpers.orig"; then
	ok "firewall4 catalogue: one ftpalg entry (module $MODULE) after two starts, the rest kept"
else
	not_ok "firewall4 catalogue: one ftpalg entry after two starts ($entries)"
	diag <"$WORK/fw4-helpers"
fi
rm -f "$WORK/fw4-helpers"

# The Makefile with stand-ins for OpenWrt's includes: KernelPackage and
# BuildPackage print what they are given, make targets run the recipes.
mkdir -p "$WORK/include" "$WORK/build"
: >"$WORK/rules.mk"
cat >"$WORK/include/kernel.mk" <<'EOF'
LINUX_KMOD_SUFFIX := ko
AutoProbe = probe_module "$(1)" "$(2)";
KERNEL_MAKE := true
EOF
cat >"$WORK/include/package.mk" <<'EOF'
PKG_BUILD_DIR := $(WORK)/build
CP := cp -fpR
INSTALL_DIR := install -d -m0755
INSTALL_BIN := install -m0755
INSTALL_CONF := install -m0600
MAKE_VARS := CFLAGS="-O2"
Build/Compile/Default = +$(MAKE_VARS) $(MAKE) -C $(PKG_BUILD_DIR)/$(MAKE_PATH) $(1);
define KernelPackage
$(eval $(KernelPackage/$(1)))
$(info kmod-$(1) FILES=$(FILES))
$(info kmod-$(1) AUTOLOAD=$(AUTOLOAD))
$(info kmod-$(1) DEPENDS=$(DEPENDS))
endef
define BuildPackage
$(eval $(Package/$(1)))
$(info $(1) DEPENDS=$(DEPENDS))
endef
$(info PKG_VERSION=$(PKG_VERSION))
prepare: ; $(Build/Prepare)
compile: ; $(Build/Compile)
install-ftpalgctl: ; $(call Package/ftpalgctl/install,$(WORK)/root)
EOF
owrt_make() {
	make --no-print-directory -C "$PKG" TOPDIR="$WORK" INCLUDE_DIR="$WORK/include" WORK="$WORK" "$@"
}
if ! owrt_make -n prepare >"$WORK/vars" 2>&1; then
	diag <"$WORK/vars"
	bail "the OpenWrt Makefile does not evaluate"
fi
var() { sed -n "s/^$1=//p" "$WORK/vars" | head -n1; }

# 10: version, FILES and AUTOLOAD
files=$(var "kmod-nf-conntrack-ftpalg FILES")
autoload=$(var "kmod-nf-conntrack-ftpalg AUTOLOAD")
obj=$(sed -n 's/^obj-m := \(.*\)\.o$/\1/p' "$ROOT/kmod/Kbuild")
if [[ $(var PKG_VERSION) == "$(dkms_conf_version)" && $files == "$WORK/build/kmod/$obj.ko" &&
	$obj == "$MODULE" && $autoload == "probe_module \"$MODULE\" \"\";" ]]; then
	ok "PKG_VERSION from dkms.conf; FILES is Kbuild's kmod/$MODULE.ko; AUTOLOAD probes $MODULE"
else
	not_ok "PKG_VERSION, FILES, AUTOLOAD"
	diag <"$WORK/vars"
fi

# 11: every module the module depends on comes from a DEPENDS kmod
# (OpenWrt's names, package/kernel/linux/modules/netfilter.mk)
declare -A owrt_kmod=([nf_conntrack]=kmod-nf-conntrack [nf_defrag_ipv4]=kmod-nf-conntrack
	[nf_defrag_ipv6]=kmod-nf-conntrack6 [nf_nat]=kmod-nf-nat
	[nf_reject_ipv4]=kmod-nf-reject [nf_reject_ipv6]=kmod-nf-reject6)
ko=$ROOT/kmod/$MODULE.ko
if [[ -f $ko ]]; then
	deps=$(var "kmod-nf-conntrack-ftpalg DEPENDS")
	missing=""
	for m in $(modinfo -F depends "$ko" | tr , ' '); do
		[[ -n ${owrt_kmod[$m]-} && " $deps " == *" +${owrt_kmod[$m]} "* ]] || missing+="$m "
	done
	echo "modinfo depends: $(modinfo -F depends "$ko"); DEPENDS: $deps" | diag
	check "kmod DEPENDS cover the module's dependencies${missing:+ (not: $missing)}" test -z "$missing"
else
	ok "kmod DEPENDS cover the module's dependencies # SKIP no $ko (make module)"
fi

# 12: Build/Prepare copies sources only: make dkms-install's and the tools'
make -s -C "$ROOT" --no-print-directory dkms-install DESTDIR="$WORK/ref" >/dev/null
ref=$(cd "$WORK/ref/usr/src/$MODULE-$(dkms_conf_version)" && find . -type f | sort)
if owrt_make prepare >"$WORK/prepare.log" 2>&1; then
	got=$(cd "$WORK/build" && find . -type f ! -path './tools/*' | sort)
	stray=$(cd "$WORK/build/tools" && find . -type f \( -name '*.o' -o -name '*.d' -o -name ftpalgctl \))
	if [[ $got == "$ref" && -z $stray ]]; then
		ok "Build/Prepare: the dkms-install sources and tools/ without build products"
	else
		not_ok "Build/Prepare: the dkms-install sources and tools/ without build products"
		diff <(echo "$ref") <(echo "$got") | diag
		echo "stray: $stray" | diag
	fi
else
	not_ok "Build/Prepare"
	diag <"$WORK/prepare.log"
fi

# 13: Build/Compile's tools part and Package/ftpalgctl/install (host
# compiler; the module's part is the DKMS build, tested by dkms-test.sh)
if owrt_make compile >"$WORK/compile.log" 2>&1 && owrt_make install-ftpalgctl >>"$WORK/compile.log" 2>&1 &&
	[[ -x $WORK/root/usr/sbin/ftpalgctl && -x $WORK/root/etc/init.d/ftpalg && -f $WORK/root/etc/config/ftpalg ]] &&
	"$WORK/root/usr/sbin/ftpalgctl" -V | grep -qF "$(dkms_conf_version)"; then
	ok "Build/Compile (tools) and Package/ftpalgctl/install: ftpalgctl, init script, UCI config"
else
	not_ok "Build/Compile (tools) and Package/ftpalgctl/install"
	tail -n 30 "$WORK/compile.log" | diag
fi

exit "$FAILED"
