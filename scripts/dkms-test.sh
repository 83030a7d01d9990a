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
ALIAS=nfct-helper-ftpalg
SELF_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=""
REL=""

while (($#)); do
	case "$1" in
	--kernel-release) REL=${2:?}; shift 2 ;;
	--kernel-release=*) REL=${1#*=}; shift ;;
	-h | --help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) echo "dkms-test: unknown option $1" >&2; exit 2 ;;
	*) ROOT=$1; shift ;;
	esac
done
ROOT=$(cd "${ROOT:-$SELF_DIR/..}" && pwd) || exit 2

N=0
FAILED=0
PLAN=9
echo "TAP version 13"
echo "1..$PLAN"
ok() { N=$((N + 1)); echo "ok $N - $*"; }
not_ok() { N=$((N + 1)); FAILED=1; echo "not ok $N - $*"; }
diag() { sed 's/^/# /'; }
bail() {
	echo "Bail out! $*"
	FAILED=1
	exit 1
}

[[ $(id -u) -eq 0 ]] || bail "must be root (dkms writes /usr/src, /var/lib/dkms, /lib/modules)"
command -v dkms >/dev/null || bail "dkms not installed (scripts/deps.sh)"
[[ -f $ROOT/dkms.conf ]] || bail "$ROOT/dkms.conf missing"
VERSION=$(sed -n 's/^PACKAGE_VERSION="\{0,1\}\([^"]*\)"\{0,1\}[[:space:]]*$/\1/p' "$ROOT/dkms.conf" | head -n1)
[[ -n $VERSION ]] || bail "no PACKAGE_VERSION in $ROOT/dkms.conf"
if [[ -z $REL ]]; then
	REL=$("$ROOT/scripts/deps.sh" --kernel-release 2>/dev/null || "$SELF_DIR/deps.sh" --kernel-release) ||
		bail "no kernel release with headers found"
fi
[[ -d /lib/modules/$REL/build ]] || bail "no headers for $REL (/lib/modules/$REL/build)"
SRC=/usr/src/$NAME-$VERSION
echo "# module $NAME $VERSION, kernel $REL, repo $ROOT"

# Refuse to touch pre-existing state: we could not restore it exactly.
if [[ -e $SRC ]]; then
	bail "$SRC already exists; remove it first (make dkms-uninstall)"
fi
if [[ -n $(dkms status -m "$NAME" 2>/dev/null) || -e /var/lib/dkms/$NAME ]]; then
	dkms status -m "$NAME" 2>&1 | diag
	bail "dkms already knows $NAME; remove it first (dkms remove -m $NAME --all)"
fi
# Remember non-dkms copies of the module (e.g. from `make install`) so the
# final check does not mistake them for dkms leftovers.
PRE_FILES=$(find "/lib/modules/$REL" -name "$NAME.ko*" 2>/dev/null | sort)

# dkms 3 generates a MOK signing key pair on its first build; drop it again
# if this run created it.
MOK_PRE=$(ls /var/lib/dkms/mok.key /var/lib/dkms/mok.pub 2>/dev/null)

ADDED=0
cleanup() {
	local rc=$?
	[[ -n $MOK_PRE ]] || rm -f /var/lib/dkms/mok.key /var/lib/dkms/mok.pub
	if ((ADDED)) || [[ -e /var/lib/dkms/$NAME/$VERSION ]]; then
		dkms remove -m "$NAME" -v "$VERSION" --all >/dev/null 2>&1 || true
	fi
	[[ -e /var/lib/dkms/$NAME ]] && [[ -z $(ls -A "/var/lib/dkms/$NAME" 2>/dev/null | grep -v '^original_module$') ]] &&
		rm -rf "/var/lib/dkms/$NAME"
	rm -rf "$SRC"
	if ((FAILED)); then
		echo "# FAILED"
		exit 1
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

show_make_log() {
	local log=/var/lib/dkms/$NAME/$VERSION/build/make.log
	[[ -f $log ]] && { echo "$log (last 40 lines):"; tail -n 40 "$log"; } | diag
}

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
	not_ok "dkms build -k $REL"; echo "$out" | diag; show_make_log; bail "dkms build failed"
fi
if out=$(dkms install -m "$NAME" -v "$VERSION" -k "$REL" --force 2>&1); then ok "dkms install -k $REL"; else
	not_ok "dkms install -k $REL"; echo "$out" | diag; bail "dkms install failed"
fi

# 6: dkms reports it installed
st=$(dkms status -m "$NAME" -v "$VERSION" -k "$REL" 2>&1)
echo "$st" | diag
if grep -q ': installed' <<<"$st"; then ok "dkms status: installed"; else not_ok "dkms status: installed"; fi

# 7: modinfo finds the dkms-installed module with the helper alias
file=$(modinfo -k "$REL" -F filename "$NAME" 2>/dev/null)
aliases=$(modinfo -k "$REL" -F alias "$NAME" 2>/dev/null)
echo "filename: ${file:-<none>}" | diag
echo "$aliases" | sed 's/^/alias: /' | diag
if [[ -n $file && -f $file ]] && grep -qx "$ALIAS" <<<"$aliases" &&
	! grep -qxF "$file" <<<"$PRE_FILES"; then
	ok "modinfo -k $REL $NAME: dkms copy with alias $ALIAS"
else
	not_ok "modinfo -k $REL $NAME: dkms copy with alias $ALIAS"
	find "/lib/modules/$REL" -name "$NAME.ko*" | diag
fi

# 8: dkms remove
if out=$(dkms remove -m "$NAME" -v "$VERSION" --all 2>&1); then ok "dkms remove --all"; else
	not_ok "dkms remove --all"; echo "$out" | diag
fi
ADDED=0
rm -rf "$SRC"
[[ -d /var/lib/dkms/$NAME ]] && [[ -z $(ls -A "/var/lib/dkms/$NAME") ]] && rmdir "/var/lib/dkms/$NAME"

# 9: nothing left behind
left=""
[[ -e $SRC ]] && left+="$SRC "
[[ -n $(dkms status -m "$NAME" 2>/dev/null) ]] && left+="dkms-status "
[[ -e /var/lib/dkms/$NAME ]] && left+="/var/lib/dkms/$NAME "
post=$(find "/lib/modules/$REL" -name "$NAME.ko*" 2>/dev/null | sort)
[[ $post == "$PRE_FILES" ]] || left+="module-files($post) "
if [[ -z $left ]]; then ok "system restored"; else not_ok "system restored: left behind: $left"; fi

exit "$FAILED"
