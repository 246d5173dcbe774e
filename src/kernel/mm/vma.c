/*
 * vma.c - the set of reserved virtual ranges of the program's address
 * space: find, insert with merging, punch holes (splitting), change
 * protection on part of a range, and find the lowest free gap.
 *
 * Layer: kernel mm, pure logic (test_vma.c runs it on the host). Only
 * as.c and sys_mman.c call it. It knows nothing of page tables: a range is
 * reserved address space with a protection and flags; whether its pages
 * have frames is the page tables' business.
 *
 * The set is an AVL tree ordered by start whose nodes also keep subtree
 * aggregates (see struct vma in priv.h); vma_find_gap uses the largest
 * hole of a subtree to skip it, so finding the lowest gap is O(log n) in
 * practice. Nodes come from a small slab carved out of pmm frames (the
 * kernel has no malloc); slab frames are kept for reuse, never returned.
 */
#include <errno.h>
#include <string.h>
#include <uni/kernel.h>
#include "priv.h"

/* ---- node slab ------------------------------------------------------ */

static struct vma *free_nodes; /* linked through ->left */
static int nfree_nodes;
static size_t nodes_used, slab_frames;

int vma_reserve(int n)
{
	while (nfree_nodes < n) {
		uint64_t pa = pmm_alloc(0);
		if (!pa)
			return -ENOMEM;
		struct vma *v = mm_phys_to_virt(pa);
		for (size_t i = 0; i < PAGE_SIZE / sizeof(*v); i++) {
			v[i].left = free_nodes;
			free_nodes = &v[i];
			nfree_nodes++;
		}
		slab_frames++;
	}
	return 0;
}

static struct vma *node_alloc(void)
{
	struct vma *v;

	if (vma_reserve(1))
		return NULL;
	v = free_nodes;
	free_nodes = v->left;
	nfree_nodes--;
	nodes_used++;
	memset(v, 0, sizeof(*v));
	return v;
}

static void node_free(struct vma *v)
{
	v->left = free_nodes;
	free_nodes = v;
	nfree_nodes++;
	nodes_used--;
}

size_t vma_nodes_in_use(void)
{
	return nodes_used;
}

size_t vma_slab_frames(void)
{
	return slab_frames;
}

/* ---- AVL tree with aggregates -------------------------------------- */

static int height(const struct vma *n)
{
	return n ? n->height : 0;
}

/* Recompute n's height and aggregates from its children. */
static void vma_pull(struct vma *n)
{
	struct vma *l = n->left, *r = n->right;
	uint64_t gap = 0;

	n->height = 1 + MAX(height(l), height(r));
	n->min_start = l ? l->min_start : n->start;
	n->max_end = r ? r->max_end : n->end;
	if (l) {
		gap = MAX(gap, l->max_gap);
		gap = MAX(gap, n->start - l->max_end);
	}
	if (r) {
		gap = MAX(gap, r->max_gap);
		gap = MAX(gap, r->min_start - n->end);
	}
	n->max_gap = gap;
}

static struct vma *rotate_right(struct vma *n)
{
	struct vma *l = n->left;

	n->left = l->right;
	l->right = n;
	vma_pull(n);
	vma_pull(l);
	return l;
}

static struct vma *rotate_left(struct vma *n)
{
	struct vma *r = n->right;

	n->right = r->left;
	r->left = n;
	vma_pull(n);
	vma_pull(r);
	return r;
}

static struct vma *balance(struct vma *n)
{
	int bf;

	vma_pull(n);
	bf = height(n->left) - height(n->right);
	if (bf > 1) {
		if (height(n->left->left) < height(n->left->right))
			n->left = rotate_left(n->left);
		return rotate_right(n);
	}
	if (bf < -1) {
		if (height(n->right->right) < height(n->right->left))
			n->right = rotate_right(n->right);
		return rotate_left(n);
	}
	return n;
}

static struct vma *tree_insert(struct vma *t, struct vma *x)
{
	if (!t) {
		x->left = x->right = NULL;
		vma_pull(x);
		return x;
	}
	if (x->start < t->start)
		t->left = tree_insert(t->left, x);
	else
		t->right = tree_insert(t->right, x);
	return balance(t);
}

