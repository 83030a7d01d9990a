#!/bin/bash
# Run a command inside a throw-away QEMU (TCG) VM that boots Debian's kernel
# and sees the host's root filesystem read-only (9p) under a tmpfs overlay.
#
# Usage:
#   selftests/vm/run-vm.sh [--kernel-release REL] [--timeout SEC] [--mem MB]
#       [--cpus N] [--module PATH.ko ...] [--log FILE] [--no-klog-check]
#       [--kernel IMAGE [--modules-dir DIR]] [--plugin SO[,ARG=V...]]
#       [--icount SHIFT] -- COMMAND [ARGS...]
#   selftests/vm/run-vm.sh --scan-log FILE   (test hook: only run the
#       kernel-log scanner on FILE; exit 0 if clean, 122 otherwise)
#
# --kernel boots IMAGE (a bzImage, or a vmlinux with a PVH note) instead of
# /boot/vmlinuz-REL, e.g. the make check-debug kernel; its modules are taken
# from --modules-dir DIR (default /lib/modules/REL; DIR must end in
# /lib/modules/REL, as `make modules_install INSTALL_MOD_PATH=...` lays it
# out, and not lie under /tmp) and bound to /lib/modules/REL in the guest.
# REL defaults to DIR's last component.
#
# --plugin loads a TCG plugin (qemu -plugin SO,ARGS, e.g. the instruction
# counter of make bench) and runs all vCPUs on one TCG thread, so that the
# plugin's non-atomic inline counters are exact. --icount SHIFT makes the
# guest's clock count instructions (2^SHIFT ns each, idle time skipped)
# instead of following the host's, so that timer interrupts fall at the
# same instruction counts whatever the host's load (one TCG thread too).
#
# --module files are copied to /lib/modules/REL/extra/ in the guest and
# indexed (depmod runs on the host against a shadow tree, because depmod in
# the guest takes minutes under TCG), so modprobe by name/alias works.
#
# Channels (all legacy 8250 UARTs, built into Debian's kernel):
#   ttyS0  kernel console           -> log file (--log, default: temp file)
#   ttyS1  COMMAND stdout+stderr    -> this script's stdout (live)
#   ttyS2  control channel          -> temp file: boot time, guest dmesg dump,
#                                      "FTPALG_VM_EXIT=<rc>" marker
# The guest dmesg dump is appended to the log file after the console output.
#
# Exit status: COMMAND's exit status, unless
#   122  the kernel log contains Oops/BUG/WARNING/Call Trace/panic/... lines
#        (printed; COMMAND's status is reported too); skip with --no-klog-check
#   123  the guest never reported an exit status (crash, panic, init failure)
#   124  --timeout exceeded (qemu killed)
#   125  usage / setup error on the host
#
# Environment passed to COMMAND: FTPALG_*, KSFT_*, TERM=dumb, a sane PATH,
# HOME=/root, LANG/LC_ALL=C.UTF-8. The working directory is the host's cwd
# (same path through the overlay; if it lies under /tmp, the guest's /tmp is
# left as the overlay instead of a fresh tmpfs so that it stays visible).
# NOTE: otherwise the guest's /tmp is an empty tmpfs: host files under /tmp
# (other than the cwd case) are not visible; use /var/tmp for such files.
#
# Cache: ${XDG_CACHE_HOME:-$HOME/.cache}/ftpalg-vm/ holds the initramfs
# (keyed by kernel release + hash of init script, module list, busybox) and
# the vmlinux extracted from /boot/vmlinuz-REL for PVH direct boot (~2-3 s
# faster than the bzImage path; FTPALG_VM_BZIMAGE=1 forces the bzImage).
set -euo pipefail

SELF_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SELF_DIR/../.." && pwd)

KREL=""
TIMEOUT=600
MEM=1024
CPUS=2
LOG=""
KLOG_CHECK=1
MODULES=()
KERNEL=""
MODDIR=""
PLUGIN=""
ICOUNT=""

