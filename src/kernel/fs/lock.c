/*
 * lock.c - advisory file locks: POSIX record locks (fcntl F_GETLK,
 * F_SETLK, F_SETLKW), open-file-description locks (F_OFD_*) and flock(2).
 *
 * Layer: kernel fs. fcntl (sys_rw.c) calls lock_fcntl; closing a
 * descriptor calls lock_on_close, the last file_put lock_on_release (weak
 * hooks in uni/file.h: an image that never locks links none of this).
 * The state of a file hangs off vnode->locks, NULL when it has none.
 *
 * Owners, as on Linux: a record lock belongs to the process, so its own
 * record locks never conflict with each other; a new one replaces what
 * the process held in its range, splitting and trimming locks of another
 * type and merging touching locks of the same type. An OFD lock belongs to
 * the open file description and conflicts with every other owner, the
 * process's record locks included; record and OFD locks share one list.
 * flock locks are a world of their own, owned by the description. Ranges
 * are [start, end] inclusive; end OFF_MAX means "to EOF, however far".
 * Every change wakes every waiter on the file, who looks again.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/file.h>
#include <uni/file.h>
#include <uni/kernel.h>
#include <uni/kmalloc.h>
#include <uni/proc.h>
#include <uni/signal.h>
#include <uni/syscall.h>
#include <uni/uaccess.h>
#include <uni/vfs.h>
#include <uni/wait.h>

#define OFF_MAX INT64_MAX

struct rlock {
	struct rlock *next;
	int64_t start, end;       /* inclusive; record locks only */
	int type;                 /* F_RDLCK or F_WRLCK */
	const struct file *owner; /* NULL: the process (record lock) */
};

struct vlocks {
	struct rlock *rec;   /* record and OFD locks, unordered */
	struct rlock *fl;    /* flock locks, one per owner */
	struct waitq wq;     /* F_SETLKW and flock waiters */
};

static struct vlocks *vl_get(struct vnode *vn, int create)
{
	if (!vn->locks && create)
		vn->locks = kzalloc(sizeof(struct vlocks));
	return vn->locks;
}

/* Free the state once it holds nothing and nobody waits on it. */
static void vl_put(struct vnode *vn)
{
	struct vlocks *vl = vn->locks;

	if (vl && !vl->rec && !vl->fl && !waitq_active(&vl->wq)) {
		kfree(vl);
		vn->locks = NULL;
	}
}

static int conflicts(const struct rlock *l, int64_t s, int64_t e, int type,
		     const void *owner)
{
	return l->owner != owner && l->start <= e && s <= l->end &&
	       (l->type == F_WRLCK || type == F_WRLCK);
}

/* The conflicting lock with the lowest start, or NULL. */
static struct rlock *find_conflict(struct vlocks *vl, int64_t s, int64_t e,
				   int type, const void *owner)
{
	struct rlock *best = NULL;

	for (struct rlock *l = vl ? vl->rec : NULL; l; l = l->next)
		if (conflicts(l, s, e, type, owner) &&
		    (!best || l->start < best->start))
			best = l;
	return best;
}

/* Drop every lock of `owner` from a list; 1 if any went. */
static int drop_owner(struct rlock **pp, const void *owner)
{
	struct rlock *l;
	int any = 0;

	while ((l = *pp)) {
		if (l->owner == owner) {
			*pp = l->next;
			kfree(l);
			any = 1;
		} else {
			pp = &l->next;
		}
	}
	return any;
}

/*
 * Make owner's lock on [s, e] `type` (F_UNLCK: none). Both nodes it may
 * need (the new lock, the right half of a split) are taken first, so it
 * either completes or fails with -ENOLCK having changed nothing.
 */
