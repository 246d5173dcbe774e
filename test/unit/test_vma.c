/*
 * test_vma.c - host unit test of the VMA set (src/kernel/mm/vma.c, with
 * its node slab over src/kernel/mm/pmm.c, both compiled as they are with
 * UNI_MM_HOSTED).
 *
 * Layer: test/unit (ctest -L unit). Fixed cases for insert and merge,
 * hole punching (split, trim, span), protection changes on part of a
 * range, gap finding with bounds, MAP_FIXED-style replace, and running out
 * of nodes (nothing may change); then a long random run against a
 * page-by-page model, with vma_check() (order, merging, aggregates, AVL
 * balance) after every step. Prints failures and
 * "test_vma: N passed, M failed"; exit status 1 on failure.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "priv.h"

uintptr_t mm_hosted_dmap_offset;

#include "unit.h"

#define P(n) ((uint64_t)(n)*PAGE_SIZE)
#define BASE 0x10000000000ULL
#define A(n) (BASE + P(n))
#define RW (PROT_READ | PROT_WRITE)

static struct vma_set set;

/* Does the set consist of exactly these ranges (start, end, prot)? */
static int shape(int n, ...)
{
	va_list ap;
	struct vma *v = vma_next_after(&set, 0);
	int ok = vma_check(&set) == 0 && set.count == (size_t)n;

	va_start(ap, n);
	for (int i = 0; i < n && ok; i++) {
		uint64_t s = va_arg(ap, uint64_t), e = va_arg(ap, uint64_t);
		int prot = va_arg(ap, int);
		ok = v && v->start == s && v->end == e && v->prot == prot;
		if (v)
			v = vma_next_after(&set, v->end);
	}
	va_end(ap);
	return ok && !v;
}

static void clear(void)
{
	if (set.count)
		vma_remove_range(&set, set.lo, set.hi);
}

static void test_insert_merge(void)
{
	vma_set_init(&set, BASE, A(1000));
	CHECK(vma_insert(&set, A(10), A(20), RW, 0) == 0);
	CHECK(shape(1, A(10), A(20), RW));
	/* Touching, same attributes: merged on either side. */
	CHECK(vma_insert(&set, A(20), A(25), RW, 0) == 0);
	CHECK(vma_insert(&set, A(5), A(10), RW, 0) == 0);
	CHECK(shape(1, A(5), A(25), RW));
	/* Different prot or flags: kept apart. */
	CHECK(vma_insert(&set, A(25), A(26), PROT_NONE, 0) == 0);
	CHECK(vma_insert(&set, A(4), A(5), RW, VMA_SHARED) == 0);
	CHECK(shape(3, A(4), A(5), RW, A(5), A(25), RW, A(25), A(26),
		    PROT_NONE));
	/* Filling a hole between two equal ranges merges all three. */
	CHECK(vma_insert(&set, A(30), A(40), RW, 0) == 0);
	CHECK(vma_insert(&set, A(50), A(60), RW, 0) == 0);
	CHECK(vma_insert(&set, A(40), A(50), RW, 0) == 0);
	CHECK(shape(4, A(4), A(5), RW, A(5), A(25), RW, A(25), A(26), PROT_NONE,
		    A(30), A(60), RW));
	/* The first range of the set can start at its bound. */
	CHECK(vma_insert(&set, A(0), A(1), RW, 0) == 0);
	CHECK(vma_find(&set, A(0)) && vma_find(&set, A(0))->end == A(1));
	CHECK(vma_find(&set, A(1)) == NULL);
	CHECK(vma_find(&set, A(59))->start == A(30));
	CHECK(vma_find(&set, A(60)) == NULL);
	CHECK(vma_next_after(&set, A(26))->start == A(30));
	CHECK(vma_next_after(&set, A(60)) == NULL);
	CHECK(vma_overlaps(&set, A(26), A(31)) &&
	      !vma_overlaps(&set, A(26), A(30)));
	CHECK(vma_covered(&set, A(4), A(26)) &&
	      !vma_covered(&set, A(4), A(27)));
	CHECK(vma_covered(&set, A(30), A(30)));
	clear();
	CHECK(set.count == 0 && vma_nodes_in_use() == 0);
}

