#!/bin/sh
# driver-check.sh: run test/apps/common/ctest-uni.cmake on the driver-check
# project and compare its verdicts with the ones ctest's rules give, so
# that the driver is known to fail tests that fail. Called by the
# apps.ctest_uni.check test (test/apps/cmake_projects.cmake).
#
# Usage: driver-check.sh UNI_RUN BUILD_DIR
set -u
[ $# -eq 2 ] || { echo "usage: $0 UNI_RUN BUILD_DIR" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
out=$(cmake -DBUILD_DIR="$2" -DUNI_RUN="$1" -P "$here/../common/ctest-uni.cmake" 2>&1)
rc=$?
printf '%s\n' "$out"
verdicts=$(printf '%s\n' "$out" | sed -n 's/^\(PASS\|FAIL\|SKIP\)  \([a-z_0-9]*\) (\([a-z]*\).*/\1 \2 \3/p')
want="PASS old_style vm
PASS path_wd vm
FAIL exits_1 vm
PASS will_fail vm
FAIL will_fail_but_passes vm
PASS pass_regex_over_status vm
FAIL fail_regex vm
PASS environment vm
SKIP skipped vm
PASS emulator vm
PASS host host"
if [ "$verdicts" != "$want" ]; then
	echo "driver-check: verdicts differ; want:"
	printf '%s\n' "$want"
	exit 1
fi
printf '%s\n' "$out" | grep -q '^ctest-uni: 7/10 passed$' ||
	{ echo "driver-check: wrong summary line"; exit 1; }
[ $rc -ne 0 ] || { echo "driver-check: the driver exited 0 with failed tests"; exit 1; }
echo "driver-check: all verdicts as expected"
