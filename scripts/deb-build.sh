#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the Debian packages (debian/): dpkg-buildpackage -us -uc -b in a
# scratch copy of the tree, so that no build product lands in the clone,
# then copy the .deb, .buildinfo and .changes files to OUTDIR.
#
#   scripts/deb-build.sh [OUTDIR]      (default build/deb; make deb)
#
# The copy holds the files git knows of (tracked, or untracked and not
# ignored) as they are in the work tree; outside a git checkout, the tree
# without build/ and .git/.  DEB_BUILD_OPTIONS is passed on (nocheck skips
# the tools' unit tests).  Needs debhelper, dh-dkms, dpkg-dev, fakeroot and
# the tools' build dependencies (scripts/deps.sh installs them).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$top/build/deb}
mkdir -p "$out"
out=$(cd "$out" && pwd)
scratch=$(mktemp -d "${TMPDIR:-/tmp}/ftpalg-deb.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
src=$scratch/nf-conntrack-ftpalg
mkdir "$src"

if git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	# Files deleted in the work tree but still in the index are left out.
	git -C "$top" ls-files -z --cached --others --exclude-standard |
		(cd "$top" && while IFS= read -r -d '' f; do
			[[ -e $f ]] && printf '%s\0' "$f"
		done) |
		tar -C "$top" --null -T - -cf - | tar -C "$src" -xf -
else
	tar -C "$top" --exclude=./build --exclude=./.git -cf - . | tar -C "$src" -xf -
fi

(cd "$src" && dpkg-buildpackage -us -uc -b)

rm -f "$out"/nf-conntrack-ftpalg*_* "$out"/ftpalgctl*_*
cp "$scratch"/*.deb "$scratch"/*.buildinfo "$scratch"/*.changes "$out"/
echo "deb-build: packages in $out:"
(cd "$out" && ls -1 ./*.deb ./*.changes)
