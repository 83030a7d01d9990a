#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make kernels`: build the module with W=1 against every Debian kernel it
# supports, from header packages fetched from Debian's archive and extracted
# with dpkg -x into a cache outside the clone (never installed).  Each build
# is `make module` in the file set `make dkms-install` ships, as dkms.conf
# runs it, with the compiler the kernel was built with: the host's if it
# has that compiler and can run the kernel's kbuild binaries, otherwise in a
# minimal chroot of the kernel's Debian suite (debootstrap, needs root).
# With --vm it then runs selftests in a VM (selftests/vm/run-vm.sh) booted
# on each kernel's own image and modules, with the module just built.
# Prints a table release -> ok/FAIL/SKIP; exits non-zero if any build or
# selftest failed.  SKIP: not cached while the archive is unreachable, or a
# chroot is needed and this is not root.
#
#   scripts/kernels.sh [options] [RELEASE...]
#     --list        print the matrix (resolved from the archive) and exit
#     --fetch-only  fetch and extract, build nothing
#     --images      also fetch and extract the kernel images (boot/,
#                   lib/modules/ in the cache), for VM runs
#     --offline     do not contact the archive; use what is cached
#     --vm TESTS    also run the selftests TESTS ("ftpalg_routed.sh
#                   ftpalg_nat.sh ...") in a VM on each kernel, one VM at a
#                   time (implies --images; default kernels: the newest of
#                   each of VM_SERIES below and the newest of all).  Under
#                   qemu TCG: about 10-30 min per kernel for routed, nat and
#                   hostile.  FTPALG_VM_TIMEOUT: seconds per VM (2400).
#   RELEASE         e.g. 6.1.0-53-amd64 (default: the matrix below)
#
# Cache: ${FTPALG_CACHE:-~/.cache/ftpalg}/kernels/<release>/ (headers, kbuild,
# image), .../apt/ (private apt lists), .../toolchains/<suite>/ (chroots).
# Build logs: build/kernels/<release>.log; with --vm also the module built
# (<release>/nf_conntrack_ftpalg.ko), the TAP stream (<release>.vm.tap),
# each test's output and kernel log (<release>.vm/).  When the archive is
# unreachable it builds what is cached, or skips (exit 0) with a message.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cache=${FTPALG_CACHE:-$HOME/.cache/ftpalg}
kcache=$cache/kernels
aptdir=$cache/apt
tcdir=$cache/toolchains
logdir=${FTPALG_LOGDIR:-$top/build/kernels}
mirror=${FTPALG_MIRROR:-http://deb.debian.org/debian}
secmirror=${FTPALG_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
jobs=$(nproc 2>/dev/null || echo 1)

# The matrix: for each suite, the kernels (linux-headers-<release>, amd64
# flavour) whose release matches the pattern: the newest, or all of them.
# Stable suites' security updates are ABI bumps (6.1.0-53, -54, ...), each a
# kernel that machines still run; the 2026 expectation GC backport
# (nf_ct_exp_is_expired) landed in 6.1.191 and 6.12.114.
MATRIX='
bullseye            5.10.*  newest
bullseye-security   5.10.*  newest
bookworm            6.1.*   newest
bookworm-security   6.1.*   all
bookworm-backports  6.12.*  newest
bookworm-security   6.12.*  newest
trixie              6.12.*  all
trixie-security     6.12.*  newest
sid                 *       newest
experimental        *       newest
'
# --vm's kernels: the newest of each of these series, and the newest of all.
VM_SERIES="5.10 6.1 6.12"
SUITES="bullseye bullseye-security bookworm bookworm-updates bookworm-security
	bookworm-backports trixie trixie-updates trixie-security sid experimental"

list=0 fetch_only=0 images=0 offline=0 vm_tests=""
releases=()
while (($#)); do
	case $1 in
	--list) list=1 ;;
	--fetch-only) fetch_only=1 ;;
	--images) images=1 ;;
	--offline) offline=1 ;;
	--vm) vm_tests=${2:?--vm needs the selftests to run}; images=1; shift ;;
	-h | --help) sed -n '3,35p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) echo "kernels: unknown option $1" >&2; exit 2 ;;
	*) releases+=("$1") ;;
	esac
	shift
done

