#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Test the Debian packaging as the README has it: build
# nf-conntrack-ftpalg-dkms and ftpalgctl with `make deb` (dpkg-buildpackage
# in a scratch copy: nothing is written to the clone), run lintian on them,
# install both with apt-get so that DKMS builds the module for the kernel
# the selftests use, check what got installed, then purge them.  Prints TAP, exits non-zero on any failure,
# and leaves the system as it found it: it refuses to run if either package
# is installed, dkms knows the module, or /usr/sbin/ftpalgctl exists.
#
#   scripts/deb-test.sh [--kernel-release REL] [REPO_ROOT]
#
# Needs root (dpkg -i).  REL defaults to `scripts/deps.sh --kernel-release`,
# REPO_ROOT to the directory above this script.
set -uo pipefail

NAME=nf_conntrack_ftpalg
DKMS_PKG=nf-conntrack-ftpalg-dkms
TOOL_PKG=ftpalgctl
UNIT=ftpalg-policy.service
# No terminal under make check or CI: no debconf questions.
export DEBIAN_FRONTEND=noninteractive
# shellcheck source=scripts/pkg-test-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/pkg-test-lib.sh"
parse_install_test_args "$@"

echo "TAP version 13"
echo "1..13"

[[ $(id -u) -eq 0 ]] || bail "must be root (dpkg -i)"
for cmd in dpkg-buildpackage dh_dkms lintian dkms systemd-analyze; do
	command -v "$cmd" >/dev/null || bail "$cmd not installed (scripts/deps.sh)"
done
resolve_version_and_kernel
ARCH=$(dpkg --print-architecture)
echo "# version $VERSION, kernel $REL, repo $ROOT"

for p in "$DKMS_PKG" "$TOOL_PKG"; do
	dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null | grep -q '^[ih]' &&
		bail "package $p is installed; remove it first (dpkg --purge $p)"
done
refuse_dkms_state "$VERSION"
[[ -e /usr/sbin/ftpalgctl ]] && bail "/usr/sbin/ftpalgctl exists (make install?); remove it first"
PRE_FILES=$(module_files "$REL")
remember_mok
# The build must not write into the clone (build/ holds make check's logs).
clone_state() { git -C "$ROOT" status --porcelain --ignored 2>/dev/null | grep -v ' build/$'; }
CLONE_PRE=$(clone_state)