static void test_remove(void)
{
	vma_set_init(&set, BASE, A(1000));
	vma_insert(&set, A(10), A(100), RW, 0);
	/* A hole inside one range splits it. */
	CHECK(vma_remove_range(&set, A(40), A(50)) == 0);
	CHECK(shape(2, A(10), A(40), RW, A(50), A(100), RW));
	/* Trim the left of one, the right of another, across the hole. */
	CHECK(vma_remove_range(&set, A(30), A(60)) == 0);
	CHECK(shape(2, A(10), A(30), RW, A(60), A(100), RW));
	/* Remove whole ranges and beyond. */
	vma_insert(&set, A(200), A(210), PROT_READ, 0);
	CHECK(vma_remove_range(&set, A(0), A(150)) == 0);
	CHECK(shape(1, A(200), A(210), PROT_READ));
	/* Removing nothing is fine. */
	CHECK(vma_remove_range(&set, A(300), A(400)) == 0);
	CHECK(shape(1, A(200), A(210), PROT_READ));
	/* Exactly one range's bounds. */
	CHECK(vma_remove_range(&set, A(200), A(210)) == 0);
	CHECK(shape(0));
	CHECK(vma_nodes_in_use() == 0);
}

static void test_set_prot(void)
{
	vma_set_init(&set, BASE, A(1000));
	vma_insert(&set, A(10), A(20), RW, 0);
	/* The middle of a range: three pieces. */
	CHECK(vma_set_prot(&set, A(12), A(14), PROT_NONE) == 0);
	CHECK(shape(3, A(10), A(12), RW, A(12), A(14), PROT_NONE, A(14), A(20),
		    RW));
	/* Back: merged into one again. */
	CHECK(vma_set_prot(&set, A(12), A(14), RW) == 0);
	CHECK(shape(1, A(10), A(20), RW));
	/* An edge. */
	CHECK(vma_set_prot(&set, A(10), A(11), PROT_READ) == 0);
	CHECK(shape(2, A(10), A(11), PROT_READ, A(11), A(20), RW));
	/* Across several ranges with different flags: prot changes, flags
	 * stay, equal neighbours merge, the shared one stays apart. */
	vma_insert(&set, A(20), A(30), PROT_READ, VMA_SHARED);
	vma_insert(&set, A(30), A(40), PROT_NONE, 0);
	CHECK(vma_set_prot(&set, A(15), A(35), PROT_READ) == 0);
	CHECK(shape(6, A(10), A(11), PROT_READ, A(11), A(15), RW, A(15), A(20),
		    PROT_READ, A(20), A(30), PROT_READ, A(30), A(35), PROT_READ,
		    A(35), A(40), PROT_NONE));
	CHECK(vma_set_prot(&set, A(11), A(15), PROT_READ) == 0);
	CHECK(shape(4, A(10), A(20), PROT_READ, A(20), A(30), PROT_READ, A(30),
		    A(35), PROT_READ, A(35), A(40), PROT_NONE));
	CHECK(vma_find(&set, A(25))->flags == VMA_SHARED);
	clear();
	CHECK(vma_nodes_in_use() == 0);
}