say() { echo "kernels: $*"; }
skip() {
	say "SKIP: $*"
	exit 0
}

for t in apt-get dpkg-deb make; do
	command -v "$t" >/dev/null || skip "$t not found (a Debian-like host is needed)"
done
mkdir -p "$kcache" "$aptdir/lists/partial" "$aptdir/cache/archives/partial" "$tcdir" "$logdir"
exec 9>"$cache/kernels.lock"
flock -n 9 || { say "waiting for another kernels.sh run"; flock 9; }

# --- the private apt configuration: never the host's sources or state ---
{
	for s in $SUITES; do
		case $s in
		*-security) echo "deb [arch=amd64 signed-by=$keyring] $secmirror $s main" ;;
		*) echo "deb [arch=amd64 signed-by=$keyring] $mirror $s main" ;;
		esac
	done
} >"$aptdir/sources.list"
APT=(-o Dir::Etc::sourcelist="$aptdir/sources.list" -o Dir::Etc::sourceparts=/nonexistent
	-o Dir::Etc::preferencesparts=/nonexistent -o Dir::State::Lists="$aptdir/lists"
	-o Dir::Cache="$aptdir/cache" -o Dir::State::status=/dev/null
	-o Debug::NoLocking=1 -o APT::Sandbox::User=root
	-o Acquire::Retries=1 -o Acquire::http::Timeout=20
	-o Acquire::Languages=none -o Acquire::IndexTargets::deb::Contents-deb::DefaultEnabled=false)
lists_cached() { compgen -G "$aptdir/lists/*_Packages*" >/dev/null; }

online=0
if ((!offline)); then
	if [[ ! -r $keyring ]]; then
		say "no $keyring (package debian-archive-keyring); working offline"
	else
		# apt-get update exits 0 when it reaches nothing: read its log
		timeout 300 apt-get "${APT[@]}" -q update >"$logdir/apt-update.log" 2>&1
		if grep -qE '^(Hit|Get):' "$logdir/apt-update.log"; then
			online=1
			grep -q '^Err:' "$logdir/apt-update.log" &&
				say "some suites could not be updated (see $logdir/apt-update.log)"
		else
			say "the archive is unreachable ($mirror, see $logdir/apt-update.log); working offline"
		fi
	fi
fi

