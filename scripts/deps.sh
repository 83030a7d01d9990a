#!/bin/bash
# Install (idempotently) the Debian 12 packages needed to build and test
# nf_conntrack_ftpalg, or print the kernel release to test against.
#
#   scripts/deps.sh                   install missing packages (root only)
#   scripts/deps.sh --check           only report missing packages (exit 1 if any)
#   scripts/deps.sh --kernel-release  print the newest installed kernel release
#                                     that has /boot/vmlinuz-REL and
#                                     /lib/modules/REL/build
#   scripts/deps.sh --list            print the package list
set -euo pipefail

PACKAGES=(
	linux-image-amd64 linux-headers-amd64 linux-source-6.1
	qemu-system-x86 busybox-static kmod cpio
	vsftpd nftables conntrack conntrackd iproute2 iptables
	python3 python3-pyftpdlib lftp curl wget
	libhiredis0.14 libmemcached11 libmemcachedutil2 libpcre2-posix3
	libsodium23 libidn2-0 libcap2 libacl1 libssl3
	dkms sparse
	libmnl-dev libnetfilter-conntrack-dev libjansson-dev pkg-config make gcc
	build-essential debhelper dh-dkms dpkg-dev fakeroot lintian shellcheck git
	systemd man-db
	tcpdump socat procps
	clang libclang-rt-14-dev llvm valgrind jq
	bash-completion groff-base
)

# FTP servers for selftests/ftpalg_interop.sh that Debian declares
# conflicting with vsftpd (each Provides and Conflicts ftp-server): they are
# unpacked, not installed, with apt-get download and dpkg-deb -x, under
# SERVERS_DIR/PACKAGE/ (their libraries are in PACKAGES above).
SERVERS_DIR=/var/cache/ftpalg/servers
UNPACKED=(proftpd-core pure-ftpd)

missing_unpacked() {
	local p
	for p in "${UNPACKED[@]}"; do
		[[ -d $SERVERS_DIR/$p/usr/sbin ]] || printf '%s\n' "$p"
	done
}

unpack_servers() {
	local p dir deb
	dir=$(mktemp -d) || return 1
	chmod 755 "$dir"
	for p in "$@"; do
		(cd "$dir" && apt-get download "$p") || return 1
		deb=$(ls "$dir/${p}_"*.deb) || return 1
		rm -rf "${SERVERS_DIR:?}/$p"
		mkdir -p "$SERVERS_DIR/$p" && dpkg-deb -x "$deb" "$SERVERS_DIR/$p" ||
			return 1
	done
	rm -rf "$dir"
}

# Newest kernel release with both an image in /boot and a build/ directory.
kernel_release() {
	local d rel best=""
	for d in /lib/modules/*/; do
		rel=$(basename "$d")
		[[ -e /boot/vmlinuz-$rel && -d /lib/modules/$rel/build ]] || continue
		best+="$rel"$'\n'
	done
	best=$(printf '%s' "$best" | sort -V | tail -n1)
	if [[ -z $best ]]; then
		echo "deps.sh: no kernel with /boot/vmlinuz-REL and /lib/modules/REL/build found" >&2
		return 1
	fi
	printf '%s\n' "$best"
}

missing_packages() {
	local p st
	for p in "${PACKAGES[@]}"; do
		st=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
		[[ $st == ii* ]] || printf '%s\n' "$p"
	done
}

case "${1:-}" in
--kernel-release)
	kernel_release
	exit
	;;
--list)
	printf '%s\n' "${PACKAGES[@]}" "${UNPACKED[@]}"
	exit 0
	;;
--check | "") ;;
-h | --help)
	sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
	exit 0
	;;
*)
	echo "deps.sh: unknown argument: $1" >&2
	exit 2
	;;
esac

mapfile -t MISSING < <(missing_packages)
mapfile -t UNPACK < <(missing_unpacked)
if ((${#MISSING[@]} == 0 && ${#UNPACK[@]} == 0)); then
	echo "deps.sh: all ${#PACKAGES[@]} packages installed, ${#UNPACKED[@]} unpacked"
	[[ ${1:-} == --check ]] || echo "deps.sh: kernel release: $(kernel_release || echo none)"
	exit 0
fi

echo "deps.sh: missing:${MISSING:+ ${MISSING[*]}}${UNPACK:+ (to unpack in $SERVERS_DIR:) ${UNPACK[*]}}"
if [[ ${1:-} == --check ]]; then
	exit 1
fi
if [[ $(id -u) -ne 0 ]]; then
	echo "deps.sh: not root; run it as root (sudo scripts/deps.sh)" >&2
	exit 1
fi

apt-get update
if ((${#MISSING[@]})); then
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${MISSING[@]}"
fi
if ((${#UNPACK[@]})); then
	unpack_servers "${UNPACK[@]}"
fi

mapfile -t STILL < <(missing_packages; missing_unpacked)
if ((${#STILL[@]})); then
	echo "deps.sh: still missing after install: ${STILL[*]}" >&2
	exit 1
fi
echo "deps.sh: kernel release: $(kernel_release || echo none)"