die() { echo "run-vm: $*" >&2; exit 125; }
usage() { sed -n '2,55p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

# Print kernel-log trouble lines of FILE to stderr; return 1 if any.
# Benign lines matching KLOG_RE (kmemleak's boot messages on debug kernels).
KLOG_IGNORE_RE='kmemleak: (Kernel memory leak detector initialized|Automatic memory scanning thread (started|ended))'
KLOG_RE='Oops|BUG:|WARNING:|Call Trace|Kernel panic|general protection fault|KASAN|UBSAN|kmemleak|RCU detected stall|rcu_sched self-detected stall|soft lockup|hung_task|blocked for more than|refcount_t:|list_add corruption|list_del corruption|stack-protector|double fault|unable to handle'
scan_klog() {
	local log=$1 what=$2 bad first
	bad=$(grep -anE "$KLOG_RE" "$log" | grep -avE "^[0-9]+:FTPALG_VM_" |
		grep -avE "$KLOG_IGNORE_RE" || true)
	[[ -z $bad ]] && return 0
	first=${bad%%:*}
	bad=$(printf '%s\n' "$bad" | cut -d: -f2- |
		sed -E 's/^(<[0-9]+>)?\[ *[0-9.]+\] //' | awk '!seen[$0]++' | head -n 40 || true)
	echo "run-vm: KERNEL LOG PROBLEMS ($what):" >&2
	printf '%s\n' "$bad" | sed 's/^/run-vm:   /' >&2
	echo "run-vm: ---- first problem in context ----" >&2
	sed -n "$((first > 10 ? first - 10 : 1)),$((first + 30))p" "$log" >&2
	echo "run-vm: ----" >&2
	return 1
}

while (($#)); do
	case "$1" in
	--kernel-release) KREL=${2:?}; shift 2 ;;
	--kernel-release=*) KREL=${1#*=}; shift ;;
	--timeout) TIMEOUT=${2:?}; shift 2 ;;
	--timeout=*) TIMEOUT=${1#*=}; shift ;;
	--mem) MEM=${2:?}; shift 2 ;;
	--mem=*) MEM=${1#*=}; shift ;;
	--cpus) CPUS=${2:?}; shift 2 ;;
	--cpus=*) CPUS=${1#*=}; shift ;;
	--module) MODULES+=("${2:?}"); shift 2 ;;
	--module=*) MODULES+=("${1#*=}"); shift ;;
	--log) LOG=${2:?}; shift 2 ;;
	--log=*) LOG=${1#*=}; shift ;;
	--no-klog-check) KLOG_CHECK=0; shift ;;
	--kernel) KERNEL=${2:?}; shift 2 ;;
	--kernel=*) KERNEL=${1#*=}; shift ;;
	--modules-dir) MODDIR=${2:?}; shift 2 ;;
	--modules-dir=*) MODDIR=${1#*=}; shift ;;
	--plugin) PLUGIN=${2:?}; shift 2 ;;
	--plugin=*) PLUGIN=${1#*=}; shift ;;
	--icount) ICOUNT=${2:?}; shift 2 ;;
	--icount=*) ICOUNT=${1#*=}; shift ;;
	--scan-log) SCAN_ONLY=${2:?}; shift 2 ;;
	-h | --help) usage; exit 0 ;;
	--) shift; break ;;
	*) usage >&2; die "unknown argument: $1 (missing '--' before the command?)" ;;
	esac
done
if [[ -n ${SCAN_ONLY:-} ]]; then
	# Test hook: only run the kernel log scanner on a file (exit 0 clean, 122 problems).
	scan_klog "$SCAN_ONLY" "$SCAN_ONLY" && exit 0 || exit 122
