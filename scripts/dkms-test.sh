#!/bin/bash
# Test the DKMS packaging of nf_conntrack_ftpalg with the system's dkms and
# installed linux-headers. Prints TAP, exits non-zero on any failure, and
# leaves the system as it found it (it refuses to run if any version of the
# module is already known to dkms or its /usr/src directory exists).
#
#   scripts/dkms-test.sh [--kernel-release REL] [REPO_ROOT]
#
# Needs root. REPO_ROOT defaults to the directory above this script.
set -uo pipefail

NAME=nf_conntrack_ftpalg
# shellcheck source=scripts/pkg-test-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/pkg-test-lib.sh"
parse_install_test_args "$@"

echo "TAP version 13"
echo "1..9"

[[ $(id -u) -eq 0 ]] || bail "must be root (dkms writes /usr/src, /var/lib/dkms, /lib/modules)"
command -v dkms >/dev/null || bail "dkms not installed (scripts/deps.sh)"
[[ -f $ROOT/dkms.conf ]] || bail "$ROOT/dkms.conf missing"
resolve_version_and_kernel
SRC=/usr/src/$NAME-$VERSION
echo "# module $NAME $VERSION, kernel $REL, repo $ROOT"

refuse_dkms_state "$VERSION"
PRE_FILES=$(module_files "$REL")
remember_mok

ADDED=0
cleanup() {
	local rc=$?
	forget_new_mok
	if ((ADDED)) || [[ -e /var/lib/dkms/$NAME/$VERSION ]]; then
		dkms remove -m "$NAME" -v "$VERSION" --all >/dev/null 2>&1 || true
	fi
	drop_empty_dkms_dir
	rm -rf "$SRC"
	tap_exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# 1: copy the sources with the Makefile's explicit file list
if out=$(make -C "$ROOT" --no-print-directory dkms-install DESTDIR= 2>&1); then
	ok "make dkms-install"
else
	not_ok "make dkms-install"
	echo "$out" | diag
	bail "cannot continue without sources in $SRC"
fi

# 2: what got shipped
if [[ -f $SRC/dkms.conf ]]; then
	ok "sources installed in $SRC"
	(cd "$SRC" && find . -type f | sort) | diag
	stray=$(cd "$SRC" && find . -type f \( -name '*.o' -o -name '*.ko' -o -name '*.mod*' -o -name '*.cmd' \
		-o -name 'Module.symvers' -o -name 'modules.order' \))
	[[ -z $stray ]] || { echo "build products shipped in $SRC:"; echo "$stray"; } | diag
else
	not_ok "sources installed in $SRC"
	bail "$SRC/dkms.conf missing after make dkms-install"
fi

# 3-5: dkms add / build / install
ADDED=1
if out=$(dkms add -m "$NAME" -v "$VERSION" 2>&1); then ok "dkms add"; else
	not_ok "dkms add"; echo "$out" | diag; bail "dkms add failed"
fi
if out=$(dkms build -m "$NAME" -v "$VERSION" -k "$REL" 2>&1); then ok "dkms build -k $REL"; else
	not_ok "dkms build -k $REL"; echo "$out" | diag; show_make_log "$VERSION"; bail "dkms build failed"
fi
if out=$(dkms install -m "$NAME" -v "$VERSION" -k "$REL" --force 2>&1); then ok "dkms install -k $REL"; else
	not_ok "dkms install -k $REL"; echo "$out" | diag; bail "dkms install failed"
fi

# 6: dkms reports it installed
st=$(dkms status -m "$NAME" -v "$VERSION" -k "$REL" 2>&1)
echo "$st" | diag
if grep -q ': installed' <<<"$st"; then ok "dkms status: installed"; else not_ok "dkms status: installed"; fi

# 7: modinfo finds the dkms-installed module with the helper alias
check_modinfo "$REL" "$PRE_FILES"

# 8: dkms remove
if out=$(dkms remove -m "$NAME" -v "$VERSION" --all 2>&1); then ok "dkms remove --all"; else
	not_ok "dkms remove --all"; echo "$out" | diag
fi
ADDED=0
rm -rf "$SRC"
drop_empty_dkms_dir

# 9: nothing left behind
left=$(dkms_leftovers "$VERSION" "$REL" "$PRE_FILES")
check "system restored${left:+: left behind: $left}" test -z "$left"

exit "$FAILED"