static struct vma *remove_min(struct vma *t, struct vma **min)
{
	if (!t->left) {
		*min = t;
		return t->right;
	}
	t->left = remove_min(t->left, min);
	return balance(t);
}

/* Unlink the node whose start is `key` (nodes are relinked, never copied,
 * so pointers to the other nodes stay valid). */
static struct vma *tree_remove(struct vma *t, uint64_t key)
{
	KASSERT(t);
	if (key < t->start) {
		t->left = tree_remove(t->left, key);
	} else if (key > t->start) {
		t->right = tree_remove(t->right, key);
	} else {
		struct vma *l = t->left, *r = t->right, *m;
		if (!r)
			return l;
		r = remove_min(r, &m);
		m->left = l;
		m->right = r;
		return balance(m);
	}
	return balance(t);
}

/* After target's start or end changed without changing its place in the
 * order: recompute the aggregates on the path from the root to it. */
static void tree_touch(struct vma *t, const struct vma *target)
{
	KASSERT(t);
	if (t != target)
		tree_touch(target->start < t->start ? t->left : t->right,
			   target);
	vma_pull(t);
}

/* A node that maps a file holds a reference to it. */
static void file_ref(struct vma_set *s, struct vma *v, int delta)
{
	if (v->file && s->file_ref)
		s->file_ref(v->file, delta);
}

/* x is a new node (a copy of a range or a piece of one). */
static void set_insert(struct vma_set *s, struct vma *x)
{
	s->root = tree_insert(s->root, x);
	s->count++;
	file_ref(s, x, 1);
}

static void set_remove(struct vma_set *s, struct vma *v)
{
	s->root = tree_remove(s->root, v->start);
	s->count--;
	file_ref(s, v, -1);
	node_free(v);
}

/* Page offset into the file of address x of v (meaningless without a
 * file, but kept consistent all the same). */
static uint64_t pgoff_at(const struct vma *v, uint64_t x)
{
	return v->pgoff + (x - v->start) / PAGE_SIZE;
}

/* ---- queries -------------------------------------------------------- */

void vma_set_init(struct vma_set *s, uint64_t lo, uint64_t hi)
{
	/* vma_find_gap answers 0 for "none". */
	KASSERT(lo > 0 && lo < hi);
	s->root = NULL;
	s->lo = lo;
	s->hi = hi;
	s->count = 0;
	s->file_ref = NULL;
}

struct vma *vma_find(const struct vma_set *s, uint64_t addr)
{
	struct vma *t = s->root;

	while (t) {
		if (addr < t->start)
			t = t->left;
		else if (addr >= t->end)
			t = t->right;
		else
			return t;
	}
	return NULL;
}

struct vma *vma_next_after(const struct vma_set *s, uint64_t addr)
{
	struct vma *t = s->root, *best = NULL;

	/* Ranges do not overlap, so ends are ordered like starts. */
	while (t) {
		if (t->end > addr) {
			best = t;
			t = t->left;
		} else {
			t = t->right;
		}
	}
	return best;
}

int vma_overlaps(const struct vma_set *s, uint64_t a, uint64_t b)
{
	struct vma *v = vma_next_after(s, a);

	return v && v->start < b;
}

int vma_covered(const struct vma_set *s, uint64_t a, uint64_t b)
{
	while (a < b) {
		struct vma *v = vma_next_after(s, a);
		if (!v || v->start > a)
			return 0;
		a = v->end;
	}
	return 1;
}

struct gap_query {
	uint64_t lo, hi, len;
};

/* Lowest fit of the query inside the hole [gs, ge). */
static uint64_t gap_fit(uint64_t gs, uint64_t ge, const struct gap_query *q)
{
	gs = MAX(gs, q->lo);
	ge = MIN(ge, q->hi);
	return gs < ge && ge - gs >= q->len ? gs : 0;
}

/*
 * Lowest fit among the holes of subtree t, the first of which runs from
 * pred_end (the end of the range just before the subtree) to the
 * subtree's first start. A hole ends at a range's start, so a subtree
 * whose holes all end below lo + len, or all begin at or above hi, or are
 * all shorter than len, is skipped whole.
 */
