# bench/lib.sh - what the network benchmarks bench/udp and bench/tcp share:
# building the uni image and the Linux-guest initramfs, fetching the
# kernel, the two QEMU commands, booting and stopping a guest, the
# figures' medians and the report's description of the machine.
#
# shellcheck shell=bash disable=SC2034,SC2154 # globals shared with callers
#
# Layer: benchmark (host); sourced by bash scripts, never run. The caller
# sets, before the first call:
#   bench    its name, for messages ("udp")
#   here     the bench directory; root  the repository
#   uni_run  toolchain/uni-run
#   out      the build-products directory (absolute); log  the build log
#   sysroot  '' for build/sysroot (made by `make all` when missing or when
#            build=1), or another sysroot (bench_rev_sysroot sets one)
#   build    1 to run `make all` first
# Functions set globals named after what they make (listed at each); they
# end the script through bench_die on any failure.
#
# The Linux guest: Debian's linux-image-cloud-amd64 (bench/install-bench-
# deps fetches it with its virtio-net modules) and an initramfs written
# here: /init is bench/programs/linux-init.c, /prog the benchmark program,
# both linked statically with musl-gcc -O2, /modules the virtio modules.
# Its QEMU command is the one `uni-run --print` gives for the uni image
# (machine, accelerator, -cpu, -m, the NIC and the hostfwd), with -kernel
# and -append replaced and -initrd added.

bench_die()
{
	echo "bench/$bench: $*" >&2
	exit 1
}

# bench_build_uni TARGET: the uni sysroot (`make all` when asked or when
# missing), bench/programs configured for it with toolchain/uni.cmake (one
# build directory per sysroot, shared with bench/core), TARGET built.
# Sets sysroot, ubuild, img (TARGET.img).
bench_build_uni()
{
	local gen=()
	command -v ninja >/dev/null && gen=(-G Ninja)
	if [[ ! $sysroot ]]; then
		sysroot=$root/build/sysroot
		if ((build)) || [[ ! -f $sysroot/lib/libuni.a ]]; then
			make -C "$root" all >>"$log" 2>&1 ||
				bench_die "make all failed (see $log)"
		fi
	fi
	[[ -f $sysroot/lib/libuni.a ]] || bench_die "no uni sysroot in $sysroot"
	ubuild=$out/uni-$(printf '%s' "$sysroot" | md5sum | cut -c1-8)
	if [[ ! -f $ubuild/CMakeCache.txt ]]; then
		cmake -S "$here/programs" -B "$ubuild" "${gen[@]}" \
			-DCMAKE_TOOLCHAIN_FILE="$root/toolchain/uni.cmake" \
			-DUNI_SYSROOT="$sysroot" -DCMAKE_BUILD_TYPE=Release \
			>>"$log" 2>&1 ||
			bench_die "configuring bench/programs for uni failed (see $log)"
	fi
	# a target whose source appeared after the first configure (httpd)
	# needs the configure again
	cmake --build "$ubuild" --target "$1" >>"$log" 2>&1 ||
		{ cmake "$ubuild" >>"$log" 2>&1 &&
			cmake --build "$ubuild" --target "$1" >>"$log" 2>&1; } ||
		bench_die "building $1.img failed (see $log)"
	img=$ubuild/$1.img
}

# bench_rev_sysroot REV: the uni sysroot of commit REV alone, as
# bench/core --rev builds it (git archive into out/rev-<commit>/, built
# there once, the musl source package already fetched reused). Sets
# sysroot and rev_desc (for the report).
bench_rev_sysroot()
{
	local commit rdir gen=()
	command -v ninja >/dev/null && gen=(-G Ninja)
	commit=$(git -C "$root" rev-parse --verify "$1^{commit}" 2>/dev/null) ||
		bench_die "$1: not a commit"
	rdir=$out/rev-${commit:0:12}
	rev_desc="commit ${commit:0:12} (built from git archive, no working-tree"
	rev_desc+=" changes)"
	if [[ ! -f $rdir/build/sysroot/lib/libuni.a ]]; then
		echo "bench/$bench: building the sysroot of ${commit:0:12}" >&2
		rm -rf "$rdir"
		mkdir -p "$rdir/src" "$rdir/build/musl-work"
		git -C "$root" archive "$commit" | tar -x -C "$rdir/src" ||
			bench_die "git archive $commit failed"
		[[ -d $root/build/musl-work/src-cache ]] &&
			cp -a "$root/build/musl-work/src-cache" "$rdir/build/musl-work/"
		{ cmake -S "$rdir/src" -B "$rdir/build" "${gen[@]}" \
			-DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo &&
			cmake --build "$rdir/build" --target musl uni uni_enosys; } \
			>>"$log" 2>&1 ||
			bench_die "building the sysroot of $1 failed (see $log)"
	fi
	sysroot=$rdir/build/sysroot
}