static void test_gaps(void)
{
	vma_set_init(&set, BASE, A(100));
	/* Empty: the lowest address at or above lo. */
	CHECK(vma_find_gap(&set, 0, UINT64_MAX, P(1)) == BASE);
	CHECK(vma_find_gap(&set, A(5), UINT64_MAX, P(10)) == A(5));
	CHECK(vma_find_gap(&set, A(5), A(14), P(10)) == 0);
	CHECK(vma_find_gap(&set, A(5), A(15), P(10)) == A(5));
	CHECK(vma_find_gap(&set, 0, UINT64_MAX, P(100)) == BASE);
	CHECK(vma_find_gap(&set, 0, UINT64_MAX, P(101)) == 0);
	CHECK(vma_find_gap(&set, 0, UINT64_MAX, 0) == 0);

	vma_insert(&set, A(0), A(10), RW, 0);
	vma_insert(&set, A(12), A(20), PROT_READ, 0); /* gap 10-12 */
	vma_insert(&set, A(25), A(30), RW, 0);	      /* gap 20-25 */
	vma_insert(&set, A(40), A(41), RW, 0);	      /* gap 30-40 */
	vma_insert(&set, A(50), A(90), PROT_NONE, 0); /* gap 41-50 */
	/* tail gap 90-100 */
	CHECK(vma_find_gap(&set, 0, UINT64_MAX, P(1)) == A(10));
	CHECK(vma_find_gap(&set, 0, UINT64_MAX, P(2)) == A(10));
	CHECK(vma_find_gap(&set, 0, UINT64_MAX, P(3)) == A(20));
	CHECK(vma_find_gap(&set, 0, UINT64_MAX, P(5)) == A(20));
	CHECK(vma_find_gap(&set, 0, UINT64_MAX, P(6)) == A(30));
	CHECK(vma_find_gap(&set, 0, UINT64_MAX, P(10)) == A(30));
	CHECK(vma_find_gap(&set, 0, UINT64_MAX, P(11)) == 0);
	/* lo inside a gap: clipped. */
	CHECK(vma_find_gap(&set, A(11), UINT64_MAX, P(1)) == A(11));
	CHECK(vma_find_gap(&set, A(11), UINT64_MAX, P(2)) == A(20));
	CHECK(vma_find_gap(&set, A(33), UINT64_MAX, P(7)) == A(33));
	CHECK(vma_find_gap(&set, A(34), UINT64_MAX, P(7)) == A(41));
	CHECK(vma_find_gap(&set, A(60), UINT64_MAX, P(10)) == A(90));
	/* hi cuts the tail. */
	CHECK(vma_find_gap(&set, A(60), A(99), P(10)) == 0);
	CHECK(vma_find_gap(&set, 0, A(25), P(5)) == A(20));
	CHECK(vma_find_gap(&set, 0, A(24), P(5)) == 0);
	clear();
}

/* MAP_FIXED over existing ranges: remove what is there, insert. */
static void test_fixed_replace(void)
{
	vma_set_init(&set, BASE, A(1000));
	vma_insert(&set, A(10), A(20), RW, 0);
	vma_insert(&set, A(20), A(30), PROT_READ, 0);
	vma_insert(&set, A(40), A(50), RW, 0);
	CHECK(vma_remove_range(&set, A(15), A(45)) == 0);
	CHECK(vma_insert(&set, A(15), A(45), PROT_NONE, 0) == 0);
	CHECK(shape(3, A(10), A(15), RW, A(15), A(45), PROT_NONE, A(45), A(50),
		    RW));
	/* A replacement equal to its neighbours merges with both. */
	CHECK(vma_remove_range(&set, A(15), A(45)) == 0);
	CHECK(vma_insert(&set, A(15), A(45), RW, 0) == 0);
	CHECK(shape(1, A(10), A(50), RW));
	/* mallocng's guard: PROT_NONE at the first page of the heap. */
	CHECK(vma_remove_range(&set, A(10), A(11)) == 0);
	CHECK(vma_insert(&set, A(10), A(11), PROT_NONE, 0) == 0);
	CHECK(shape(2, A(10), A(11), PROT_NONE, A(11), A(50), RW));
	clear();
	CHECK(vma_nodes_in_use() == 0);
}

/* With pmm drained and the slab empty, every change that needs a node
 * fails with -ENOMEM and leaves the set as it was. */