static uint64_t gap_search(const struct vma *t, uint64_t pred_end,
			   const struct gap_query *q)
{
	uint64_t x;

	if (!t || pred_end >= q->hi || t->max_end <= q->lo)
		return 0;
	if (t->min_start - pred_end < q->len && t->max_gap < q->len)
		return 0;
	/* The left subtree's holes end at starts below t->start. */
	if (t->start > q->lo + q->len) {
		x = gap_search(t->left, pred_end, q);
		if (x)
			return x;
	}
	x = gap_fit(t->left ? t->left->max_end : pred_end, t->start, q);
	if (x)
		return x;
	if (t->end >= q->hi)
		return 0;
	return gap_search(t->right, t->end, q);
}

uint64_t vma_find_gap(const struct vma_set *s, uint64_t lo, uint64_t hi,
		      uint64_t len)
{
	struct gap_query q = { MAX(lo, s->lo), MIN(hi, s->hi), len };
	uint64_t x;

	if (!len || q.lo >= q.hi || q.hi - q.lo < len)
		return 0;
	x = gap_search(s->root, s->lo, &q);
	if (x)
		return x;
	return gap_fit(s->root ? s->root->max_end : s->lo, s->hi, &q);
}

/* ---- changes -------------------------------------------------------- */

/* Touching, alike, and for files the same file at consecutive pages. */
static int mergeable(const struct vma *a, const struct vma *b)
{
	return a->end == b->start && a->prot == b->prot &&
	       a->flags == b->flags && a->file == b->file &&
	       (!a->file || pgoff_at(a, a->end) == b->pgoff);
}

int vma_insert(struct vma_set *s, uint64_t a, uint64_t b, int prot,
	       unsigned flags)
{
	return vma_insert_file(s, a, b, prot, flags, NULL, 0);
}

int vma_insert_file(struct vma_set *s, uint64_t a, uint64_t b, int prot,
		    unsigned flags, struct file *file, uint64_t pgoff)
{
	struct vma *p, *n, *x;
	struct vma probe = { .start = a, .end = b, .prot = prot,
			     .flags = flags, .file = file, .pgoff = pgoff };

	KASSERT(a < b && !(a & (PAGE_SIZE - 1)) && !(b & (PAGE_SIZE - 1)));
	KASSERT(a >= s->lo && b <= s->hi && !vma_overlaps(s, a, b));
	p = a > s->lo ? vma_find(s, a - 1) : NULL;
	n = vma_find(s, b);
	if (p && !mergeable(p, &probe))
		p = NULL;
	if (n && !mergeable(&probe, n))
		n = NULL;

	if (p && n) {
		p->end = n->end;
		set_remove(s, n);
		tree_touch(s->root, p);
	} else if (p) {
		p->end = b;
		tree_touch(s->root, p);
	} else if (n) {
		n->start = a;
		n->pgoff = pgoff;
		tree_touch(s->root, n);
	} else {
		x = node_alloc();
		if (!x)
			return -ENOMEM;
		*x = probe;
		set_insert(s, x);
	}
	return 0;
}

int vma_remove_range(struct vma_set *s, uint64_t a, uint64_t b)
{
	struct vma *v = vma_next_after(s, a), *x;

	KASSERT(a < b);
	if (v && v->start < a && v->end > b) {
		/* A hole strictly inside one range: split it in two. */
		x = node_alloc();
		if (!x)
			return -ENOMEM;
		*x = (struct vma){ .start = b, .end = v->end, .prot = v->prot,
				   .flags = v->flags, .file = v->file,
				   .pgoff = pgoff_at(v, b) };
		v->end = a;
		tree_touch(s->root, v);
		set_insert(s, x);
		return 0;
	}
	while (v && v->start < b) {
		if (v->start < a) {
			v->end = a;
			tree_touch(s->root, v);
		} else if (v->end > b) {
			v->pgoff = pgoff_at(v, b);
			v->start = b;
			tree_touch(s->root, v);
			break;
		} else {
			set_remove(s, v);
		}
		v = vma_next_after(s, a);
	}
	return 0;
}