fi
(($#)) || { usage >&2; die "no command given"; }
[[ $TIMEOUT =~ ^[0-9]+$ && $MEM =~ ^[0-9]+$ && $CPUS =~ ^[0-9]+$ && $ICOUNT =~ ^[0-9]*$ ]] ||
	die "--timeout/--mem/--cpus/--icount must be integers"

# ---------------------------------------------------------------- kernel ---
if [[ -n $MODDIR ]]; then
	[[ -d $MODDIR ]] || die "--modules-dir $MODDIR: no such directory"
	MODDIR=$(readlink -f "$MODDIR")
	[[ -n $KREL ]] || KREL=${MODDIR##*/}
	[[ $MODDIR == */lib/modules/"$KREL" ]] || die "--modules-dir must end in /lib/modules/$KREL"
	[[ $MODDIR != /tmp/* ]] || die "--modules-dir must not lie under /tmp (not visible in the guest)"
fi
[[ -z $KERNEL || -n $KREL ]] || die "--kernel needs --kernel-release or --modules-dir"
if [[ -z $KREL ]]; then
	if [[ -x $REPO_ROOT/scripts/deps.sh ]]; then
		KREL=$("$REPO_ROOT/scripts/deps.sh" --kernel-release) || die "no usable kernel found"
	else
		KREL=$(for d in /lib/modules/*/; do r=$(basename "$d")
			[[ -e /boot/vmlinuz-$r && -d $d/build ]] && echo "$r"; done | sort -V | tail -n1)
	fi
fi
[[ -n $KREL ]] || die "no usable kernel found"
VMLINUZ=${KERNEL:-/boot/vmlinuz-$KREL}
[[ -r $VMLINUZ ]] || die "$VMLINUZ not readable"
MODDIR=${MODDIR:-/lib/modules/$KREL}
[[ -d $MODDIR ]] || die "$MODDIR missing"
# modinfo against MODDIR: -b BASE with BASE/lib/modules/REL == MODDIR
MODINFO=(modinfo -k "$KREL")
[[ $MODDIR == "/lib/modules/$KREL" ]] || MODINFO+=(-b "${MODDIR%/lib/modules/"$KREL"}")
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 not installed (scripts/deps.sh)"
BUSYBOX=$(command -v busybox || true)
[[ -n $BUSYBOX ]] && file -L "$BUSYBOX" 2>/dev/null | grep -q 'statically linked' ||
	BUSYBOX=/bin/busybox
[[ -x $BUSYBOX ]] || die "busybox(-static) not installed"

for i in "${!MODULES[@]}"; do
	m=${MODULES[$i]}
	[[ -f $m ]] || die "module not found: $m"
	MODULES[i]=$(readlink -f "$m")
done

# -------------------------------------------------------------- initramfs ---
# Modules the initramfs must load (dependencies are added automatically).
INITRD_MODULES=(virtio_pci 9pnet_virtio 9p overlay)

# PID 1 of the initramfs (busybox sh). Mounts the host root over 9p, builds
# the overlay and switch_roots into it, running the job's guest.sh.
read -r -d '' INIT_SCRIPT <<'EOF_INIT' || true
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mkdir -p /proc /sys /dev /lower /upper /newroot
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
fail() {
	echo "ftpalg-vm init: $*" > /dev/ttyS2
	echo "ftpalg-vm init: $*" > /dev/console
	echo o > /proc/sysrq-trigger
	sleep 30
}
for m in $(cat /modules.load); do
	insmod "/modules/$m.ko" || fail "insmod $m failed"
done
i=0
until mount -t 9p -o ro,trans=virtio,version=9p2000.L,cache=loose,msize=512000 hostroot /lower 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 50 ] || fail "cannot mount 9p hostroot"
	sleep 0.1
done
mount -t tmpfs -o mode=0755 tmpfs /upper
mkdir -p /upper/upper /upper/work
mount -t overlay -o lowerdir=/lower,upperdir=/upper/upper,workdir=/upper/work overlay /newroot ||
	fail "cannot mount overlay"
job=
for arg in $(cat /proc/cmdline); do
	case "$arg" in ftpalg_job=*) job=${arg#ftpalg_job=} ;; esac
done
[ -n "$job" ] && [ -f "/lower$job/guest.sh" ] || fail "job dir '$job' not found"
mkdir -p /newroot/.ftpalg-vm
cp -a "/lower$job/." /newroot/.ftpalg-vm/ || fail "cannot copy job dir"
cp /bin/busybox /newroot/.ftpalg-vm/busybox
# Everything below uses static busybox from RAM: much faster than running
# dynamically linked host binaries over 9p under TCG.
stty -F /dev/ttyS1 raw -echo
stty -F /dev/ttyS2 raw -echo
mount --move /dev /newroot/dev
mount --move /sys /newroot/sys
mount --move /proc /newroot/proc
cd /newroot
mkdir -p dev/pts dev/shm run tmp
# devtmpfs lacks what udev adds; bash's <(...) needs /dev/fd
ln -sf /proc/self/fd dev/fd
ln -sf /proc/self/fd/0 dev/stdin
ln -sf /proc/self/fd/1 dev/stdout
ln -sf /proc/self/fd/2 dev/stderr
mount -t devpts -o newinstance,ptmxmode=0666 devpts dev/pts
mount -t tmpfs -o mode=1777 tmpfs dev/shm
mount -t tmpfs -o mode=0755 tmpfs run
mkdir -p run/lock
cwd=$(cat .ftpalg-vm/cwd)
case "$cwd/" in
/tmp/*) echo "note: cwd is under /tmp, not mounting a fresh tmpfs on /tmp" > /dev/ttyS2 ;;
*) mount -t tmpfs -o mode=1777 tmpfs tmp ;;
esac
mount -t debugfs debugfs sys/kernel/debug 2>/dev/null
mount -t bpf bpf sys/fs/bpf 2>/dev/null
hostname ftpalg-vm
ip link set lo up
# Let every printk reach the console (log file), not just KERN_ERR and up.
echo 8 > proc/sys/kernel/printk
# --module files and the module index built on the host
krel=$(uname -r)
# --modules-dir: the kernel's own modules, bound to their usual place from
# the overlay (writable for extra/; copying a distribution's 100-400 MB of
# modules over 9p took minutes under TCG and most of the guest's memory)
moddir=$(cat .ftpalg-vm/moddir)
if [ -n "$moddir" ]; then
	mkdir -p "lib/modules/$krel"
	mount --bind ".$moddir" "lib/modules/$krel" || fail "cannot bind $moddir"
fi
if [ -n "$(ls .ftpalg-vm/modules)" ]; then
	mkdir -p "lib/modules/$krel/extra"
	cp .ftpalg-vm/modules/*.ko "lib/modules/$krel/extra/" &&
		cp .ftpalg-vm/moddb/modules.* "lib/modules/$krel/" ||
		fail "cannot install --module files"
fi
cd /
exec switch_root /newroot /bin/bash /.ftpalg-vm/guest.sh
EOF_INIT

CACHE_DIR=${XDG_CACHE_HOME:-$HOME/.cache}/ftpalg-vm
mkdir -p "$CACHE_DIR"

# Resolve module dependencies (post-order => load order).
declare -A SEEN=()
LOAD_ORDER=()
resolve_mod() {
	local m=$1 deps d
	m=${m//-/_}
	[[ -n ${SEEN[$m]:-} ]] && return 0
	SEEN[$m]=1
	if ! deps=$("${MODINFO[@]}" -F depends "$m" 2>/dev/null); then
		# built-in?
		grep -q "/${m//_/[-_]}\.ko" "$MODDIR/modules.builtin" && return 0
		die "module $m not found for $KREL"
	fi
	local IFS=,
	for d in $deps; do [[ -n $d ]] && resolve_mod "$d"; done
	unset IFS
	[[ -n $("${MODINFO[@]}" -F filename "$m" 2>/dev/null) ]] || return 0
	[[ $("${MODINFO[@]}" -F filename "$m") == "(builtin)" ]] && return 0
	LOAD_ORDER+=("$m")
}
for m in "${INITRD_MODULES[@]}"; do resolve_mod "$m"; done

KEY=$({ printf '%s\n' "$INIT_SCRIPT" "${LOAD_ORDER[@]}"; stat -Lc '%s %Y' "$BUSYBOX" \
	"$MODDIR/modules.dep"; } | sha256sum | cut -c1-16)
INITRD=$CACHE_DIR/initramfs-$KREL-$KEY.cpio

build_initramfs() {
	local st m f
	st=$(mktemp -d "${TMPDIR:-/tmp}/ftpalg-vm-initrd.XXXXXX")
	mkdir -p "$st"/{bin,dev,proc,sys,modules,lower,upper,newroot}
	cp "$BUSYBOX" "$st/bin/busybox"
	ln -s busybox "$st/bin/sh"
	printf '%s\n' "$INIT_SCRIPT" >"$st/init"
	chmod 755 "$st/init"
	: >"$st/modules.load"
	for m in "${LOAD_ORDER[@]}"; do
		f=$("${MODINFO[@]}" -F filename "$m")
		case "$f" in
		*.ko) cp "$f" "$st/modules/$m.ko" ;;
		*.ko.xz) xz -dc "$f" >"$st/modules/$m.ko" ;;
		*.ko.zst) zstd -qdc "$f" >"$st/modules/$m.ko" ;;
		*.ko.gz) gzip -dc "$f" >"$st/modules/$m.ko" ;;
		*) rm -rf "$st"; die "unsupported module file $f" ;;
		esac
		echo "$m" >>"$st/modules.load"
	done
	(cd "$st" && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) >"$INITRD.tmp.$$"
	mv -f "$INITRD.tmp.$$" "$INITRD"
	rm -rf "$st"
	# drop stale images for this kernel
	find "$CACHE_DIR" -maxdepth 1 -name "initramfs-$KREL-*.cpio" ! -name "${INITRD##*/}" -delete 2>/dev/null || true
}
[[ -s $INITRD ]] || build_initramfs

# Uncompressed vmlinux for PVH direct boot: skips SeaBIOS' real-mode loader
# and the (slow under TCG) in-guest xz decompression, ~2-3 s saved. Falls
# back to the bzImage if extraction fails or FTPALG_VM_BZIMAGE=1.
BOOT_KERNEL=$VMLINUZ
if [[ -z $KERNEL && ${FTPALG_VM_BZIMAGE:-0} != 1 ]] && grep -q '^CONFIG_PVH=y' "/boot/config-$KREL" 2>/dev/null; then
	VMLINUX=$CACHE_DIR/vmlinux-$KREL-$(stat -Lc '%s-%Y' "$VMLINUZ")
	if [[ ! -s $VMLINUX ]]; then
		rm -f "$CACHE_DIR/vmlinux-$KREL-"*
		python3 - "$VMLINUZ" "$VMLINUX.tmp.$$" <<'EOF_PY' && mv -f "$VMLINUX.tmp.$$" "$VMLINUX" || rm -f "$VMLINUX.tmp.$$"
import sys, lzma, zlib
data = open(sys.argv[1], "rb").read()
for magic, mk in ((b"\xfd7zXZ\x00", lambda: lzma.LZMADecompressor()),
                  (b"\x1f\x8b\x08", lambda: zlib.decompressobj(16 + zlib.MAX_WBITS))):
    off = data.find(magic)
    while off >= 0:
        try:
            out = mk().decompress(data[off:])
            if out[:4] == b"\x7fELF":
                open(sys.argv[2], "wb").write(out)
                sys.exit(0)
        except Exception:
            pass
        off = data.find(magic, off + 1)
sys.exit(1)
EOF_PY
	fi
	[[ -s $VMLINUX ]] && BOOT_KERNEL=$VMLINUX
fi

# ------------------------------------------------------------------- job ---
JOB=$(mktemp -d "${TMPDIR:-/tmp}/ftpalg-vm-job.XXXXXX")
JOB=$(readlink -f "$JOB")
[[ $JOB != *[[:space:]]* ]] || die "temp dir path contains whitespace: $JOB"
STATUS=$JOB/status.out
CONLOG=$JOB/console.log
cleanup() { rm -rf "$JOB"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ -z $LOG ]]; then
	LOG=$(mktemp "${TMPDIR:-/tmp}/ftpalg-vm-log.XXXXXX")
	LOG_IS_TEMP=1
