#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build (once) the KASAN/lockdep/kmemleak kernel that `make check-debug`
# runs the selftests on, from Debian's linux-source-6.1 (the series the
# module ships for): x86_64_defconfig, trimmed of hardware a TCG guest
# never sees, + selftests/config.vm + selftests/config.debug.
#
#   scripts/build-debug-kernel.sh          build if not cached; print the dir
#   scripts/build-debug-kernel.sh --dir    only print the dir (no build)
#
# The kernel lives in a cache OUTSIDE the clone, keyed by the source
# version and a hash of the config fragments, this script and the compiler:
#   ${FTPALG_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ftpalg}/debug-kernel/<ver>-<hash>/
#     build/                    O= tree: make -C build M=... modules
#     build/vmlinux             PVH-bootable image (build/arch/x86/boot/bzImage too)
#     mod/lib/modules/<rel>/    modules_install (nf_conntrack_ftp, nf_nat_ftp)
#     release                   kernel release (<ver>-ftpalg-debug)
#     ok                        written last: the entry is complete
# Only the directory is printed on stdout; progress goes to stderr and the
# full build log to <dir>.log.  Environment: FTPALG_SRC_TARBALL (default
# /usr/src/linux-source-6.1.tar.xz), FTPALG_JOBS (default nproc + 1).
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
self=$top/scripts/build-debug-kernel.sh
tarball=${FTPALG_SRC_TARBALL:-/usr/src/linux-source-6.1.tar.xz}
frags=("$top/selftests/config.vm" "$top/selftests/config.debug")
cache=${FTPALG_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ftpalg}/debug-kernel
jobs=${FTPALG_JOBS:-$(($(nproc) + 1))}
localversion=-ftpalg-debug

log() { echo "build-debug-kernel: $*" >&2; }
die() { log "$*"; exit 1; }

# Hardware and features a 9p-rooted TCG guest never uses: dropped from
# x86_64_defconfig to shorten the (KASAN-instrumented) build.
read -r -d '' TRIM <<'EOF_TRIM' || true
# CONFIG_DRM is not set
# CONFIG_AGP is not set
# CONFIG_FB is not set
# CONFIG_SOUND is not set
# CONFIG_USB_SUPPORT is not set
# CONFIG_HID is not set
# CONFIG_INPUT_JOYSTICK is not set
# CONFIG_INPUT_TABLET is not set
# CONFIG_INPUT_TOUCHSCREEN is not set
# CONFIG_INPUT_MISC is not set
# CONFIG_WIRELESS is not set
# CONFIG_WLAN is not set
# CONFIG_CFG80211 is not set
# CONFIG_MAC80211 is not set
# CONFIG_RFKILL is not set
# CONFIG_ETHERNET is not set
# CONFIG_NET_VENDOR_INTEL is not set
# CONFIG_ATA is not set
# CONFIG_SCSI is not set
# CONFIG_MD is not set
# CONFIG_BLK_DEV_MD is not set
# CONFIG_EXT4_FS is not set
# CONFIG_NFS_FS is not set
# CONFIG_ROOT_NFS is not set
# CONFIG_IP_PNP is not set
# CONFIG_AUTOFS_FS is not set
# CONFIG_ISO9660_FS is not set
# CONFIG_MSDOS_FS is not set
# CONFIG_VFAT_FS is not set
# CONFIG_QUOTA is not set
# CONFIG_SECURITY_SELINUX is not set
# CONFIG_AUDIT is not set
# CONFIG_EFI is not set
# CONFIG_HIBERNATION is not set
# CONFIG_SUSPEND is not set
# CONFIG_PCCARD is not set
# CONFIG_AMD_IOMMU is not set
# CONFIG_INTEL_IOMMU is not set
# CONFIG_I2C is not set
# CONFIG_KEXEC is not set
# CONFIG_CRASH_DUMP is not set
# CONFIG_PROFILING is not set
# CONFIG_LOGO is not set
# CONFIG_MACINTOSH_DRIVERS is not set
# CONFIG_WATCHDOG is not set
# CONFIG_HWMON is not set
# CONFIG_THERMAL is not set
# CONFIG_CPU_FREQ is not set
# CONFIG_X86_MCE is not set
# CONFIG_MICROCODE is not set
# CONFIG_LOCALVERSION_AUTO is not set
EOF_TRIM

[[ -r $tarball ]] || die "$tarball missing (apt-get install linux-source-6.1)"
for f in "${frags[@]}"; do [[ -r $f ]] || die "$f missing"; done

# Source version: the Debian package version when the tarball is packaged,
# else the tarball's own Makefile version plus its size and mtime.
srcver=""
if pkg=$(dpkg-query -S "$tarball" 2>/dev/null | cut -d: -f1 | head -n1) && [[ -n $pkg ]]; then
	srcver=$(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null || true)