# --- the archive's kernels: "suite release version depends" per line ---
index=$aptdir/index
if ((online)) || [[ ! -s $index ]]; then
	lists_cached || skip "the archive is unreachable and nothing is cached"
	: >"$index.new"
	for f in "$aptdir"/lists/*_Packages*; do
		s=${f##*/}
		s=${s#*_dists_}
		s=${s%%_*}
		/usr/lib/apt/apt-helper cat-file "$f" 2>/dev/null | awk -v suite="$s" '
			/^Package: / { p = $2; v = ""; d = ""; next }
			/^Version: / { v = $2; next }
			/^Depends: / { d = substr($0, 10); gsub(/ /, "", d); next }
			/^$/ {
				if (p ~ /^linux-headers-[0-9].*-amd64$/ && p !~ /-(cloud|rt)-amd64$/ && d ~ /-common\(/)
					print suite, substr(p, 15), v, d
				p = ""
			}' >>"$index.new"
	done
	mv "$index.new" "$index"
fi

# The matrix, resolved: "release suite" lines.
resolve() {
	local suite pat which
	while read -r suite pat which; do
		[[ -n $suite ]] || continue
		awk -v s="$suite" '$1 == s { print $2 }' "$index" |
			while read -r rel; do
				# shellcheck disable=SC2254
				case $rel in $pat) echo "$rel" ;; esac
			done | sort -V | { if [[ $which == all ]]; then cat; else tail -n1; fi; } |
			sed "s/\$/ $suite/"
	done <<<"$MATRIX" | awk '!seen[$1]++'
}
# suite of a release: the matrix's, the cache's, or the index's
suite_of() {
	local s
	s=$(resolve | awk -v r="$1" '$1 == r { print $2; exit }')
	[[ -n $s ]] || s=$(cat "$kcache/$1/.suite" 2>/dev/null)
	[[ -n $s ]] || s=$(awk -v r="$1" '$2 == r { print $1; exit }' "$index" 2>/dev/null)
	echo "${s:-unknown}"
}

if ((${#releases[@]})); then
	matrix=$(for r in "${releases[@]}"; do echo "$r $(suite_of "$r")"; done)
else
	matrix=$(resolve)
	if [[ -n $vm_tests ]]; then
		matrix=$({
			for series in $VM_SERIES; do
				grep -E "^${series//./\\.}[.-]" <<<"$matrix" | sort -V -k1,1 | tail -n1
			done
			sort -V -k1,1 <<<"$matrix" | tail -n1
		} | awk '!seen[$1]++')
	fi
fi
[[ -n $matrix ]] || skip "no kernels found in the archive index"
if ((list)); then
	echo "$matrix" | column -t
	exit 0
fi

# --- fetching: headers (+ common, kbuild), optionally the image ---
# field N of a release's index line
idx() { awk -v r="$1" -v n="$2" '$2 == r { print $n; exit }' "$index"; }
# the package named like PATTERN in a comma-separated Depends, with "=VER"
# when pinned exactly
dep_pkg() {
	tr ',' '\n' <<<"$1" | sed 's/|.*//' | grep -E "^$2(\(|$)" | head -n1 |
		sed -E 's/^([^(]*)\(=([^)]*)\)$/\1=\2/; s/\(.*//'
}

fetched_ok() { # rel
	[[ -f $kcache/$1/.headers && -d $kcache/$1/usr/src/linux-headers-$1 ]] &&
		{ ((!images)) || [[ -f $kcache/$1/.image ]]; }
}

# The headers name their common part by absolute path: point it into the
# cache.  The headers' and image's build/source links point outside it.
relocate() { # rel
	local dir=$kcache/$1
	sed -i -E "s#^(include |KBUILD_OUTPUT=)/usr/src/#\1$dir/usr/src/#" \
		"$dir/usr/src/linux-headers-$1/Makefile" &&
		rm -f "$dir/lib/modules/$1/build" "$dir/lib/modules/$1/source"
}

fetch() { # rel suite
	local rel=$1 suite=$2 dir=$kcache/$1 ver deps pkgs=() tmp f img
	fetched_ok "$rel" && return 0
	((online)) || { echo "not cached, and the archive is unreachable"; return 2; }
	ver=$(idx "$rel" 3)
	deps=$(idx "$rel" 4)
	[[ -n $ver ]] || { echo "linux-headers-$rel is not in the archive"; return 1; }
	tmp=$(mktemp -d "$kcache/.fetch.XXXXXX") || return 1
	if [[ ! -f $dir/.headers ]]; then
		pkgs+=("linux-headers-$rel=$ver" "$(dep_pkg "$deps" 'linux-headers-.*-common')"
			"$(dep_pkg "$deps" 'linux-kbuild-[^(]*')")
	fi
	if ((images)) && [[ ! -f $dir/.image ]]; then
		img=linux-image-$rel
		apt-cache "${APT[@]}" show "$img" >/dev/null 2>&1 || img=linux-image-$rel-unsigned
		pkgs+=("$img")
	fi
	if ! (cd "$tmp" && apt-get "${APT[@]}" -q download "${pkgs[@]}") >"$tmp/log" 2>&1; then
		cat "$tmp/log"
		rm -rf "$tmp"
		return 1
	fi
	mkdir -p "$dir"
	for f in "$tmp"/*.deb; do
		dpkg-deb -x "$f" "$dir" || { rm -rf "$tmp"; return 1; }
		echo "${f##*/}" >>"$dir/.packages"
		# what the toolchain needs, kept for offline runs
		case ${f##*/} in
		linux-headers-"$rel"_*) dpkg-deb -f "$f" Depends | tr -d ' ' >"$dir/.depends" ;;
		linux-kbuild-*) dpkg-deb -f "$f" Depends | tr -d ' ' >"$dir/.kbuild-depends" ;;
		esac
	done
	rm -rf "$tmp"
	# merged-/usr images (trixie on) ship usr/lib/modules: depmod -b and
	# run-vm.sh --modules-dir want BASE/lib/modules
	[[ -d $dir/usr/lib/modules/$rel && ! -e $dir/lib ]] && ln -s usr/lib "$dir/lib"
	relocate "$rel"
	echo "$suite" >"$dir/.suite"
	[[ -d $dir/usr/src/linux-headers-$rel ]] && echo "$ver" >"$dir/.headers"
	# an image gets the modules.dep its postinst would make, for modprobe/modinfo -b
	if ((images)) && [[ -e $dir/boot/vmlinuz-$rel ]]; then
		/sbin/depmod -b "$dir" -F "$dir/boot/System.map-$rel" "$rel" &&
			echo "$ver" >"$dir/.image"
	fi
	fetched_ok "$rel"
}

# --- toolchains ---
# The compiler the kernel was built with, e.g. gcc-10, x86_64-linux-gnu-gcc-14.
kernel_cc() { sed -n 's/^CONFIG_CC_VERSION_TEXT="\([^ ]*\) .*/\1/p' "$1/.config"; }

# Can this host build for KDIR: the compiler, the kbuild binaries (glibc),
# and pahole when the headers carry vmlinux (BTF for modules)?
host_ok() { # kdir cc
	local out
	command -v "$2" >/dev/null || return 1
	out=$("$1/scripts/basic/fixdep" 2>&1)
	grep -qiE 'GLIBC|not found|error while loading' <<<"$out" && return 1
	if [[ -e $1/vmlinux ]] && grep -q '^CONFIG_DEBUG_INFO_BTF_MODULES=y' "$1/.config"; then
		command -v pahole >/dev/null || return 1
	fi
	return 0
}

# Packages the chroot needs for a release: make, perl, the compiler the
# headers depend on, and what the kbuild binaries need.
tc_packages() { # rel
	local deps kbdeps
	deps=$(cat "$kcache/$1/.depends")
	kbdeps=$(cat "$kcache/$1/.kbuild-depends")
	{
		echo make
		echo perl # kernel-doc, which W=1 runs since 6.x
		tr ',' '\n' <<<"$deps" | sed 's/|.*//; s/(.*//; s/ //g' |
			grep -E '^(linux-compiler-gcc-.*|gcc-[0-9]+(-for-host)?)$'
		tr ',' '\n' <<<"$kbdeps" | sed 's/|.*//; s/(.*//; s/ //g' | grep .
	} | sort -u
}

debootstrap_cmd() {
	local d=$cache/tools/debootstrap
	if command -v debootstrap >/dev/null && [[ -e /usr/share/debootstrap/scripts/sid ]]; then
		echo debootstrap
		return
	fi
	if [[ ! -x $d/usr/sbin/debootstrap ]]; then
		((online)) || return 1
		rm -rf "$d" && mkdir -p "$d" &&
			(cd "$d" && apt-get "${APT[@]}" -q download debootstrap/sid) >/dev/null 2>&1 &&
			dpkg-deb -x "$d"/debootstrap_*.deb "$d" && rm -f "$d"/*.deb || return 1
	fi
	echo "env DEBOOTSTRAP_DIR=$d/usr/share/debootstrap $d/usr/sbin/debootstrap"
}

# Make sure $tcdir/SUITE is a chroot with PACKAGES; prints its path.
toolchain() { # suite packages...
	local suite=$1 root=$tcdir/$1 missing=() p ds
	shift
	if [[ ! -f $root/.ftpalg-ok ]]; then
		[[ $(id -u) -eq 0 ]] || { echo "needs root to create the $suite toolchain chroot" >&2; return 2; }
		((online)) || { echo "no $suite chroot, and the archive is unreachable" >&2; return 2; }
		ds=$(debootstrap_cmd) || { echo "cannot fetch debootstrap" >&2; return 1; }
		echo "kernels: creating the $suite toolchain chroot ($*)" >&2
		rm -rf "$root"
		$ds --variant=minbase --components=main --keyring="$keyring" \
			--include="$(IFS=,; echo "$*")" "$suite" "$root" "$mirror" \
			>"$logdir/toolchain-$suite.log" 2>&1 ||
			{ echo "debootstrap $suite failed: $logdir/toolchain-$suite.log" >&2; return 1; }
		rm -rf "$root"/var/cache/apt/archives/*.deb
		touch "$root/.ftpalg-ok"
	fi
	for p in "$@"; do
		# shellcheck disable=SC2016
		chroot "$root" dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null | grep -q '^ii' ||
			missing+=("$p")
	done
	if ((${#missing[@]})); then
		if [[ $(id -u) -ne 0 ]] || ((!online)); then
			echo "the $suite chroot lacks ${missing[*]} (needs root and the archive)" >&2
			return 2
		fi
		# (Valid-Until: the mirror may be a snapshot, as the host's apt allows)
		{ chroot "$root" apt-get -q -o Acquire::Check-Valid-Until=false update &&
			chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get -q -y \
				--no-install-recommends install "${missing[@]}" &&
			chroot "$root" apt-get clean; } >>"$logdir/toolchain-$suite.log" 2>&1 ||
			{ echo "installing ${missing[*]} in the $suite chroot failed" >&2; return 1; }
	fi
	echo "$root"
}

# Run a command on the host (ROOT "/") or in the chroot ROOT, which sees
# the kernel cache at the same path.
run_in() { # root cmd...
	local root=$1
	shift
	if [[ $root == / ]]; then
		"$@"
		return
	fi
	# shellcheck disable=SC2016
	unshare --mount --propagation private /bin/sh -c '
		root=$1 share=$2
		shift 2
		mkdir -p "$root$share" && mount --bind "$share" "$root$share" &&
			mount -t proc proc "$root/proc" || exit 1
		exec chroot "$root" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin \
			HOME=/root LANG=C.UTF-8 "$@"' sh "$root" "$kcache" "$@"
}

# --- building ---
build() { # rel suite -> sets b_result b_tc b_cc b_compat
	local rel=$1 suite=$2 dir=$kcache/$1 kdir src root base log=$logdir/$1.log
	kdir=$dir/usr/src/linux-headers-$rel
	relocate "$rel"
	b_cc=$(kernel_cc "$kdir")
	b_tc=host b_compat=""
	root=/
	if ! host_ok "$kdir" "$b_cc"; then
		base=${suite%%-*}
		[[ $base == experimental ]] && base=sid
		[[ $base == unknown ]] && { b_result="FAIL (suite unknown)"; return; }
		b_tc=$base
		# shellcheck disable=SC2046
		root=$(toolchain "$base" $(tc_packages "$rel") 2>"$log.tc")
		case $? in
		0) rm -f "$log.tc" ;;
		2) b_result="SKIP ($(tail -n1 "$log.tc"))" ;;
		*) b_result="FAIL ($(tail -n1 "$log.tc"))" ;;
		esac
		[[ -f $log.tc ]] && { mv "$log.tc" "$log"; return; }
	fi
	# the file set dkms ships, built as dkms.conf builds it
	rm -rf "$dir/build"
	if ! make -s -C "$top" dkms-install DESTDIR="$dir/build" >"$log" 2>&1; then
		b_result="FAIL (make dkms-install)"
		return
	fi
	src=$(find "$dir/build/usr/src" -mindepth 1 -maxdepth 1 -type d | head -n1)
	{
		echo "# $rel ($suite), compiler $b_cc, toolchain $b_tc"
		run_in "$root" make -C "$src" -j"$jobs" KDIR="$kdir" KERNELRELEASE="$rel" W=1 module
	} >>"$log" 2>&1
	local rc=$?
	b_compat=$(grep -ho -- '-DFTPALG_HAVE_[A-Z0-9_]*' "$src"/kmod/.main.o.cmd 2>/dev/null |
		sed 's/-DFTPALG_HAVE_//' | grep -vx PROBES | sort -u | tr '\n' ' ')
	if ((rc)); then
		b_result=FAIL
	elif grep -qE '(warning|error):' "$log"; then
		b_result="FAIL (warnings)"
	elif [[ ! -f $src/kmod/nf_conntrack_ftpalg.ko ]]; then
		b_result="FAIL (no .ko)"
	else
		b_result=ok
	fi
	echo "# probes found: ${b_compat:-none}" >>"$log"
	rm -rf "${logdir:?}/$rel"
	[[ $b_result == ok ]] && mkdir -p "$logdir/$rel" &&
		cp "$src/kmod/nf_conntrack_ftpalg.ko" "$logdir/$rel/"
	((rc)) || rm -rf "$dir/build"
}

# --- the selftests in a VM on the kernel itself ---
vm_run() { # rel -> sets v_result, v_failed
	local rel=$1 dir=$kcache/$1 out=$logdir/$1.vm name short pass fail skip secs t rc
	local moddir=$dir/lib/modules/$rel
	v_failed=1
	if [[ ! -r $dir/boot/vmlinuz-$rel || ! -f $moddir/modules.dep ]]; then
		v_result="FAIL (no image in $dir)"
		return
	fi
	rm -rf "$out"
	# shellcheck disable=SC2086 # TESTS is a list
	(cd "$top" && selftests/vm/run-vm-tests.sh -j 1 --timeout "${FTPALG_VM_TIMEOUT:-2400}" \
		--log-dir "$out" --kernel "$dir/boot/vmlinuz-$rel" --modules-dir "$moddir" \
		--module "$logdir/$rel/nf_conntrack_ftpalg.ko" -- $vm_tests) >"$out.tap" 2>&1
	rc=$?
	# per test: its checks passed/run (kselftest totals) and seconds; a
	# skipped test (module not loadable, tool missing) fails the matrix
	v_result=""
	for t in $vm_tests; do
		name=${t##*/}
		read -r pass fail skip < <(sed -n 's/^# # Totals: pass:\([0-9]*\) fail:\([0-9]*\) skip:\([0-9]*\).*/\1 \2 \3/p' \
			"$out/$name.out" 2>/dev/null | tail -n1)
		secs=$(sed -n 's/^run-vm: kernel .*, wall \([0-9]*\).*/\1/p' "$out/$name.out" 2>/dev/null | tail -n1)
		short=${name#ftpalg_}
		v_result+="${short%.sh} "
		if grep -qE "^ok [0-9]+ selftests: ftpalg: $name\$" "$out.tap"; then
			v_result+="$pass/$((pass + fail))"
		else
			rc=1
			grep -qE "^ok [0-9]+ selftests: ftpalg: $name # SKIP" "$out.tap" &&
				v_result+="SKIP" || v_result+="FAIL ${pass:-0}/$((${pass:-0} + ${fail:-0}))"
		fi
		((${skip:-0})) && v_result+=" ($skip skipped)"
		v_result+=" ${secs:-?}s, "
	done
	v_result=${v_result%, }
	((rc)) || v_failed=0
}

start=$SECONDS
failed=0 skipped=0
rows=() built=()
while read -r rel suite; do
	t0=$SECONDS
	out=$(fetch "$rel" "$suite" 2>&1)
	case $? in
	0) ;;
	2)
		rows+=("$rel|$suite|-|-|SKIP ($(tail -n1 <<<"$out"))|0")
		skipped=$((skipped + 1))
		continue
		;;
	*)
		echo "$out" >"$logdir/$rel.log"
		rows+=("$rel|$suite|-|-|FAIL (fetch: $(tail -n1 <<<"$out"))|$((SECONDS - t0))")
		failed=$((failed + 1))
		continue
		;;
	esac
	if ((fetch_only)); then
		rows+=("$rel|$suite|-|-|fetched|$((SECONDS - t0))")
		continue
	fi
	build "$rel" "$suite"
	case $b_result in
	ok) built+=("$rel") ;;
	SKIP*) skipped=$((skipped + 1)) ;;
	*) failed=$((failed + 1)) ;;
	esac
	rows+=("$rel|$suite|$b_cc ($b_tc)|${b_compat:--}|$b_result|$((SECONDS - t0))")
	say "$rel: $b_result ($((SECONDS - t0)) s)"
done <<<"$matrix"

# The VMs only read the cache: let other runs fetch and build meanwhile.
declare -A vm=()
if [[ -n $vm_tests ]]; then
	flock -u 9
	for rel in "${built[@]}"; do
		say "$rel: selftests in a VM: $vm_tests"
		vm_run "$rel"
		vm[$rel]=$v_result
		failed=$((failed + v_failed))
		say "$rel: $v_result"
	done
fi

echo
{
	echo "release|suite|compiler (toolchain)|probes found (FTPALG_HAVE_)|make module W=1|s${vm_tests:+|VM selftests: checks passed/run, wall time}"
	for row in "${rows[@]}"; do
		rel=${row%%|*}
		echo "$row${vm_tests:+|${vm[$rel]:--}}"
	done
} | column -t -s '|'
echo
say "${#rows[@]} kernels, $failed failed, $skipped skipped, $((SECONDS - start)) s; logs in $logdir"
((failed == 0))