static void test_out_of_nodes(void)
{
	uint64_t *held = malloc(sizeof(uint64_t) * (pmm_total_frames() + 1));
	size_t nheld = 0, count;
	uint64_t pa, x;
	int r;

	vma_set_init(&set, BASE, A(1000000));
	CHECK(vma_insert(&set, A(500000), A(500003), RW, 0) == 0);
	while ((pa = pmm_alloc(0)))
		held[nheld++] = pa;
	/* Use the slab's spare nodes up with separate ranges. */
	for (x = 0; (r = vma_insert(&set, A(2 * x), A(2 * x + 1), RW, 0)) == 0;
	     x++)
		;
	CHECK(r == -ENOMEM);
	CHECK(vma_check(&set) == 0);
	count = set.count;
	CHECK(count == x + 1);
	CHECK(vma_reserve(1) == -ENOMEM);
	/* Splits need a node: refused, nothing changed. */
	CHECK(vma_remove_range(&set, A(500001), A(500002)) == -ENOMEM);
	CHECK(vma_set_prot(&set, A(500001), A(500002), PROT_NONE) == -ENOMEM);
	CHECK(vma_set_prot(&set, A(500000), A(500001), PROT_NONE) == -ENOMEM);
	CHECK(vma_check(&set) == 0 && set.count == count);
	CHECK(vma_find(&set, A(500001))->start == A(500000) &&
	      vma_find(&set, A(500001))->end == A(500003) &&
	      vma_find(&set, A(500001))->prot == RW);
	/* Extending or trimming a range needs none. */
	CHECK(vma_insert(&set, A(500003), A(500004), RW, 0) == 0);
	CHECK(vma_remove_range(&set, A(500003), A(500010)) == 0);
	/* A whole range changes in place. */
	CHECK(vma_set_prot(&set, A(500000), A(500003), PROT_READ) == 0);
	CHECK(vma_set_prot(&set, A(500000), A(500003), RW) == 0);
	CHECK(set.count == count);
	/* Removing a whole range gives a node back; a split can use it. */
	CHECK(vma_remove_range(&set, A(0), A(1)) == 0);
	CHECK(vma_remove_range(&set, A(500001), A(500002)) == 0);
	CHECK(vma_check(&set) == 0 && set.count == count);
	CHECK(vma_remove_range(&set, A(500001), A(500002)) == 0);
	clear();
	CHECK(vma_nodes_in_use() == 0);
	for (size_t i = 0; i < nheld; i++)
		pmm_free(held[i]);
	free(held);
}

/* ---- random run against a page model ------------------------------- */

#define NPAGES 600
#define MBASE (BASE + 0x100000ULL)

/* Per page: 0 = free, else prot + 1 + 8 * flags. */
static int model[NPAGES];

static int model_val(int prot, unsigned flags)
{
	return prot + 1 + 8 * (int)flags;
}

static int agrees(void)
{
	struct vma *v;
	uint64_t next = MBASE;
	int err = vma_check(&set);

	if (err) {
		printf("vma_check: %d\n", err);
		return 0;
	}
	for (v = vma_next_after(&set, 0); v; v = vma_next_after(&set, v->end)) {
		for (; next < v->start; next += PAGE_SIZE)
			if (model[(next - MBASE) / PAGE_SIZE])
				return 0;
		for (; next < v->end; next += PAGE_SIZE)
			if (model[(next - MBASE) / PAGE_SIZE] !=
			    model_val(v->prot, v->flags))
				return 0;
	}
	for (; next < MBASE + P(NPAGES); next += PAGE_SIZE)
		if (model[(next - MBASE) / PAGE_SIZE])
			return 0;
	return 1;
}

static uint64_t model_gap(int lo, int hi, int len)
{
	for (int s = lo; s + len <= hi; s++) {
		int ok = 1;
		for (int i = s; i < s + len && ok; i++)
			ok = !model[i];
		if (ok)
			return MBASE + P(s);
	}
	return 0;
}