fi
[[ -n $srcver ]] || srcver=unpackaged-$(stat -Lc '%s-%Y' "$tarball")
key=$({ cat "${frags[@]}" "$self"; printf '%s\n' "$TRIM"; gcc --version | head -n1; } |
	sha256sum | cut -c1-16)
dir=$cache/$srcver-$key

if [[ ${1:-} == --dir ]]; then
	echo "$dir"
	exit 0
fi
[[ $# -eq 0 ]] || die "usage: $0 [--dir]"

if [[ -f $dir/ok ]]; then
	log "cached: $dir ($(cat "$dir/release"))"
	touch "$dir/ok"
	echo "$dir"
	exit 0
fi

mkdir -p "$cache"
exec 9>"$dir.lock"
flock 9
if [[ -f $dir/ok ]]; then	# built by a concurrent run meanwhile
	echo "$dir"
	exit 0
fi

t0=$(date +%s)
buildlog=$dir.log
rm -rf "$dir"
mkdir -p "$dir"
log "building $srcver ($key) into $dir, log: $buildlog"
log "  extracting $tarball"
tar -xJf "$tarball" -C "$dir"
src=$(find "$dir" -mindepth 1 -maxdepth 1 -type d -name 'linux-source-*' | head -n1)
[[ -n $src && -f $src/Makefile ]] || die "no kernel tree in $tarball"
mv "$src" "$dir/src"
src=$dir/src
obj=$dir/build
mkdir -p "$obj"

kmake() { nice -n 10 make -C "$src" O="$obj" LOCALVERSION="$localversion" "$@"; }

{
	printf '%s\n' "$TRIM" >"$dir/trim.config"
	kmake x86_64_defconfig
	# -m: merge only; olddefconfig resolves the result afterwards.
	(cd "$obj" && "$src/scripts/kconfig/merge_config.sh" -m -O "$obj" \
		"$obj/.config" "$dir/trim.config" "${frags[@]}")
	kmake olddefconfig
} >"$buildlog" 2>&1 || { tail -n 40 "$buildlog" >&2; die "configuration failed"; }

# Every option the fragments ask for must have survived olddefconfig
# (a typo or an unmet dependency would silently drop it).
bad=0
while IFS= read -r line; do
	if [[ $line =~ ^(CONFIG_[A-Za-z0-9_]+)=(.*)$ ]]; then
		want="${BASH_REMATCH[1]}=${BASH_REMATCH[2]}"
	elif [[ $line =~ ^#\ (CONFIG_[A-Za-z0-9_]+)\ is\ not\ set$ ]]; then
		want="# ${BASH_REMATCH[1]} is not set"
	else
		continue
	fi
	opt=${BASH_REMATCH[1]}
	have=$(grep -E "^($opt=|# $opt is not set)" "$obj/.config" || true)
	if [[ -z $have && $want == "# "* ]]; then
		continue	# not set == absent
	fi
	if [[ $have != "$want" ]]; then
		log "config: wanted '$want', got '${have:-<absent>}'"
		bad=1
	fi
done < <(cat "${frags[@]}")
((bad == 0)) || die "the config fragments do not apply cleanly (see above)"

log "  compiling with -j$jobs (nice 10)"
kmake -j"$jobs" vmlinux bzImage modules >>"$buildlog" 2>&1 ||
	{ grep -E 'error|Error' "$buildlog" | head -n 20 >&2; tail -n 20 "$buildlog" >&2; die "build failed"; }
kmake INSTALL_MOD_PATH="$dir/mod" INSTALL_MOD_STRIP=1 modules_install >>"$buildlog" 2>&1 ||
	{ tail -n 20 "$buildlog" >&2; die "modules_install failed"; }
kmake -s kernelrelease >"$dir/release" 2>>"$buildlog"
rel=$(cat "$dir/release")
[[ -d $dir/mod/lib/modules/$rel ]] || die "modules_install produced no lib/modules/$rel"
rm -f "$dir/mod/lib/modules/$rel/build" "$dir/mod/lib/modules/$rel/source"
touch "$dir/ok"
log "built $rel in $(($(date +%s) - t0)) s"

# Keep the three most recently used kernels, drop older ones and builds
# that failed or were interrupted more than a day ago.
{
	find "$cache" -mindepth 2 -maxdepth 2 -name ok -printf '%T@ %h\n' | sort -rn | tail -n +4
	find "$cache" -mindepth 1 -maxdepth 1 -type d -mmin +1440 -printf '0 %p\n' |
		while read -r _ d; do [[ -e $d/ok ]] || echo "0 $d"; done
} | while read -r _ old; do
	log "removing old cache entry $old"
	rm -rf "$old" "$old.log" "$old.lock"
done
echo "$dir"
