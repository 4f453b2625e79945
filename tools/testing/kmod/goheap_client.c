// SPDX-License-Identifier: GPL-2.0
/*
 * goheap_client: uses goheap only through its exported API, as another
 * module would, and checks the contract it relies on.
 *
 * At load it runs a set of checks (kmalloc-like semantics, bulk and tiny
 * allocation, allocation from softirq-safe contexts, arrays, realloc, size
 * round-up, node allocation, the RCU-deferred free and private heaps) and refuses to load,
 * with -EINVAL, if any fails; each check prints one line. Parameters add
 * workloads for the guest tests:
 *
 *   churn_mb=N  allocate N MiB of mixed sizes (tiny to 1 MiB), then free
 *               it all, before load completes
 *   hold_mb=N   allocate N MiB of mixed sizes and keep it until unload
 *   profile_mb=N  hold N MiB of 256 B objects until unload in a private
 *               heap "profile" that samples once per 4 KiB: three quarters
 *               of the bytes from client_profile_site_a(), one quarter
 *               from client_profile_site_b() (the heap profile's 3:1)
 *
 * While loaded it holds CLIENT_HEAP_OBJECTS objects of 128 B in a private
 * heap of its own, "client" (/sys/kernel/debug/goheap/heaps/client/), and
 * frees them and destroys the heap at unload.
 *
 * The 64 B alloc+free pair is timed against kmalloc/kfree in the same
 * boot and printed as a ratio (a figure, not a check).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bottom_half.h>
#include <linux/err.h>
#include <linux/goheap.h>
#include <linux/ktime.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/nodemask.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

static unsigned int churn_mb;
module_param(churn_mb, uint, 0444);
MODULE_PARM_DESC(churn_mb, "MiB of mixed sizes to allocate and free at load");

static unsigned int hold_mb;
module_param(hold_mb, uint, 0444);
MODULE_PARM_DESC(hold_mb, "MiB of mixed sizes to hold until unload");

static unsigned int profile_mb;
module_param(profile_mb, uint, 0444);
MODULE_PARM_DESC(profile_mb, "MiB of 256 B objects to hold, 3:1 from two call sites, in heap \"profile\"");

static unsigned int failures, checks;

static __printf(2, 3) void report(bool ok, const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	checks++;
	if (ok) {
		pr_info("PASS: %pV\n", &vaf);
	} else {
		failures++;
		pr_err("FAIL: %pV\n", &vaf);
	}
	va_end(args);
}

#define CHECK(cond, ...)	report(cond, __VA_ARGS__)

static bool check_sizes(void)
{
	size_t size;

	for (size = 1; size <= 64 * 1024; size = size * 3 / 2 + 1) {
		u8 *p = goheap_alloc(size, GFP_KERNEL);
		size_t usable;

		if (!p)
			return false;
		usable = goheap_usable_size(p);
		memset(p, 0xa5, usable);
		goheap_free(p);
		if (usable < size)
			return false;
	}
	return true;
}

static bool check_alignment(void)
{
	size_t size;

	for (size = 8; size <= GOHEAP_MAX_ALLOC; size <<= 1) {
		void *p = goheap_alloc(size, GFP_KERNEL);
		bool ok = p && IS_ALIGNED((unsigned long)p, size);

		goheap_free(p);
		if (!ok)
			return false;
	}
	return true;
}

static bool check_zeroed(void)
{
	u8 *p = goheap_alloc(200, GFP_KERNEL);
	bool ok;

	if (!p)
		return false;
	memset(p, 0xff, goheap_usable_size(p));
	goheap_free(p);
	p = goheap_zalloc(200, GFP_KERNEL);
	ok = p && !memchr_inv(p, 0, goheap_usable_size(p));
	goheap_free(p);
	return ok;
}

static bool check_bulk(void)
{
	void **objs = kvcalloc(512, sizeof(*objs), GFP_KERNEL);
	bool ok;
	int i;

	if (!objs)
		return false;
	ok = goheap_alloc_bulk(96, GFP_KERNEL, 512, objs) == 512;
	for (i = 0; ok && i < 512; i++)
		ok = goheap_usable_size(objs[i]) == 96;
	if (ok)
		goheap_free_bulk(512, objs);
	kvfree(objs);
	return ok;
}

static bool check_tiny(void)
{
	u8 *a = goheap_alloc_tiny(3, GFP_KERNEL);
	u8 *b = goheap_alloc_tiny(5, GFP_KERNEL);
	bool ok = a && b && goheap_usable_size(a) == 3 && goheap_usable_size(b) == 5;

	if (a)
		memset(a, 1, 3);
	if (b)
		memset(b, 2, 5);
	ok = ok && a[0] == 1 && b[4] == 2;
	goheap_free(a);
	goheap_free(b);
	return ok;
}

/*
 * GFP_ATOMIC where nothing may sleep: with interrupts off, or on
 * PREEMPT_RT (where spinlock_t sleeps, and goheap, like kmalloc, must not
 * be called with interrupts off) with bottom halves off.
 */