static int apply(struct vlocks *vl, int64_t s, int64_t e, int type,
		 const void *owner)
{
	struct rlock *n = kmalloc(sizeof(*n)), *half = kmalloc(sizeof(*n));
	struct rlock **pp = &vl->rec, *l;

	if (!n || !half) {
		kfree(n);
		kfree(half);
		return -ENOLCK;
	}
	while ((l = *pp)) {
		/* Touching: overlapping or adjacent (s >= 0, so s - 1 is
		 * fine; e + 1 would overflow at OFF_MAX). */
		int touch = l->end >= s - 1 && (e == OFF_MAX || l->start <= e + 1);

		if (l->owner != owner || !touch) {
			pp = &l->next;
		} else if (l->type == type) {
			s = MIN(s, l->start);     /* absorb it */
			e = MAX(e, l->end);
			*pp = l->next;
			kfree(l);
		} else if (l->end < s || l->start > e) {
			pp = &l->next;            /* adjacent, another type */
		} else if (l->start < s && l->end > e) {
			*half = *l;               /* keep both outer parts */
			half->start = e + 1;
			l->end = s - 1;
			l->next = half;
			half = NULL;
			break;                    /* nothing else can overlap */
		} else if (l->start < s) {
			l->end = s - 1;
			pp = &l->next;
		} else if (l->end > e) {
			l->start = e + 1;
			pp = &l->next;
		} else {
			*pp = l->next;            /* covered: gone */
			kfree(l);
		}
	}
	if (type != F_UNLCK) {
		*n = (struct rlock){ vl->rec, s, e, type, owner };
		vl->rec = n;
		n = NULL;
	}
	kfree(n);
	kfree(half);
	return 0;
}

/* struct flock to an absolute [start, end], as Linux's
 * flock_to_posix_lock (l_len < 0 means the bytes before l_start). */
static int to_range(const struct file *f, const struct flock *fl,
		    int64_t *ps, int64_t *pe)
{
	int64_t s;

	switch (fl->l_whence) {
	case SEEK_SET: s = 0; break;
	case SEEK_CUR: s = (int64_t)f->pos; break;
	case SEEK_END: s = (int64_t)f->vn->size; break;
	default: return -EINVAL;
	}
	if (__builtin_add_overflow(s, (int64_t)fl->l_start, &s) || s < 0)
		return -EINVAL;
	if (fl->l_len > 0) {
		if (fl->l_len - 1 > OFF_MAX - s)
			return -EOVERFLOW;
		*pe = s + fl->l_len - 1;
	} else if (fl->l_len < 0) {
		if (s + fl->l_len < 0)
			return -EINVAL;
		*pe = s - 1;
		s += fl->l_len;
	} else {
		*pe = OFF_MAX;
	}
	*ps = s;
	return 0;
}

/* Block on vl's queue: 0 to look again, or -ERESTARTSYS for a signal. */
static int wait_locks(struct vlocks *vl)
{
	return waitq_block(&vl->wq, 0, 0) ? -ERESTARTSYS : 0;
}

static void wake_locks(struct vlocks *vl)
{
	waitq_wake(&vl->wq, 0);
}

