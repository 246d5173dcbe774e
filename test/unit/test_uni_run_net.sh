#!/bin/bash
#
# test_uni_run_net.sh - uni-run's network options, through --print: the
# QEMU arguments for -p (both spellings, tcp and udp), --net user,
# tap:IFNAME and none, the machine options (microvm gets pcie=on only
# with a NIC), and the usage errors (status 2).
#
# Layer: host test of toolchain/uni-run (no QEMU is started).
#
#   test_uni_run_net.sh UNI_RUN

set -u
(($# == 1)) || {
	echo "usage: $0 UNI_RUN" >&2
	exit 2
}
uni_run=$1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/test_uni_run_net.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
img=$tmp/app.img
: >"$img"
pass=0 fail=0

# expect NAME "UNI-RUN OPTIONS" GREP-PATTERN...: each pattern (-E) must
# match the --print line; a pattern starting with ! must not match.
expect()
{
	local name=$1 opts=$2 out p good=1
	shift 2
	# shellcheck disable=SC2086 # the options are words
	out=$("$uni_run" "$img" $opts --print 2>&1) || good=0
	for p in "$@"; do
		if [[ $p == !* ]]; then
			grep -qE -e "${p#!}" <<<"$out" && good=0
		else
			grep -qE -e "$p" <<<"$out" || good=0
		fi
	done
	report "$name" "$out"
}

# refuse NAME "OPTIONS" MESSAGE-PATTERN: status 2 and the message
refuse()
{
	local name=$1 opts=$2 out rc good=1
	# shellcheck disable=SC2086
	out=$("$uni_run" "$img" $opts --print 2>&1)
	rc=$?
	((rc == 2)) || good=0
	grep -qE -e "$3" <<<"$out" || good=0
	report "$name" "status $rc: $out"
}

report()
{
	if ((good)); then
		echo "ok: $1"
		pass=$((pass + 1))
	else
		echo "FAIL: $1"
		echo "  got: $2"
		fail=$((fail + 1))
	fi
}

nic='-device virtio-net-pci,netdev=n0,romfile= -device virtio-rng-pci'
expect "no network by default" "" '!-netdev' '!virtio' '!pcie=on'
expect "--net none" "--net none" '!-netdev' '!virtio' '!pcie=on'
expect "-p tcp" "-p 8080:80" \
	"-netdev user,id=n0,hostfwd=tcp:127.0.0.1:8080-:80 $nic" 'microvm,[^ ]*pcie=on'
expect "-p /udp" "-p 5353:53/udp" "hostfwd=udp:127.0.0.1:5353-:53 "
expect "-p /tcp" "-p 1:2/tcp" "hostfwd=tcp:127.0.0.1:1-:2 "
expect "-p udp: prefix" "-p udp:5353:53" "hostfwd=udp:127.0.0.1:5353-:53 "
expect "-p udp:...:/udp" "-p udp:7:7/udp" "hostfwd=udp:127.0.0.1:7-:7 "
expect "--publish=" "--publish=08080:080" "hostfwd=tcp:127.0.0.1:8080-:80 "
expect "several -p" "-p 1:2 -p 3:4/udp --net user" \
	"-netdev user,id=n0,hostfwd=tcp:127.0.0.1:1-:2,hostfwd=udp:127.0.0.1:3-:4 "
expect "--net user" "--net user" "-netdev user,id=n0 $nic" 'pcie=on'
expect "--net=tap:IF" "--net=tap:tap-x.0" \
	"-netdev tap,id=n0,ifname=tap-x.0,script=no,downscript=no $nic" 'pcie=on'
expect "q35 with a NIC" "--machine q35 --net user" '-M q35 ' "$nic"
refuse "-p and --net tap" "-p 1:2 --net tap:t0" 'needs user networking'
refuse "-p and --net none" "--net none -p 1:2" 'needs user networking'
refuse "two protocols" "-p tcp:1:2/udp" 'two protocols'
refuse "bad protocol" "-p 1:2/sctp" '-p wants'
refuse "port 0" "-p 0:2" 'out of range'
refuse "port 65536" "-p 1:65536/udp" 'out of range'
refuse "--net bogus" "--net bridge" '--net wants'
refuse "tap name with a comma" "--net tap:a,b" '--net wants'
refuse "tap name too long" "--net tap:abcdefghijklmnop" '--net wants'
refuse "tap without a name" "--net tap:" '--net wants'

echo "$pass passed, $fail failed"
((fail == 0))