static bool check_atomic(void)
{
	unsigned long flags;
	void *p;

	if (IS_ENABLED(CONFIG_PREEMPT_RT)) {
		local_bh_disable();
		p = goheap_alloc(128, GFP_ATOMIC);
		goheap_free(p);
		local_bh_enable();
		return p;
	}
	local_irq_save(flags);
	p = goheap_alloc(128, GFP_ATOMIC);
	goheap_free(p);
	local_irq_restore(flags);
	return p;
}

/* Sizes of a mixed workload: mostly small, a few large. */
static bool check_array(void)
{
	u8 *p = goheap_calloc(1000, 3, GFP_KERNEL);
	bool ok = p && !memchr_inv(p, 0, 3000);

	goheap_free(p);
	return ok && !goheap_alloc_array(SIZE_MAX / 4, 8, GFP_KERNEL | __GFP_NOWARN) &&
	       !goheap_calloc(8, SIZE_MAX / 4, GFP_KERNEL | __GFP_NOWARN);
}

static bool check_realloc(void)
{
	u8 *p = goheap_alloc(100, GFP_KERNEL), *q;
	bool ok;

	if (!p)
		return false;
	memset(p, 0x5a, 100);
	/* Fits: stays where it is, except on a debug heap (debug=), which moves it. */
	q = goheap_realloc(p, 90, GFP_KERNEL);
	if (!q) {
		goheap_free(p);
		return false;
	}
	ok = !memchr_inv(q, 0x5a, 90);
	p = goheap_realloc(q, 100000, GFP_KERNEL);	/* moves with its bytes */
	ok = ok && p && p != q && !memchr_inv(p, 0x5a, 90);
	if (!p) {
		goheap_free(q);
		return false;
	}
	q = goheap_realloc(p, 0, GFP_KERNEL);		/* frees */
	return ok && q == ZERO_SIZE_PTR;
}

static bool check_roundup(void)
{
	static const size_t sizes[] = { 1, 9, 100, 1000, 5000, 32768, 40000, 1 << 20 };
	unsigned int i;
	bool ok = true;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		void *p = goheap_alloc(sizes[i], GFP_KERNEL);

		ok = ok && p && goheap_usable_size(p) == goheap_size_roundup(sizes[i]);
		goheap_free(p);
	}
	return ok;
}

/*
 * A large object on each online node, on that node (__GFP_THISNODE: not
 * elsewhere); a node that is not online fails.
 */
static bool check_alloc_node(void)
{
	bool ok = true;
	int nid;

	for_each_online_node(nid) {
		void *p = goheap_alloc_node(300000, GFP_KERNEL | __GFP_THISNODE, nid);

		ok = ok && p && page_to_nid(virt_to_page(p)) == nid;
		goheap_free(p);
	}
	return ok && !goheap_alloc_node(64, GFP_KERNEL | __GFP_NOWARN, MAX_NUMNODES);
}

struct rcu_item {
	int value;
	struct rcu_head rcu;
};

static struct rcu_item __rcu *published;

/* The kfree_rcu() pattern: unpublish, free after readers are done. */
static bool check_free_rcu(void)
{
	struct rcu_item *it = goheap_alloc(sizeof(*it), GFP_KERNEL), *old;
	bool ok;

	if (!it)
		return false;
	it->value = 42;
	rcu_assign_pointer(published, it);
	rcu_read_lock();
	old = rcu_dereference(published);
	ok = old && old->value == 42;
	rcu_read_unlock();
	old = rcu_replace_pointer(published, NULL, true);
	goheap_free_rcu(old, rcu);
	ok = ok && goheap_usable_size(old) >= sizeof(*old);	/* still live */
	rcu_barrier();
	return ok && goheap_usable_size(old) == 0;
}

#define CLIENT_HEAP_OBJECTS	100

static struct goheap_heap *client_heap;
static void *client_objs[CLIENT_HEAP_OBJECTS];

