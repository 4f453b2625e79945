// SPDX-License-Identifier: GPL-2.0
/*
 * Who pays for the memory of /dev/goheap's spans, and the module-wide cap.
 *
 * Every hardware page of a user span is charged from its allocation until
 * the page really goes back: to the page heap, or for a scattered span to
 * the page allocator (devspan.c). That may be long after
 * GOHEAP_IOC_SPAN_FREE or the release of the file, while a pipe or a GUP
 * pin still holds a page. Each page is charged twice:
 *
 *   - to the user (struct user_struct) of the task that allocated the span,
 *     whichever file it used and whoever opened that file, in the count
 *     RLIMIT_MEMLOCK is checked against: user_struct's locked_vm, as
 *     io_uring and AF_XDP do, or a count of goheap's own in kernels that
 *     have no locked_vm (gh_user_locked_vm()). An allocation that would take
 *     it above the caller's RLIMIT_MEMLOCK fails, unless the caller has
 *     CAP_IPC_LOCK; its pages count all the same. The span holds the user,
 *     so the charge outlives the process that allocated it;
 *   - to the module-wide count, which dev_max_bytes caps for every caller.
 *
 * Nothing is charged to an mm (VmLck and VmPin of /proc/PID/status do not
 * show span memory): a span outlives the processes that map it.
 *
 * goheap keeps a record of each user with charged spans (struct
 * gh_dev_user), for the user's own figure in GOHEAP_IOC_GET_INFO and as
 * the count itself where the kernel has no locked_vm.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/hashtable.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/sched/signal.h>
#include <linux/sched/user.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "compat.h"
#include "dev.h"

/**
 * struct gh_dev_user - a user with charged spans.
 * @node:	link in gh_dev_users, hashed by @user.
 * @user:	the user; the record holds a reference to it.
 * @refs:	spans charged to the user, plus charges being made;
 *		gh_dev_users_lock.
 * @pages:	hardware pages goheap charges to the user.
 */
struct gh_dev_user {
	struct hlist_node node;
	struct user_struct *user;
	unsigned long refs;
	atomic_long_t pages;
};

static DEFINE_HASHTABLE(gh_dev_users, 6);
static DEFINE_SPINLOCK(gh_dev_users_lock);

/* Hardware pages charged for all spans of all users. */
static atomic_long_t gh_dev_pages = ATOMIC_LONG_INIT(0);

/* ULONG_MAX until set; gh_dev_charge_init() makes it a quarter of RAM. */
static unsigned long dev_max_bytes = ULONG_MAX;

static u64 ram_bytes(void)
{
	return (u64)totalram_pages() << PAGE_SHIFT;
}

/* A number of bytes from 0 to the size of RAM; anything else is -EINVAL. */
static int dev_max_bytes_set(const char *val, const struct kernel_param *kp)
{
	unsigned long bytes;

	if (kstrtoul(val, 0, &bytes) || bytes > ram_bytes())
		return -EINVAL;
	WRITE_ONCE(*(unsigned long *)kp->arg, bytes);
	return 0;
}

static const struct kernel_param_ops dev_max_bytes_ops = {
	.set = dev_max_bytes_set,
	.get = param_get_ulong,
};
module_param_cb(dev_max_bytes, &dev_max_bytes_ops, &dev_max_bytes, 0644);
MODULE_PARM_DESC(dev_max_bytes,
		 "bytes all spans of /dev/goheap may hold together, 0 to RAM (default: RAM / 4)");

static struct gh_dev_user *user_find(struct user_struct *user)
{
	struct gh_dev_user *du;

	lockdep_assert_held(&gh_dev_users_lock);
	hash_for_each_possible(gh_dev_users, du, node, (unsigned long)user)
		if (du->user == user)
			return du;
	return NULL;
}

/* @user's record with a reference, created if need be; NULL if out of memory. */
static struct gh_dev_user *user_get(struct user_struct *user)
{
	struct gh_dev_user *du, *fresh = NULL;

