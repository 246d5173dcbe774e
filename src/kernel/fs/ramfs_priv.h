/*
 * ramfs_priv.h - ramfs nodes, shared by ramfs.c (the tree and the vnode
 * operations) and ramfs_file.c (read and write of regular files).
 */
#ifndef UNI_FS_RAMFS_PRIV_H
#define UNI_FS_RAMFS_PRIV_H

#include <uni/vfs.h>

#pragma GCC visibility push(hidden)

#define RAMFS_PAGE 4096UL
/* The largest file (2^44 bytes: a radix tree of height 4). */
#define RAMFS_MAX_SIZE (1ULL << 44)

/* A directory entry. Entries are kept in creation order, each with a
 * cookie larger than every earlier one, so a readdir position ("the
 * first entry with cookie >= c") survives inserts and removals; a hash
 * table over the same entries serves lookups. */
struct ramfs_dirent {
	struct ramfs_dirent *next, *prev; /* creation order */
	struct ramfs_dirent *hnext;       /* hash chain */
	uint32_t hash;
	uint64_t cookie;
	struct vnode *vn;
	size_t len;
	char name[];
};

struct ramfs_node {
	struct vnode vn; /* first: a ramfs vnode pointer is a node pointer */
	union {
		struct { /* directories */
			struct ramfs_dirent *head, *tail;
			uint64_t next_cookie; /* 0 ".", 1 "..", entries from 2 */
			size_t entries;
			/* nbuckets chains (a power of two), grown with the
			 * entries; NULL (lookups walk the list) until a
			 * directory has a few entries or when memory ran out */
			struct ramfs_dirent **buckets;
			size_t nbuckets;
		} d;
		struct { /* regular files: a radix tree of 4 KiB frames */
			uint64_t root;  /* an array of 512 slots, or 0 */
			int height;     /* root covers 512^height pages */
			/* getpage has handed out frames (MAP_SHARED may map
			 * them): truncate zeroes frames instead of freeing
			 * them, so no mapping is left on a freed frame */
			int pinned;
		} f;
		char *target;           /* symlinks, NUL-terminated */
	};
};

static inline struct ramfs_node *RN(struct vnode *vn)
{
	return (struct ramfs_node *)vn;
}

/* The frame's bytes (the kernel's direct map is the identity). */
static inline char *ramfs_frame(uint64_t pa)
{
	return (char *)(uintptr_t)pa;
}

/* The frame holding page pg of a regular file: 0 and *pa (0 for a hole
 * when !create), -ENOSPC when no frame is left for data, -ENOMEM when
 * the index cannot grow. */
int ramfs_page(struct ramfs_node *n, uint64_t pg, int create, uint64_t *pa);

#pragma GCC visibility pop

#endif