/* A heap of one's own: bad names refused, busy heaps not destroyed. */
static bool check_private_heap(void)
{
	struct goheap_heap *h = goheap_heap_create("client-check", NULL);
	void *p, *q;
	bool ok;

	if (IS_ERR(h))
		return false;
	ok = goheap_heap_create("client-check", NULL) == ERR_PTR(-EEXIST) &&
	     goheap_heap_create("Client", NULL) == ERR_PTR(-EINVAL);
	p = goheap_heap_alloc(h, 300, GFP_KERNEL);
	q = goheap_alloc(300, GFP_KERNEL);
	ok = ok && p && q && goheap_heap_usable_size(h, p) == 320 &&
	     goheap_heap_usable_size(h, q) == 0 && goheap_usable_size(p) == 0;
	goheap_free(q);
	ok = ok && goheap_heap_destroy(h) == -EBUSY;
	goheap_heap_free(h, p);
	return goheap_heap_destroy(h) == 0 && ok;
}

static int client_heap_fill(void)
{
	unsigned int i;

	client_heap = goheap_heap_create("client", NULL);
	if (IS_ERR(client_heap)) {
		int err = PTR_ERR(client_heap);

		client_heap = NULL;
		return err;
	}
	for (i = 0; i < CLIENT_HEAP_OBJECTS; i++) {
		client_objs[i] = goheap_heap_alloc(client_heap, 128, GFP_KERNEL);
		if (!client_objs[i])
			return -ENOMEM;
	}
	return 0;
}

static void client_heap_empty(void)
{
	unsigned int i;

	if (!client_heap)
		return;
	for (i = 0; i < CLIENT_HEAP_OBJECTS; i++)
		goheap_heap_free(client_heap, client_objs[i]);
	if (goheap_heap_destroy(client_heap))
		pr_err("the client heap was not destroyed\n");
	client_heap = NULL;
}

static size_t mixed_size(unsigned int i)
{
	if (i % 97 == 0)
		return 40000 + (i % 7) * 100000;
	if (i % 11 == 0)
		return 1 + i % 15;	/* tiny */
	return 16 + (i * 2654435761U) % 2048;
}

struct hold {
	void **objs;
	unsigned long n;
};

static struct hold held;

static int mixed_alloc(struct hold *hd, unsigned long bytes)
{
	/* The mix averages over 4 KiB an object: 1 KiB a slot is plenty. */
	unsigned long max = bytes / 1024 + 64, done = 0;

	hd->objs = vzalloc(max * sizeof(void *));
	if (!hd->objs)
		return -ENOMEM;
	for (hd->n = 0; hd->n < max && done < bytes; hd->n++) {
		size_t size = mixed_size(hd->n);

		hd->objs[hd->n] = size < GOHEAP_TINY_MAX ? goheap_alloc_tiny(size, GFP_KERNEL) :
							   goheap_alloc(size, GFP_KERNEL);
		if (!hd->objs[hd->n])
			return -ENOMEM;
		done += size;
		if (hd->n % 1024 == 0)
			cond_resched();
	}
	return 0;
}

static void mixed_free(struct hold *hd)
{
	unsigned long i;

	if (!hd->objs)
		return;
	for (i = 0; i < hd->n; i++)
		goheap_free(hd->objs[i]);
	vfree(hd->objs);
	hd->objs = NULL;
	hd->n = 0;
}

/* profile_mb: the heap, its objects, and the two call sites. */
#define PROFILE_OBJ	256
#define PROFILE_RATE	4096

static struct goheap_heap *profile_heap;
static struct hold profile_held;

static noinline void client_profile_site_a(void **objs)
{
	unsigned int i;

	for (i = 0; i < 3; i++)
		objs[i] = goheap_heap_alloc(profile_heap, PROFILE_OBJ, GFP_KERNEL);
}

static noinline void client_profile_site_b(void **objs)
{
	objs[0] = goheap_heap_alloc(profile_heap, PROFILE_OBJ, GFP_KERNEL);
}

static void profile_free(void)
{
	unsigned long i;

	if (!profile_heap)
		return;
	for (i = 0; profile_held.objs && i < profile_held.n; i++)
		goheap_heap_free(profile_heap, profile_held.objs[i]);
	vfree(profile_held.objs);
	profile_held.objs = NULL;
	if (goheap_heap_destroy(profile_heap))
		pr_err("the profile heap was not destroyed\n");
	profile_heap = NULL;
}