# bench_kernel: the Linux kernel and its virtio-net modules. Sets vmlinuz,
# kdir (vmlinuz's directory, with modules/ and version).
bench_kernel()
{
	vmlinuz=$("$here/install-bench-deps" "$here/.cache" 2>>"$log" |
		tail -n 1)
	[[ -f $vmlinuz ]] || bench_die "install-bench-deps failed (see $log)"
	kdir=$(dirname "$vmlinuz")
	[[ -f $kdir/modules/order ]] ||
		bench_die "no virtio-net modules in $kdir (see $log)"
}

# bench_initramfs DIR SOURCE NAME [TREE DEST]: SOURCE linked as DIR/NAME,
# /init as DIR/init, both written with the modules of kdir (bench_kernel
# first) into DIR/initramfs.gz; with TREE, the directory TREE's files and
# subdirectories under /DEST too (bench/http's web root). Sets initramfs.
bench_initramfs()
{
	local dir=$1 src=$2 name=$3 tree=${4-} dest=${5-} m
	mkdir -p "$dir" || exit 1
	musl-gcc -O2 -static -o "$dir/$name" "$src" >>"$log" 2>&1 ||
		bench_die "musl-gcc $(basename "$src") failed (see $log)"
	musl-gcc -O2 -static -o "$dir/init" "$here/programs/linux-init.c" \
		>>"$log" 2>&1 || bench_die "musl-gcc linux-init.c failed (see $log)"
	# newc cpio, as bench/core writes it (see there)
	cpio_ino=0
	{
		_bench_cpio_entry dev 40755 0 0 0
		_bench_cpio_entry dev/console 20600 0 5 1
		_bench_cpio_entry proc 40555 0 0 0
		_bench_cpio_entry sys 40555 0 0 0
		_bench_cpio_file init "$dir/init"
		_bench_cpio_file prog "$dir/$name"
		_bench_cpio_entry modules 40755 0 0 0
		_bench_cpio_file modules/order "$kdir/modules/order" 100644
		while read -r m; do
			_bench_cpio_file "modules/$m" "$kdir/modules/$m" 100644
		done <"$kdir/modules/order"
		[[ $tree ]] && _bench_cpio_tree "$tree" "$dest"
		_bench_cpio_entry 'TRAILER!!!' 0 0 0 0
	} | gzip -n -9 >"$dir/initramfs.gz" ||
		bench_die "writing the initramfs failed"
	initramfs=$dir/initramfs.gz
}

