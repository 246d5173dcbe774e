#!/bin/bash
#
# test_bench_tcp.sh - bench/tcp's pieces without a VM: its option parsing
# (--help exits 0, bad options exit 2, both before building anything), and
# its two programs on the host, bench/programs/tcp_server.c (built with
# the host compiler, listening on 127.0.0.1 only) against
# bench/programs/tcp_client.c in every mode: each checks what it gets
# (the sink's count, the source's pattern, every echoed request).
#
# Layer: host unit test (ctest -L unit; registered by
# test/unit/bench_tcp.cmake). No figures are checked: those are bench/tcp's.
#
#   test_bench_tcp.sh BENCH_TCP SERVER CLIENT

set -u
(($# == 3)) || { echo "usage: $0 BENCH_TCP SERVER CLIENT" >&2; exit 2; }
bench=$1 server=$2 client=$3
tmp=$(mktemp -d "${TMPDIR:-/tmp}/test-bench-tcp.XXXXXX") || exit 1
pid=''
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup()
{
	[[ -n $pid ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; cat "$tmp"/* 2>/dev/null; exit 1; }

"$bench" --help >"$tmp/help" 2>&1 || fail "bench/tcp --help did not exit 0"
grep -q -- '--conns MAX' "$tmp/help" || fail "bench/tcp --help: no --conns"
for bad in "-n 0" "-n x" "-c 1" "-c 65" "--conns 0" "--seconds" "-n"; do
	# shellcheck disable=SC2086 # the words of $bad are the options
	"$bench" $bad >/dev/null 2>&1
	rc=$?
	((rc == 2)) || fail "bench/tcp $bad exited $rc, not 2"
done

for ((try = 0; try < 5; try++)); do
	port=$((20000 + RANDOM % 12000))
	"$server" "$port" 16 127.0.0.1 >"$tmp/server" 2>&1 &
	pid=$!
	for ((i = 0; i < 100; i++)); do
		grep -q '^ready on tcp port' "$tmp/server" && break 2
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	wait "$pid" 2>/dev/null
	pid=''
done
[[ $pid ]] || fail "tcp_server did not start"

# run "OPTIONS" MODE [SECONDS]
run()
{
	local o=$1
	shift
	# shellcheck disable=SC2086 # the words of $o are the options
	"$client" $o "$port" "$@" >>"$tmp/client" 2>&1 ||
		fail "tcp_client $o $port $*"
}
run "-w 10" wait
run "" send 0.3
run "" recv 0.3
run "-N 200" conn 0.3
run "-N 200 -c 4" conn 0.3
run "-N 100 -c 4 -S 61000" conn 0.3
run "" quit
wait "$pid"
rc=$?
pid=''
((rc == 0)) || fail "tcp_server exited $rc"
grep -q '^tcp_server: [0-9]* connections (0 errors)' "$tmp/server" ||
	fail "tcp_server counted errors"
# no server: the client must fail
"$client" -w 1 "$port" wait >/dev/null 2>&1 && fail "tcp_client wait without a server"
echo "ok: $(grep -c . "$tmp/client") figures lines, $(grep connections "$tmp/server")"