	for (;;) {
		spin_lock(&gh_dev_users_lock);
		du = user_find(user);
		if (du) {
			du->refs++;
		} else if (fresh) {
			hash_add(gh_dev_users, &fresh->node, (unsigned long)user);
			du = fresh;
			fresh = NULL;
		}
		spin_unlock(&gh_dev_users_lock);
		if (du)
			break;
		fresh = kzalloc(sizeof(*fresh), GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
		if (!fresh)
			return NULL;
		fresh->user = get_uid(user);
		fresh->refs = 1;
	}
	if (fresh) {
		/* Someone else added the user meanwhile. */
		free_uid(fresh->user);
		kfree(fresh);
	}
	return du;
}

static void user_put(struct gh_dev_user *du)
{
	spin_lock(&gh_dev_users_lock);
	if (--du->refs) {
		spin_unlock(&gh_dev_users_lock);
		return;
	}
	hash_del(&du->node);
	spin_unlock(&gh_dev_users_lock);
	WARN_ON(atomic_long_read(&du->pages));
	free_uid(du->user);
	kfree(du);
}

/* Add @n to @count unless that takes it above @limit; whether it did. */
static bool count_add(atomic_long_t *count, unsigned long n, unsigned long limit)
{
	long cur = atomic_long_read(count);

	do {
		if (n > limit || (unsigned long)cur > limit - n)
			return false;
	} while (!atomic_long_try_cmpxchg(count, &cur, cur + n));
	return true;
}

/**
 * gh_dev_charge() - charge a new span to the caller's user and the module.
 * @nr_hw: hardware pages of the span.
 *
 * Context: process (an ioctl); takes gh_dev_users_lock; may sleep.
 * Return: the user now charged, for gh_dev_uncharge() once the pages are
 * back; or ERR_PTR(-ENOMEM), with nothing charged, when the caller's
 * RLIMIT_MEMLOCK (without CAP_IPC_LOCK) or dev_max_bytes would be exceeded
 * or memory is short.
 */
struct gh_dev_user *gh_dev_charge(unsigned long nr_hw)
{
	unsigned long limit = ULONG_MAX;
	struct gh_dev_user *du;
	atomic_long_t *locked;

	du = user_get(current_user());
	if (!du)
		return ERR_PTR(-ENOMEM);
	if (!ns_capable_noaudit(&init_user_ns, CAP_IPC_LOCK))
		limit = rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT;
	locked = gh_user_locked_vm(du->user, &du->pages);
	if (!count_add(locked, nr_hw, limit))
		goto put;
	if (!count_add(&gh_dev_pages, nr_hw, READ_ONCE(dev_max_bytes) >> PAGE_SHIFT))
		goto unlock;
	if (locked != &du->pages)
		atomic_long_add(nr_hw, &du->pages);
	return du;

unlock:
	atomic_long_sub(nr_hw, locked);
put:
	user_put(du);
	return ERR_PTR(-ENOMEM);
}

/**
 * gh_dev_uncharge() - drop what gh_dev_charge() charged.
 * @du: the user gh_dev_charge() returned.
 * @nr_hw: hardware pages it was given.
 *
 * Context: process; takes gh_dev_users_lock.
 */
void gh_dev_uncharge(struct gh_dev_user *du, unsigned long nr_hw)
{
	atomic_long_t *locked = gh_user_locked_vm(du->user, &du->pages);

	/*
	 * The reverse of gh_dev_charge()'s order, so that the user's own
	 * figure never exceeds the count the limit holds: even while pages
	 * are being uncharged, user_charged stays within RLIMIT_MEMLOCK.
	 */
	if (locked != &du->pages)
		atomic_long_sub(nr_hw, &du->pages);
	atomic_long_sub(nr_hw, locked);
	atomic_long_sub(nr_hw, &gh_dev_pages);
	user_put(du);
}

/**
 * gh_dev_user_charged() - bytes charged to the calling task's user.
 *
 * Context: process; takes gh_dev_users_lock.
 * Return: the bytes of every span of the user, in every file and process,
 * whose pages are not all back yet.
 */
u64 gh_dev_user_charged(void)
{
	struct gh_dev_user *du;
	u64 pages = 0;

	spin_lock(&gh_dev_users_lock);
	du = user_find(current_user());
	if (du)
		pages = atomic_long_read(&du->pages);
	spin_unlock(&gh_dev_users_lock);
	return pages << PAGE_SHIFT;
}

/**
 * gh_dev_charged() - bytes charged for the spans of all users.
 *
 * Context: any.
 * Return: the module-wide count that dev_max_bytes caps, in bytes.
 */
u64 gh_dev_charged(void)
{
	return (u64)atomic_long_read(&gh_dev_pages) << PAGE_SHIFT;
}

/**
 * gh_dev_max_bytes() - the module-wide cap.
 *
 * Context: any.
 * Return: the dev_max_bytes parameter.
 */
u64 gh_dev_max_bytes(void)
{
	return READ_ONCE(dev_max_bytes);
}

/**
 * gh_dev_charge_init() - give dev_max_bytes its default if it was not set.
 *
 * Context: module init, before /dev/goheap exists.
 */
void gh_dev_charge_init(void)
{
	/* cmpxchg(): a write through sysfs may already be on its way. */
	cmpxchg(&dev_max_bytes, ULONG_MAX, (unsigned long)(ram_bytes() / 4) & PAGE_MASK);
}

/**
 * gh_dev_charge_exit() - check that nothing is charged any more.
 *
 * Context: module exit; every span is gone (files, mappings and deferred
 * spans pin the module).
 */
void gh_dev_charge_exit(void)
{
	WARN_ON(!hash_empty(gh_dev_users));
	WARN_ON(atomic_long_read(&gh_dev_pages));
}
