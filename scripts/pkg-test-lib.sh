# shellcheck shell=bash disable=SC2034 # FAILED is read by the sourcing test
# SPDX-License-Identifier: GPL-2.0
# Sourced by the packaging tests (dkms-test.sh, deb-test.sh, openwrt-test.sh):
# TAP output, and the dkms state the installing ones refuse to disturb and
# must leave as they found it.  Expects ROOT (the repository; see
# parse_install_test_args) and, for the dkms functions, NAME (the dkms
# module name) to be set.

N=0
FAILED=0
ok() { N=$((N + 1)); echo "ok $N - $*"; }
not_ok() { N=$((N + 1)); FAILED=1; echo "not ok $N - $*"; }
# check DESCRIPTION COMMAND...: one test, passing if COMMAND succeeds.
check() {
	local what=$1
	shift
	if "$@"; then ok "$what"; else not_ok "$what"; fi
}
diag() { sed 's/^/# /'; }
bail() {
	echo "Bail out! $*"
	FAILED=1
	exit 1
}
# The end of a test's EXIT trap: status 1 if a test failed, else RC.
tap_exit() {
	((FAILED)) && { echo "# FAILED"; exit 1; }
	exit "$1"
}

# The options of the tests that install: [--kernel-release REL]
# [REPO_ROOT] (default: the directory above scripts/); -h prints the
# script's header comment.  Sets REL (maybe empty) and ROOT.
parse_install_test_args() {
	local self_dir
	self_dir=$(cd "$(dirname "$0")" && pwd)
	REL=""
	ROOT=""
	while (($#)); do
		case "$1" in
		--kernel-release) REL=${2:?}; shift 2 ;;
		--kernel-release=*) REL=${1#*=}; shift ;;
		-h | --help) sed -n '2,/^[^#]/{/SPDX/d;/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;;
		-*) echo "$(basename "$0"): unknown option $1" >&2; exit 2 ;;
		*) ROOT=$1; shift ;;
		esac
	done
	ROOT=$(cd "${ROOT:-$self_dir/..}" && pwd) || exit 2
}

# Sets VERSION (dkms.conf's PACKAGE_VERSION) and REL, if not given, to the
# kernel the selftests use; bails out without them or REL's headers.
resolve_version_and_kernel() {
	VERSION=$(dkms_conf_version)
	[[ -n $VERSION ]] || bail "no PACKAGE_VERSION in $ROOT/dkms.conf"
	REL=${REL:-$(default_kernel_release)} || bail "no kernel release with headers found"
	[[ -d /lib/modules/$REL/build ]] || bail "no headers for $REL (/lib/modules/$REL/build)"
}

# PACKAGE_VERSION of the repository's dkms.conf.
dkms_conf_version() {
	sed -n 's/^PACKAGE_VERSION="\{0,1\}\([^"]*\)"\{0,1\}[[:space:]]*$/\1/p' "$ROOT/dkms.conf" | head -n1
}

# The kernel release the selftests use (newest with image and headers).
default_kernel_release() {
	"$ROOT/scripts/deps.sh" --kernel-release 2>/dev/null ||
		"$(dirname "$0")/deps.sh" --kernel-release
}

# Bail out if dkms already knows the module or its source directory exists:
# that state could not be restored exactly afterwards.
refuse_dkms_state() {
	local src=/usr/src/$NAME-$1
	[[ -e $src ]] && bail "$src already exists; remove it first (make dkms-uninstall)"
	if [[ -n $(dkms status -m "$NAME" 2>/dev/null) || -e /var/lib/dkms/$NAME ]]; then
		dkms status -m "$NAME" 2>&1 | diag
		bail "dkms already knows $NAME; remove it first (dkms remove -m $NAME --all)"
	fi
}

# dkms 3 generates a MOK signing key pair on its first build: remember
# whether it was there so that forget_new_mok drops one this run created.
remember_mok() { MOK_PRE=$(ls /var/lib/dkms/mok.key /var/lib/dkms/mok.pub 2>/dev/null); }
forget_new_mok() { [[ -n ${MOK_PRE-x} ]] || rm -f /var/lib/dkms/mok.key /var/lib/dkms/mok.pub; }

# The copies of the module under /lib/modules/REL (a `make install` one
# is not a dkms leftover).
module_files() { find "/lib/modules/$1" -name "$NAME.ko*" 2>/dev/null | sort; }

# Remove an emptied /var/lib/dkms/NAME (dkms leaves it, or only
# original_module in it, behind).
drop_empty_dkms_dir() {
	[[ -e /var/lib/dkms/$NAME ]] &&
		! find "/var/lib/dkms/$NAME" -mindepth 1 -maxdepth 1 ! -name original_module | grep -q . &&
		rm -rf "/var/lib/dkms/$NAME"
	return 0
}

# What dkms left behind for VERSION and REL, compared with the module
# files PRE that were there before: empty if nothing.
dkms_leftovers() {
	local version=$1 rel=$2 pre=$3 left="" post
	[[ -e /usr/src/$NAME-$version ]] && left+="/usr/src/$NAME-$version "
	[[ -n $(dkms status -m "$NAME" 2>/dev/null) ]] && left+="dkms-status "
	[[ -e /var/lib/dkms/$NAME ]] && left+="/var/lib/dkms/$NAME "
	post=$(module_files "$rel")
	[[ $post == "$pre" ]] || left+="module-files($post) "
	printf '%s' "$left"
}

# modinfo -k REL finds a module file that was not among PRE, with the
# helper's alias.
check_modinfo() {
	local rel=$1 pre=$2 file aliases
	file=$(modinfo -k "$rel" -F filename "$NAME" 2>/dev/null)
	aliases=$(modinfo -k "$rel" -F alias "$NAME" 2>/dev/null)
	echo "filename: ${file:-<none>}" | diag
	echo "$aliases" | sed 's/^/alias: /' | diag
	if [[ -n $file && -f $file ]] && grep -qx nfct-helper-ftpalg <<<"$aliases" &&
		! grep -qxF "$file" <<<"$pre"; then
		ok "modinfo -k $rel $NAME: dkms copy with alias nfct-helper-ftpalg"
	else
		not_ok "modinfo -k $rel $NAME: dkms copy with alias nfct-helper-ftpalg"
		find "/lib/modules/$rel" -name "$NAME.ko*" | diag
	fi
}

show_make_log() {
	local log=/var/lib/dkms/$NAME/$1/build/make.log
	[[ -f $log ]] && { echo "$log (last 40 lines):"; tail -n 40 "$log"; } | diag
	return 0
}