static void test_random(void)
{
	unsigned seed = 12345;
	int bad = 0, gaps_bad = 0;

	memset(model, 0, sizeof(model));
	vma_set_init(&set, MBASE, MBASE + P(NPAGES));
	srand(getenv("TEST_SEED") ? (unsigned)atoi(getenv("TEST_SEED")) : seed);
	for (int step = 0; step < 40000 && !bad; step++) {
		int a = rand() % NPAGES, len = 1 + rand() % 40;
		int b = MIN(NPAGES, a + len);
		int prot = (int[]){PROT_NONE, PROT_READ, RW,
				   PROT_EXEC | PROT_READ}[rand() % 4];
		unsigned flags = (unsigned)(rand() % 5 == 0) * VMA_SHARED;
		int op = rand() % 4;

		if (op == 0) {
			/* Replace, as MAP_FIXED does. */
			if (vma_remove_range(&set, MBASE + P(a),
					     MBASE + P(b)) ||
			    vma_insert(&set, MBASE + P(a), MBASE + P(b), prot,
				       flags))
				bad = 1;
			for (int i = a; i < b; i++)
				model[i] = model_val(prot, flags);
		} else if (op == 1) {
			if (vma_remove_range(&set, MBASE + P(a), MBASE + P(b)))
				bad = 1;
			for (int i = a; i < b; i++)
				model[i] = 0;
		} else if (op == 2) {
			/* mprotect only on covered ranges, as the syscall. */
			int covered = 1;
			for (int i = a; i < b; i++)
				covered &= model[i] != 0;
			CHECK(covered ==
			      vma_covered(&set, MBASE + P(a), MBASE + P(b)));
			if (!covered)
				continue;
			if (vma_set_prot(&set, MBASE + P(a), MBASE + P(b),
					 prot))
				bad = 1;
			for (int i = a; i < b; i++)
				model[i] = model_val(
					prot, (unsigned)(model[i] - 1) / 8);
		} else {
			/* Gap queries with random bounds. */
			int lo = rand() % NPAGES,
			    hi = lo + rand() % (NPAGES - lo + 1);
			uint64_t want = model_gap(lo, hi, len);
			uint64_t got = vma_find_gap(&set, MBASE + P(lo),
						    MBASE + P(hi), P(len));
			if (want != got) {
				gaps_bad++;
				printf("gap lo %d hi %d len %d: want %llx got "
				       "%llx\n",
				       lo, hi, len, (unsigned long long)want,
				       (unsigned long long)got);
			}
			/* And a fresh insert there keeps everything sane. */
			if (got && rand() % 2) {
				if (vma_insert(&set, got, got + P(len), prot,
					       flags))
					bad = 1;
				for (int i = 0; i < len; i++)
					model[(got - MBASE) / PAGE_SIZE + i] =
						model_val(prot, flags);
			}
		}
		if (!agrees()) {
			printf("model disagrees at step %d (op %d, %d-%d)\n",
			       step, op, a, b);
			bad = 1;
		}
	}
	CHECK(!bad);
	CHECK(!gaps_bad);
	clear();
	CHECK(vma_nodes_in_use() == 0);
}

int main(void)
{
	/* Frames for the node slab: a small fake physical arena. */
	enum { FRAMES = 64 };
	uint8_t *arena = aligned_alloc(PAGE_SIZE, (FRAMES + 256) * PAGE_SIZE);
	struct boot_info bi;

	setvbuf(stdout, NULL, _IOLBF, 0); /* keep output across abort */

	memset(arena, 0, (FRAMES + 256) * PAGE_SIZE);
	mm_hosted_dmap_offset = (uintptr_t)arena;
	memset(&bi, 0, sizeof(bi));
	bi.ram[bi.nram++] = (struct boot_range){0x100000, FRAMES * PAGE_SIZE};
	pmm_init(&bi);

	test_insert_merge();
	test_remove();
	test_set_prot();
	test_gaps();
	test_fixed_replace();
	test_random();
	test_out_of_nodes(); /* last: it keeps every frame */

	printf("test_vma: %d passed, %d failed\n", passed, failed);
	free(arena);
	return failed ? 1 : 0;
}
