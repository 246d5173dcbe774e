/*
 * aio-compat.h - forced include (-include) for the Open POSIX Test Suite's
 * aio_* and lio_listio tests, added by test/posix/build; test sources stay
 * unchanged.
 *
 * Those tests skip themselves (PTS_UNSUPPORTED) unless
 * _POSIX_ASYNCHRONOUS_IO == 200112L, the POSIX.1-2001 value. musl's
 * <unistd.h> gives POSIX.1-2008's 200809L; the aio interfaces the tests
 * use (aio_read/write/fsync/error/return/cancel/suspend, lio_listio) did
 * not change between the two, so the test of the version is too strict
 * and we present the 2001 value. <fcntl.h> comes too: glibc's <aio.h>
 * pulls it in, musl's does not, and the tests use O_* without it.
 */
#include <fcntl.h>
#include <unistd.h>
#undef _POSIX_ASYNCHRONOUS_IO
#define _POSIX_ASYNCHRONOUS_IO 200112L