_bench_cpio_entry() # NAME MODE(octal) SIZE RDEVMAJOR RDEVMINOR [FILE]
{
	local name=$1 mode=$((8#$2)) size=$3 nlen=$((${#1} + 1))
	cpio_ino=$((cpio_ino + 1))
	printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
		"$cpio_ino" "$mode" 0 0 1 0 "$size" 0 0 "$4" "$5" "$nlen" 0
	printf '%s\0' "$name"
	head -c $(((4 - (110 + nlen) % 4) % 4)) /dev/zero
	if [[ ${6-} ]]; then
		cat "$6"
		head -c $(((4 - size % 4) % 4)) /dev/zero
	fi
}

_bench_cpio_file() # NAME FILE [MODE]
{
	_bench_cpio_entry "$1" "${3:-100755}" "$(stat -c %s "$2")" 0 0 "$2"
}

_bench_cpio_tree() # TREE DEST: TREE's directories and regular files
{
	local p
	_bench_cpio_entry "$2" 40755 0 0 0
	while IFS= read -r -d '' p; do
		if [[ -d $1/$p ]]; then
			_bench_cpio_entry "$2/$p" 40755 0 0 0
		elif [[ -f $1/$p ]]; then
			_bench_cpio_file "$2/$p" "$1/$p" 100644
		fi
	done < <(cd "$1" && find . -mindepth 1 -printf '%P\0' | sort -z)
}

# bench_host_cc NAME SOURCE: SOURCE built with the host cc as out/NAME.
bench_host_cc()
{
	cc -O2 -o "$out/$1" "$2" >>"$log" 2>&1 ||
		bench_die "building $1 failed (see $log)"
}

# bench_port PROTO (tcp|udp) [COUNT]: host ports for every run (runs
# never overlap): COUNT (default 1) consecutive ones from a random base
# that nothing listens on now (ss from iproute2; QEMU's own bind is the
# check), below 32768, where Linux's ephemeral ports begin. Sets port (the
# first).
bench_port()
{
	local flag=-Hlnu count=${2:-1} i busy
	[[ $1 == tcp ]] && flag=-Hlnt
	for _ in 1 2 3 4 5 6 7 8; do
		port=$((20000 + RANDOM % (12700 - count)))
		busy=0
		for ((i = 0; i < count; i++)); do
			ss "$flag" "sport = :$((port + i))" 2>/dev/null |
				grep -q . && busy=1
		done
		((busy)) || break
	done
}

# bench_qemu_cmds PROTO PROG_ARGS UNI_RUN_ARGS...: the uni image's QEMU
# command (uni-run --print with UNI_RUN_ARGS) and the Linux guest's,
# whose /prog gets PROG_ARGS (words) with the kernel's clock set up as
# bench/core explains (tsc_early_khz from bench/programs/tsc-khz.c) and
# eth0 10.0.2.15/24. Needs img, vmlinuz, initramfs. Sets line, qemu_cmd,
# linux_cmd, tsc_khz and, from the command, accel machine mem smp netdev
# nic.
bench_qemu_cmds()
{
	local proto=$1 args=$2 w prev=''
	shift 2
	bench_host_cc tsc-khz "$here/programs/tsc-khz.c"
	tsc_khz=$("$out/tsc-khz") || bench_die "measuring the TSC failed"
	line=$("$uni_run" "$img" "$@" --print) ||
		bench_die "$uni_run --print failed"
	qemu_cmd=()
	eval "qemu_cmd=( $line )"
	linux_cmd=() accel='' machine='' mem='' smp=1 netdev='' nic=''
	for w in "${qemu_cmd[@]}"; do
		case $prev in
		-chardev) [[ $w == file,id=st,* ]] && w=file,id=st,path=/dev/null ;;
		-kernel) w=$vmlinuz ;;
		-append)
			w="console=ttyS0 quiet panic=-1 tsc_early_khz=$tsc_khz"
			w+=" tsc=reliable initnet=10.0.2.15/24 -- $args"
			;;
		-accel) accel+=${accel:+,}$w ;;
		-M | -machine) machine=$w ;;
		-m) mem=$w ;;
		-smp) smp=$w ;;
		-netdev) netdev=$w ;;
		-device) [[ $w == virtio-* ]] && nic+=${nic:+ }$w ;;
		esac
		linux_cmd+=("$w")
		prev=$w
	done
	linux_cmd+=(-initrd "$initramfs")
	[[ $line == *-kernel* && $line == *-append* &&
		$netdev == *hostfwd=$proto* ]] ||
		bench_die "unexpected uni-run --print output: $line"
}

# bench_tmp: a temporary directory (tmp), removed at exit with any guest
# still running (gpid) stopped.
bench_tmp()
{
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-$bench.XXXXXX") || exit 1
	gpid=''
	trap '[[ -n $gpid ]] && kill "$gpid" 2>/dev/null; rm -rf "$tmp"' EXIT
}

# bench_guest_start READY COMMAND...: COMMAND (a guest) in the background,
# its console in tmp/raw, its stderr in tmp/err; waits (at most 60 s)
# until a console line starts with READY or the guest ends. Sets gpid.
bench_guest_start()
{
	local ready=$1 i
	shift
	: >"$tmp/err"
	# appending: the clients' messages go to the same file
	"$@" </dev/null >"$tmp/raw" 2>>"$tmp/err" &
	gpid=$!
	for ((i = 0; i < 1200; i++)); do
		grep -q "^$ready" "$tmp/raw" 2>/dev/null && break
		kill -0 "$gpid" 2>/dev/null || break
		sleep 0.05
	done
}