static int profile_alloc(unsigned long bytes)
{
	const struct goheap_heap_params params = { .profile_rate = PROFILE_RATE };
	unsigned long n = bytes / PROFILE_OBJ / 4 * 4, i;

	profile_heap = goheap_heap_create("profile", &params);
	if (IS_ERR(profile_heap)) {
		int err = PTR_ERR(profile_heap);

		profile_heap = NULL;
		return err;
	}
	profile_held.objs = vzalloc(array_size(n, sizeof(void *)));
	if (!profile_held.objs)
		return -ENOMEM;
	profile_held.n = n;
	for (i = 0; i < n; i += 4) {
		client_profile_site_a(profile_held.objs + i);
		client_profile_site_b(profile_held.objs + i + 3);
		if (!profile_held.objs[i] || !profile_held.objs[i + 1] ||
		    !profile_held.objs[i + 2] || !profile_held.objs[i + 3])
			return -ENOMEM;
		if (i % 4096 == 0)
			cond_resched();
	}
	return 0;
}

static void time_pair(void)
{
	const unsigned int iters = 200000;
	u64 t0, t_goheap, t_kmalloc;
	unsigned int i;
	void *p;

	/* Warm both caches. */
	goheap_free(goheap_alloc(64, GFP_KERNEL));
	kfree(kmalloc(64, GFP_KERNEL));

	t0 = ktime_get_ns();
	for (i = 0; i < iters; i++) {
		p = goheap_alloc(64, GFP_KERNEL);
		goheap_free(p);
	}
	t_goheap = ktime_get_ns() - t0;
	t0 = ktime_get_ns();
	for (i = 0; i < iters; i++) {
		p = kmalloc(64, GFP_KERNEL);
		kfree(p);
	}
	t_kmalloc = ktime_get_ns() - t0;
	pr_info("pair64: goheap %llu ns/pair, kmalloc %llu ns/pair, ratio %llu.%02llu (emulated timings)\n",
		t_goheap / iters, t_kmalloc / iters, t_goheap / t_kmalloc,
		t_goheap * 100 / t_kmalloc % 100);
}

static int __init client_init(void)
{
	struct hold churn = { 0 };
	int err;

	CHECK(goheap_alloc(0, GFP_KERNEL) == ZERO_SIZE_PTR, "size 0 gives ZERO_SIZE_PTR");
	goheap_free(NULL);
	goheap_free(ZERO_SIZE_PTR);
	CHECK(check_sizes(), "sizes 1 B .. 64 KiB usable");
	CHECK(check_alignment(), "power-of-two sizes naturally aligned up to %lu",
	      GOHEAP_MAX_ALLOC);
	CHECK(check_zeroed(), "goheap_zalloc zeroes recycled memory");
	CHECK(check_bulk(), "bulk alloc/free of 512 objects");
	CHECK(check_tiny(), "tiny objects");
	CHECK(check_atomic(), "GFP_ATOMIC with interrupts off");
	CHECK(!goheap_alloc(GOHEAP_MAX_ALLOC + 1, GFP_KERNEL | __GFP_NOWARN),
	      "too large fails without a warning");
	CHECK(check_array(), "goheap_calloc zeroes; array sizes that overflow fail");
	CHECK(check_realloc(), "goheap_realloc keeps, moves and frees as krealloc");
	CHECK(check_roundup(), "goheap_size_roundup is the usable size");
	CHECK(check_alloc_node(), "goheap_alloc_node: a large object on each of %u online nodes",
	      num_online_nodes());
	CHECK(check_free_rcu(), "goheap_free_rcu frees after a grace period");
	CHECK(check_private_heap(), "a private heap: names checked, busy heap kept, own objects");
	CHECK(!client_heap_fill(), "holding %u objects in the private heap \"client\"",
	      CLIENT_HEAP_OBJECTS);
	time_pair();

	if (churn_mb) {
		err = mixed_alloc(&churn, (unsigned long)churn_mb << 20);
		CHECK(!err, "allocated %u MiB of mixed sizes (%lu objects)", churn_mb, churn.n);
		mixed_free(&churn);
	}
	if (hold_mb) {
		err = mixed_alloc(&held, (unsigned long)hold_mb << 20);
		CHECK(!err, "holding %u MiB of mixed sizes (%lu objects)", hold_mb, held.n);
		if (err)
			mixed_free(&held);
	}
	if (profile_mb) {
		err = profile_alloc((unsigned long)profile_mb << 20);
		CHECK(!err, "holding %u MiB of %u B objects, 3:1 from two sites, heap \"profile\"",
		      profile_mb, PROFILE_OBJ);
	}
	pr_info("%u checks, %u failed\n", checks, failures);
	if (!failures)
		return 0;
	profile_free();
	mixed_free(&held);	/* no exit() after a failed init */
	client_heap_empty();
	return -EINVAL;
}

static void __exit client_exit(void)
{
	profile_free();
	mixed_free(&held);
	client_heap_empty();
}

module_init(client_init);
module_exit(client_exit);

MODULE_DESCRIPTION("goheap API client: checks the exported API from another module");
MODULE_LICENSE("GPL");