long lock_fcntl(struct file *f, int cmd, void *uarg)
{
	struct vnode *vn = f->vn;
	const void *owner = NULL;
	struct vlocks *vl;
	struct rlock *c;
	struct flock fl;
	int64_t s, e;
	int r, wait = 0;

	if (copy_from_user(&fl, uarg, sizeof(fl)))
		return -EFAULT;
	switch (cmd) {
	case F_OFD_GETLK: case F_OFD_SETLK: case F_OFD_SETLKW:
		if (fl.l_pid)
			return -EINVAL;
		owner = f;
		break;
	case F_GETLK: case F_SETLK: case F_SETLKW:
		break;
	default:
		return -EINVAL;
	}
	if (!vn)
		return -EINVAL; /* pipes and other node-less files */
	if (fl.l_type != F_RDLCK && fl.l_type != F_WRLCK &&
	    (fl.l_type != F_UNLCK || cmd == F_GETLK || cmd == F_OFD_GETLK))
		return -EINVAL;
	r = to_range(f, &fl, &s, &e);
	if (r)
		return r;

	if (cmd == F_GETLK || cmd == F_OFD_GETLK) {
		c = find_conflict(vn->locks, s, e, fl.l_type, owner);
		if (!c) {
			fl.l_type = F_UNLCK;
		} else {
			fl.l_type = c->type;
			fl.l_whence = SEEK_SET;
			fl.l_start = c->start;
			fl.l_len = c->end == OFF_MAX ? 0 : c->end - c->start + 1;
			fl.l_pid = c->owner ? -1 : UNI_PID;
		}
		return copy_to_user(uarg, &fl, sizeof(fl)) ? -EFAULT : 0;
	}

	if ((fl.l_type == F_RDLCK && !file_readable(f)) ||
	    (fl.l_type == F_WRLCK && !file_writable(f)))
		return -EBADF;
	wait = cmd == F_SETLKW || cmd == F_OFD_SETLKW;
	for (;;) {
		/* Looked up again after every block: the state may have been
		 * freed and remade meanwhile (vn itself stays: f holds it). */
		vl = vl_get(vn, fl.l_type != F_UNLCK);
		if (!vl)
			return fl.l_type == F_UNLCK ? 0 : -ENOLCK;
		if (fl.l_type == F_UNLCK ||
		    !find_conflict(vl, s, e, fl.l_type, owner)) {
			r = apply(vl, s, e, fl.l_type, owner);
			if (!r)
				wake_locks(vl);
			break;
		}
		r = wait ? wait_locks(vl) : -EAGAIN;
		if (r)
			break;
	}
	vl_put(vn);
	return r;
}

void lock_on_close(struct file *f)
{
	struct vlocks *vl = f->vn ? f->vn->locks : NULL;

	if (!vl)
		return;
	if (drop_owner(&vl->rec, NULL))
		wake_locks(vl);
	vl_put(f->vn);
}

void lock_on_release(struct file *f)
{
	struct vlocks *vl = f->vn ? f->vn->locks : NULL;

	if (!vl)
		return;
	if (drop_owner(&vl->rec, f) | drop_owner(&vl->fl, f))
		wake_locks(vl);
	vl_put(f->vn);
}

/*
 * flock: one lock per open file description. Converting a lock drops
 * the old one first (so waiters may slip in, as on Linux); blocking waits
 * until no other description holds a conflicting lock.
 */
static long do_flock(struct file *f, int type, int wait)
{
	struct vnode *vn = f->vn;
	struct vlocks *vl;
	struct rlock *l, **pp, *n;
	long r;

	for (;;) {
		vl = vl_get(vn, type != F_UNLCK);
		if (!vl)
			return type == F_UNLCK ? 0 : -ENOLCK;
		for (pp = &vl->fl; *pp && (*pp)->owner != f; pp = &(*pp)->next)
			;
		if ((l = *pp)) {
			r = 0;
			if (l->type == type)
				break;
			*pp = l->next;
			kfree(l);
			wake_locks(vl);
		}
		r = 0;
		if (type == F_UNLCK)
			break;
		for (l = vl->fl; l; l = l->next)
			if (l->type == F_WRLCK || type == F_WRLCK)
				break;
		if (!l) {
			n = kmalloc(sizeof(*n));
			if (!n) {
				r = -ENOLCK;
				break;
			}
			*n = (struct rlock){ vl->fl, 0, 0, type, f };
			vl->fl = n;
			break;
		}
		r = wait ? wait_locks(vl) : -EWOULDBLOCK;
		if (r)
			break;
	}
	vl_put(vn);
	return r;
}

SYSCALL_DEFINE2(flock, int, fd, unsigned, op)
{
	struct file *f;
	int type;
	long r;

	switch (op & ~LOCK_NB) {
	case LOCK_SH: type = F_RDLCK; break;
	case LOCK_EX: type = F_WRLCK; break;
	case LOCK_UN: type = F_UNLCK; break;
	default: return -EINVAL;
	}
	f = fd_get(fd);
	if (!f)
		return -EBADF;
	if (f->flags & O_PATH)
		r = -EBADF;
	else if (!f->vn)
		r = -EINVAL;
	else
		r = do_flock(f, type, !(op & LOCK_NB));
	file_put(f);
	return r;
}