# bench_guest_stop [TICKS]: waits (at most TICKS * 50 ms, default 600:
# 30 s) for the guest to end by itself, then stops it; the console
# without CRs in tmp/out. Returns the guest's exit status (uni-run's or
# QEMU's; killed: 143).
bench_guest_stop()
{
	local i r
	for ((i = 0; i < ${1:-600}; i++)); do
		kill -0 "$gpid" 2>/dev/null || break
		sleep 0.05
	done
	kill "$gpid" 2>/dev/null
	wait "$gpid"
	r=$?
	gpid=''
	tr -d '\r' <"$tmp/raw" >"$tmp/out"
	return $r
}

bench_progress()
{
	printf '\rbench/%s: %s (%ds)   ' "$bench" "$*" $((SECONDS - start)) >&2
}

# bench_median VALUES...: their median (REPLY).
bench_median()
{
	REPLY=$(printf '%s\n' "$@" | sort -g |
		awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2];
			else printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
}

# bench_fmt X [DECIMALS]: X rounded, thousands separated by commas (REPLY).
bench_fmt()
{
	REPLY=$(LC_ALL=C awk -v x="$1" -v d="${2:-0}" 'BEGIN {
		s = sprintf("%." d "f", x); f = ""
		if (d > 0) { f = substr(s, length(s) - d); s = substr(s, 1, length(s) - d - 1) }
		o = ""
		while (length(s) > 3) { o = "," substr(s, length(s) - 2) o
			s = substr(s, 1, length(s) - 3) }
		print s o f }')
}

# bench_min VALUES..., bench_max VALUES...: REPLY.
bench_min() { REPLY=$(printf '%s\n' "$@" | sort -g | head -n 1); }
bench_max() { REPLY=$(printf '%s\n' "$@" | sort -g | tail -n 1); }

# bench_host_info: for the report: qemu_version, cpu, stamp, kver,
# uni_desc (rev_desc after bench_rev_sysroot; otherwise the checkout,
# whether src/include/toolchain have uncommitted changes, and the sysroot
# when it is not build/sysroot).
bench_host_info()
{
	qemu_version=$("${qemu_cmd[0]}" --version | head -n 1)
	cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
	stamp=$(date -u +%Y-%m-%dT%H:%M:%SZ)
	kver=$(cat "$kdir/version" 2>/dev/null)
	if [[ ${rev_desc-} ]]; then
		uni_desc=$rev_desc
		return
	fi
	uni_desc="checkout $(git -C "$root" rev-parse --short HEAD 2>/dev/null)"
	git -C "$root" diff --quiet HEAD -- src include toolchain 2>/dev/null ||
		uni_desc+=" with uncommitted changes in src/include/toolchain"
	[[ $sysroot == "$root/build/sysroot" ]] || uni_desc+=", sysroot $sysroot"
}

# bench_tsv FIGURE UNI LINUX UNIT BETTER (higher|lower): one line
# FIGURE<TAB>UNI<TAB>LINUX<TAB>UNIT<TAB>BETTER appended to the file of
# --tsv (tsv; nothing when it is empty): what bench/all collects.
bench_tsv()
{
	[[ ${tsv-} ]] || return 0
	printf '%s\t%s\t%s\t%s\t%s\n' "$@" >>"$tsv" ||
		bench_die "cannot write $tsv"
}

# bench_write_result TEXT: prints TEXT and writes it to
# bench/results/<bench>-<date>-<time>.md ($BENCH_RESULTS instead of
# bench/results when set: CTest's quick run keeps the tree clean).
bench_write_result()
{
	local res dir=${BENCH_RESULTS:-$here/results}
	printf '%s\n' "$1"
	mkdir -p "$dir"
	res=$dir/$bench-$(date -u +%Y%m%d-%H%M%S).md
	printf '%s\n' "$1" >"$res"
	echo "(written to $res)" >&2
}