/* Make x a boundary: split the range that contains x strictly inside. */
static void split_at(struct vma_set *s, uint64_t x)
{
	struct vma *v = vma_find(s, x), *n;

	if (!v || v->start == x)
		return;
	n = node_alloc();
	KASSERT(n); /* reserved by the caller */
	*n = (struct vma){ .start = x, .end = v->end, .prot = v->prot,
			   .flags = v->flags, .file = v->file,
			   .pgoff = pgoff_at(v, x) };
	v->end = x;
	tree_touch(s->root, v);
	set_insert(s, n);
}

/* Merge every pair of mergeable neighbours from the range just below a
 * up to the range that starts at b. */
static void merge_around(struct vma_set *s, uint64_t a, uint64_t b)
{
	struct vma *v = a > s->lo ? vma_find(s, a - 1) : NULL, *n;

	if (!v)
		v = vma_next_after(s, a);
	while (v) {
		n = vma_next_after(s, v->end);
		if (!n || n->start > b)
			break;
		if (mergeable(v, n)) {
			v->end = n->end;
			set_remove(s, n);
			tree_touch(s->root, v);
		} else {
			v = n;
		}
	}
}

static int splits_at(const struct vma_set *s, uint64_t x)
{
	struct vma *v = vma_find(s, x);

	return v && v->start != x;
}

/* Make a and b node boundaries, so that [a, b) is whole nodes: 0, or
 * -ENOMEM with nothing changed. */
static int isolate(struct vma_set *s, uint64_t a, uint64_t b)
{
	KASSERT(a < b);
	if (vma_reserve(splits_at(s, a) + splits_at(s, b)))
		return -ENOMEM;
	split_at(s, a);
	split_at(s, b);
	return 0;
}

int vma_set_prot(struct vma_set *s, uint64_t a, uint64_t b, int prot)
{
	if (isolate(s, a, b))
		return -ENOMEM;
	for (struct vma *v = vma_next_after(s, a); v && v->start < b;
	     v = vma_next_after(s, v->end))
		v->prot = prot; /* not part of any aggregate */
	merge_around(s, a, b);
	return 0;
}

int vma_set_flags(struct vma_set *s, uint64_t a, uint64_t b, unsigned set,
		  unsigned clear)
{
	if (isolate(s, a, b))
		return -ENOMEM;
	for (struct vma *v = vma_next_after(s, a); v && v->start < b;
	     v = vma_next_after(s, v->end))
		v->flags = (v->flags & ~clear) | set; /* not an aggregate */
	merge_around(s, a, b);
	return 0;
}

/* ---- checking ------------------------------------------------------- */

struct check_state {
	const struct vma_set *s;
	const struct vma *prev;
	size_t count;
	int err;
};

static void check_node(const struct vma *t, struct check_state *cs)
{
	struct vma copy;

	if (!t || cs->err)
		return;
	check_node(t->left, cs);
	if (cs->err)
		return;
	if (t->start >= t->end || (t->start | t->end) & (PAGE_SIZE - 1))
		cs->err = -1; /* empty or misaligned range */
	else if (t->start < cs->s->lo || t->end > cs->s->hi)
		cs->err = -2; /* outside the set's bounds */
	else if (cs->prev && cs->prev->end > t->start)
		cs->err = -3; /* out of order or overlapping */
	else if (cs->prev && mergeable(cs->prev, t))
		cs->err = -4; /* neighbours left unmerged */
	if (cs->err)
		return;
	cs->prev = t;
	cs->count++;
	check_node(t->right, cs);
	if (cs->err)
		return;
	copy = *t;
	vma_pull(&copy);
	if (copy.height != t->height || copy.min_start != t->min_start ||
	    copy.max_end != t->max_end || copy.max_gap != t->max_gap)
		cs->err = -5; /* stale aggregate */
	else if (height(t->left) - height(t->right) > 1 ||
		 height(t->right) - height(t->left) > 1)
		cs->err = -6; /* unbalanced */
}

int vma_check(const struct vma_set *s)
{
	struct check_state cs = { s, NULL, 0, 0 };

	check_node(s->root, &cs);
	if (!cs.err && cs.count != s->count)
		cs.err = -7; /* count disagrees with the tree */
	return cs.err;
}