WORK=$(mktemp -d "${TMPDIR:-/tmp}/ftpalg-deb-test.XXXXXX")
INSTALLED=0
cleanup() {
	local rc=$?
	if ((INSTALLED)); then
		dpkg --purge "$TOOL_PKG" "$DKMS_PKG" >/dev/null 2>&1
		dkms remove -m "$NAME" -v "$VERSION" --all >/dev/null 2>&1
		drop_empty_dkms_dir
		rm -rf "/usr/src/$NAME-$VERSION"
	fi
	forget_new_mok
	rm -rf "$WORK"
	tap_exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# 1: one version: dkms.conf's, in debian/changelog too (debian/rules
# refuses to build otherwise).
cl_version=$(dpkg-parsechangelog -l "$ROOT/debian/changelog" -S Version)
check "debian/changelog version $cl_version = dkms.conf PACKAGE_VERSION $VERSION" \
	test "$cl_version" = "$VERSION"

# 2: build
DKMS_DEB=$WORK/out/${DKMS_PKG}_${VERSION}_all.deb
TOOL_DEB=$WORK/out/${TOOL_PKG}_${VERSION}_$ARCH.deb
# The tools' unit tests have their own tier in make check.
if DEB_BUILD_OPTIONS=${DEB_BUILD_OPTIONS-nocheck} make -C "$ROOT" deb DEB_OUTDIR="$WORK/out" \
	>"$WORK/build.log" 2>&1 && [[ -f $DKMS_DEB && -f $TOOL_DEB ]]; then
	ok "make deb: $(basename "$DKMS_DEB") $(basename "$TOOL_DEB")"
else
	not_ok "make deb"
	tail -n 40 "$WORK/build.log" | diag
	bail "no packages to test"
fi

# 3: the -dkms package ships exactly what `make dkms-install` installs
make -s -C "$ROOT" --no-print-directory dkms-install DESTDIR="$WORK/ref" >/dev/null
(cd "$WORK/ref" && find . -type f | sed 's|^\./||' | sort) >"$WORK/ref.list"
dpkg-deb -c "$DKMS_DEB" | awk '$1 !~ /^d/ {print $6}' | sed 's|^\./||' |
	grep '^usr/src/' | sort >"$WORK/deb.list"
if diff -u "$WORK/ref.list" "$WORK/deb.list" >"$WORK/diff" 2>&1; then
	ok "$DKMS_PKG ships the make dkms-install files ($(wc -l <"$WORK/deb.list"))"
else
	not_ok "$DKMS_PKG ships the make dkms-install files"
	diag <"$WORK/diff"
fi

# 4: the ftpalgctl package's files
missing=""
tool_list=$(dpkg-deb -c "$TOOL_DEB" | awk '{print $6}')
for f in ./usr/sbin/ftpalgctl ./usr/share/man/man8/ftpalgctl.8.gz \
	./usr/share/bash-completion/completions/ftpalgctl \
	./lib/systemd/system/$UNIT ./etc/ftpalg/; do
	grep -qxF "$f" <<<"$tool_list" || missing+="$f "
done
check "$TOOL_PKG ships the tool, man page, completion and $UNIT${missing:+ (missing: $missing)}" \
	test -z "$missing"

# 5: lintian: no error or warning; info tags and overrides are shown.
if lintian --fail-on error,warning --display-info --show-overrides \
	"$WORK"/out/*.changes >"$WORK/lintian" 2>&1; then
	ok "lintian: no errors or warnings"
else
	not_ok "lintian: no errors or warnings"
fi
grep -v 'running with root privileges' "$WORK/lintian" | diag

# 6-8: installing the packages builds the module for $REL
INSTALLED=1
if apt-get install -q -y --no-install-recommends -o DPkg::Lock::Timeout=300 \
	"$DKMS_DEB" "$TOOL_DEB" >"$WORK/install.log" 2>&1; then
	ok "apt-get install $DKMS_PKG $TOOL_PKG"
else
	not_ok "apt-get install $DKMS_PKG $TOOL_PKG"
	show_make_log "$VERSION"
fi
diag <"$WORK/install.log"
# The postinst builds for the running kernel and the newest one; a kernel
# whose headers come later gets it from dkms's header hook, i.e. autoinstall.
how="by the postinst"
if ! dkms status -m "$NAME" -v "$VERSION" -k "$REL" 2>/dev/null | grep -q ': installed'; then
	how="by dkms autoinstall -k $REL"
	dkms autoinstall -k "$REL" 2>&1 | diag
fi
st=$(dkms status -m "$NAME" -v "$VERSION" -k "$REL" 2>&1)
diag <<<"$st"
if grep -q ': installed' <<<"$st"; then
	ok "module built and installed for $REL $how"
else
	not_ok "module built and installed for $REL"
	show_make_log "$VERSION"
fi
check_modinfo "$REL" "$PRE_FILES"

# 9, 10: the ftpalgctl package
v=$(/usr/sbin/ftpalgctl -V 2>&1)
echo "ftpalgctl -V: $v" | diag
if grep -qF -- "$VERSION" <<<"$v" &&
	[[ $(man -w ftpalgctl 2>/dev/null) == /usr/share/man/man8/ftpalgctl.8.gz ]] &&
	bash -c '. /usr/share/bash-completion/completions/ftpalgctl && complete -p ftpalgctl' >/dev/null; then
	ok "ftpalgctl -V names $VERSION; man -w and the bash completion find it"
else
	not_ok "ftpalgctl -V names $VERSION; man -w and the bash completion find it"
fi
# systemd-analyze verify checks the unit's syntax, that ExecStart's binary
# exists and that its man page does; it prints nothing when all is well.
verify=$(systemd-analyze verify "/lib/systemd/system/$UNIT" 2>&1)
diag <<<"$verify"
unit=/lib/systemd/system/$UNIT
if [[ -z $verify && -L /etc/systemd/system/multi-user.target.wants/$UNIT ]] &&
	grep -qx 'ExecStart=/usr/sbin/ftpalgctl restore /etc/ftpalg/policy.conf' "$unit" &&
	grep -qx 'ConditionPathExists=/etc/ftpalg/policy.conf' "$unit"; then
	ok "systemd-analyze verify $UNIT; enabled for multi-user.target"
else
	not_ok "systemd-analyze verify $UNIT; enabled for multi-user.target"
fi

# 11: purge both
if dpkg --purge "$TOOL_PKG" "$DKMS_PKG" >"$WORK/purge.log" 2>&1; then
	ok "dpkg --purge $TOOL_PKG $DKMS_PKG"
else
	not_ok "dpkg --purge $TOOL_PKG $DKMS_PKG"
fi
diag <"$WORK/purge.log"
INSTALLED=0
drop_empty_dkms_dir

# 12: nothing left behind
left=$(dkms_leftovers "$VERSION" "$REL" "$PRE_FILES")
for f in /usr/sbin/ftpalgctl /etc/ftpalg "/lib/systemd/system/$UNIT" \
	"/etc/systemd/system/multi-user.target.wants/$UNIT"; do
	[[ -e $f || -L $f ]] && left+="$f "
done
for p in "$DKMS_PKG" "$TOOL_PKG"; do
	st=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null)
	[[ -z $st || $st == [up]n* ]] || left+="dpkg:$p($st) "
done
check "system restored${left:+: left behind: $left}" test -z "$left"

# 13: the clone got no build products
clone_post=$(clone_state)
if [[ $clone_post == "$CLONE_PRE" ]]; then
	ok "nothing written to the clone"
else
	not_ok "nothing written to the clone"
	diff <(echo "$CLONE_PRE") <(echo "$clone_post") | diag
fi

exit "$FAILED"