else
	LOG_IS_TEMP=0
	: >"$LOG" || die "cannot write $LOG"
fi

mkdir -p "$JOB/modules" "$JOB/moddb"
if ((${#MODULES[@]})); then
	# depmod -a inside the guest takes minutes under TCG (it reads every
	# module over 9p), so index on the host against a shadow tree: symlinks
	# to the real module dirs plus extra/ holding the --module files. The
	# resulting modules.* files are copied into the guest's overlay.
	DM=$JOB/depmod/lib/modules/$KREL
	mkdir -p "$DM/extra"
	for f in "$MODDIR"/*; do
		n=${f##*/}
		case "$n" in
		extra | build | source) ;;
		modules.order | modules.builtin | modules.builtin.modinfo) cp "$f" "$DM/" ;;
		*) [[ -d $f ]] && ln -s "$f" "$DM/$n" ;;
		esac
	done
	for m in "${MODULES[@]}"; do
		cp "$m" "$JOB/modules/"
		cp "$m" "$DM/extra/"
	done
	# extra/ first so that a --module wins over a same-named installed
	# module (e.g. a DKMS copy in updates/).
	{
		echo "search extra updates built-in"
		cat /etc/depmod.d/*.conf /lib/depmod.d/*.conf 2>/dev/null || true
	} >"$JOB/depmod.conf"
	depmod -b "$JOB/depmod" -C "$JOB/depmod.conf" -a "$KREL" || die "depmod failed"
	find "$DM" -maxdepth 1 -type f -name 'modules.*' -exec cp {} "$JOB/moddb/" \;
	rm -rf "$JOB/depmod"
fi

{
	echo "# generated by run-vm.sh"
	echo "export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	echo "export TERM=dumb HOME=/root LANG=C.UTF-8 LC_ALL=C.UTF-8"
	for n in $(compgen -e); do
		case "$n" in FTPALG_* | KSFT_*) printf 'export %s=%q\n' "$n" "${!n}" ;; esac
	done
	printf 'FTPALG_VM_CWD=%q\n' "$PWD"
	printf 'FTPALG_VM_CMD=('
	printf '%q ' "$@"
	printf ')\n'
} >"$JOB/env.sh"
printf '%s\n' "$PWD" >"$JOB/cwd"
if [[ $MODDIR != "/lib/modules/$KREL" ]]; then
	printf '%s\n' "$MODDIR" >"$JOB/moddir"
else
	: >"$JOB/moddir"
fi

cat >"$JOB/guest.sh" <<'EOF_GUEST'
#!/bin/bash
# PID 1 inside the overlay root.
J=/.ftpalg-vm
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
. $J/env.sh

finish() {
	exec 3>&-
	# Static busybox on tmpfs: powers off synchronously (reboot(2)) without
	# touching 9p. sysrq-o is asynchronous, so after it never exec anything
	# (9p goes away underneath) and never let PID 1 exit (panic).
	exec $J/busybox poweroff -f
	echo o > /proc/sysrq-trigger
	exec 4<>/dev/ttyS2
	while :; do read -r -t 1000 -u 4 _; done
}
exec 3>/dev/ttyS2
ctl() { printf '%s\n' "$*" >&3; }

uptime() { local up _; read -r up _ </proc/uptime; echo "$up"; }

ctl "FTPALG_VM_BOOT_SECONDS=$(uptime)"
if cd "$FTPALG_VM_CWD"; then
	"${FTPALG_VM_CMD[@]}" </dev/null >/dev/ttyS1 2>&1
	rc=$?
else
	echo "run-vm (guest): cannot cd to $FTPALG_VM_CWD" >/dev/ttyS1
	rc=126
fi
ctl "FTPALG_VM_CMD_SECONDS=$(uptime)"
ctl "===== FTPALG_VM_DMESG_BEGIN ====="
dmesg >&3
ctl "===== FTPALG_VM_DMESG_END ====="
ctl "FTPALG_VM_EXIT=$rc"
finish
EOF_GUEST

CMDLINE="console=ttyS0,115200 loglevel=4 quiet panic=-1 mitigations=off"
CMDLINE+=" tsc=unstable no_timer_check rdinit=/init ftpalg_job=$JOB"
CMDLINE+=" 8250.nr_uarts=4 random.trust_cpu=on"

ACCEL=tcg,thread=multi
[[ -z $PLUGIN && -z $ICOUNT ]] || ACCEL=tcg,thread=single
QEMU=(qemu-system-x86_64 -accel "$ACCEL" -machine pc -cpu max
	-smp "$CPUS" -m "$MEM" -nodefaults -nographic -no-reboot
	-kernel "$BOOT_KERNEL" -initrd "$INITRD" -append "$CMDLINE"
	-chardev "file,id=con,path=$CONLOG" -serial chardev:con
	-chardev stdio,id=out,signal=off -serial chardev:out
	-chardev "file,id=ctl,path=$STATUS" -serial chardev:ctl
	-fsdev local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap
	-device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot
)
[[ -z $PLUGIN ]] || QEMU+=(-plugin "$PLUGIN")
[[ -z $ICOUNT ]] || QEMU+=(-icount "shift=$ICOUNT,sleep=on")

T0=$(date +%s.%N)
set +e
timeout --foreground --kill-after=5 "$TIMEOUT" "${QEMU[@]}" </dev/null
QEMU_RC=$?
set -e
TIMED_OUT=0
[[ $QEMU_RC == 124 || $QEMU_RC == 137 ]] && TIMED_OUT=1
T1=$(date +%s.%N)

# Assemble the log: kernel console, then the guest's final dmesg dump.
{
	echo "===== console (ttyS0) ====="
	tr -d '\r' <"$CONLOG" 2>/dev/null
	echo "===== control channel (ttyS2) ====="
	tr -d '\r' <"$STATUS" 2>/dev/null
} >"$LOG"

ctl_get() { tr -d '\r' <"$STATUS" 2>/dev/null | sed -n "s/^$1=//p" | tail -n1; }
RC=$(ctl_get FTPALG_VM_EXIT)
BOOT=$(ctl_get FTPALG_VM_BOOT_SECONDS)
CMDEND=$(ctl_get FTPALG_VM_CMD_SECONDS)
WALL=$(awk -v a="$T0" -v b="$T1" 'BEGIN { printf "%.1f", b - a }')
echo "run-vm: kernel $KREL, guest boot-to-command ${BOOT:-?}s, command done at ${CMDEND:-?}s guest uptime, wall ${WALL}s" >&2

show_log_tail() {
	echo "run-vm: ---- last 60 lines of $LOG ----" >&2
	tail -n 60 "$LOG" >&2
	echo "run-vm: ----" >&2
}

FINAL=""
if ((TIMED_OUT)); then
	echo "run-vm: TIMEOUT: guest did not finish within ${TIMEOUT}s, qemu killed" >&2
	show_log_tail
	FINAL=124
elif [[ -z $RC ]]; then
	echo "run-vm: guest did not report an exit status (qemu rc=$QEMU_RC): crash, panic or init failure" >&2
	show_log_tail
	FINAL=123
fi

if ((KLOG_CHECK)) && ! scan_klog "$LOG" "command exit status: ${RC:-none}"; then
	[[ -n $FINAL ]] || FINAL=122
fi

if [[ -n $FINAL ]]; then
	echo "run-vm: FAILED ($FINAL), full kernel log: $LOG" >&2
	exit "$FINAL"
fi
if ((LOG_IS_TEMP)); then
	rm -f "$LOG"
fi
exit "$RC"
