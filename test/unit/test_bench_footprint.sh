#!/bin/bash
#
# test_bench_footprint.sh - bench/footprint's pieces without a VM: its
# option parsing (--help exits 0, bad options exit 2, both before building
# anything) and bench/programs/boot_probe.c on the host: the time to a
# text a command prints late, the time to the first answer of a server
# that listens late (bench/programs/tcp_server.c on 127.0.0.1; refused
# connections before that), a timeout and a command that ends early.
#
# Layer: host unit test (ctest -L unit; registered by
# test/unit/bench_footprint.cmake). The times are only checked to be no
# earlier than the command's own sleep: figures are bench/footprint's.
#
#   test_bench_footprint.sh BENCH_FOOTPRINT BOOT_PROBE TCP_SERVER

# shellcheck disable=SC2015 # "A && B || fail": fail is what C means
set -u
(($# == 3)) || { echo "usage: $0 BENCH_FOOTPRINT BOOT_PROBE TCP_SERVER" >&2; exit 2; }
bench=$1 probe=$2 server=$3
tmp=$(mktemp -d "${TMPDIR:-/tmp}/test-bench-footprint.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; cat "$tmp"/* 2>/dev/null; exit 1; }

"$bench" --help >"$tmp/help" 2>&1 || fail "bench/footprint --help did not exit 0"
grep -q -- '--tsv FILE' "$tmp/help" || fail "bench/footprint --help: no --tsv"
for bad in "-n 0" "-n x" "-n" "--out" "--tsv" "--rev" "--sysroot /nonexistent" \
	"stray"; do
	# shellcheck disable=SC2086 # the words of $bad are the options
	"$bench" $bad >/dev/null 2>&1
	rc=$?
	((rc == 2)) || fail "bench/footprint $bad exited $rc, not 2"
done

# the first output: a text split over two writes, 0.3 s after the start
"$probe" -o "Hello from uni!" -l "$tmp/log" -- \
	sh -c 'echo boot; sleep 0.3; printf "Hello from"; printf " uni!\n"; exec sleep 10' \
	>"$tmp/out" || fail "probe -o exited $?"
ms=$(awk '$1 == "output" { print int($2) }' "$tmp/out")
[[ $ms ]] && ((ms >= 300 && ms < 5000)) || fail "probe -o: $(cat "$tmp/out")"
grep -q '^boot$' "$tmp/log" || fail "probe -l: no console log"

# serving: the server listens 0.4 s after the start; before that every
# connection is refused; the first echo ends the probe
req=E$(printf 'x%.0s' {1..63})
for ((try = 0; try < 5; try++)); do
	port=$((20000 + RANDOM % 12000))
	"$probe" -p "$port" -s "$req" -e Exxx -t 10 -- \
		sh -c "sleep 0.4; exec '$server' $port 4 127.0.0.1" >"$tmp/out"
	rc=$?
	grep -q 'cannot\|in use' "$tmp/out" && continue
	break
done
((rc == 0)) || fail "probe -p exited $rc"
ms=$(awk '$1 == "serving" { print int($2) }' "$tmp/out")
[[ $ms ]] && ((ms >= 400 && ms < 5000)) || fail "probe -p: $(cat "$tmp/out")"

# a timeout, and a command that ends before the text
"$probe" -o never -t 0.3 -- sleep 10 >"$tmp/out"
rc=$?
((rc == 1)) && grep -q '^timeout$' "$tmp/out" || fail "timeout: $rc $(cat "$tmp/out")"
"$probe" -o never -- sh -c 'exit 3' >"$tmp/out"
rc=$?
((rc == 1)) && grep -q '^exited 3$' "$tmp/out" || fail "early exit: $rc $(cat "$tmp/out")"
"$probe" >/dev/null 2>&1
(($? == 2)) || fail "probe without arguments did not exit 2"
echo "PASS"
