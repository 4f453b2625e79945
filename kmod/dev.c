// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/goheap: the character device through which user space allocates
 * spans of the default heap, maps them (devmap.c) and reads heap
 * statistics. The ABI is uapi/linux/goheap.h; Documentation/
 * userspace-api.rst describes every command and error.
 *
 * Each open file is a private namespace of span handles. Every ioctl copies
 * its argument in once, rejects unknown flags and non-zero reserved fields,
 * and builds its reply zeroed on the stack. No user memory is touched while
 * the file's lock is held, and a new span becomes visible in the handle
 * table only after its handle has reached user space.
 *
 * Limits: the device node is mode 0600 unless the dev_mode parameter opens
 * it up; one open file holds at most max_file_pages heap pages in its
 * handle table; span memory is charged to the allocating user, against
 * RLIMIT_MEMLOCK without CAP_IPC_LOCK, and to the module, against
 * dev_max_bytes, until it is back (devcharge.c). PFNs are only for callers
 * with CAP_SYS_ADMIN, and heap-wide figures only for callers with
 * CAP_PERFMON or CAP_SYS_ADMIN, both when the file was opened (as
 * /proc/PID/pagemap decides) and at the call.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>
#include <uapi/linux/goheap.h>

#include "dev.h"
#include "stats.h"

static unsigned int dev_mode = 0600;
module_param(dev_mode, uint, 0444);
MODULE_PARM_DESC(dev_mode, "permissions of /dev/goheap (default 0600: root only)");

static unsigned long max_file_pages = 16384;
module_param(max_file_pages, ulong, 0644);
MODULE_PARM_DESC(max_file_pages,
		 "heap pages one open /dev/goheap may hold (default 16384: 128 MiB of 8 KiB pages)");

#define GH_DEV_FEATURES	(GOHEAP_FEAT_SPAN_CONTIGUOUS | GOHEAP_FEAT_SPAN_PREFAULT | \
			 GOHEAP_FEAT_SPAN_SCATTERED | GOHEAP_FEAT_SPAN_INFO | \
			 GOHEAP_FEAT_MEMSTATS | GOHEAP_FEAT_CHARGES)
#define GH_SPAN_FLAGS	(GOHEAP_SPAN_CONTIGUOUS | GOHEAP_SPAN_PREFAULT | \
			 GOHEAP_SPAN_SCATTERED | GOHEAP_SPAN_ZEROED)

/* The figures of enum gh_ms, in its order, are the ABI's struct goheap_memstats. */
static_assert(sizeof(struct goheap_memstats) == GH_MS_NR * sizeof(u64));
#define GH_MS_FIELD(field, idx) \
	static_assert(offsetof(struct goheap_memstats, field) == (idx) * sizeof(u64))
GH_MS_FIELD(sys, GH_MS_SYS);
GH_MS_FIELD(heap_sys, GH_MS_HEAP_SYS);
GH_MS_FIELD(heap_alloc, GH_MS_HEAP_ALLOC);
GH_MS_FIELD(heap_inuse, GH_MS_HEAP_INUSE);
GH_MS_FIELD(heap_idle, GH_MS_HEAP_IDLE);
GH_MS_FIELD(heap_released, GH_MS_HEAP_RELEASED);
GH_MS_FIELD(heap_objects, GH_MS_HEAP_OBJECTS);
GH_MS_FIELD(mallocs, GH_MS_MALLOCS);
GH_MS_FIELD(frees, GH_MS_FREES);
GH_MS_FIELD(total_alloc, GH_MS_TOTAL_ALLOC);
GH_MS_FIELD(mspan_inuse, GH_MS_MSPAN_INUSE);
GH_MS_FIELD(mspan_sys, GH_MS_MSPAN_SYS);
GH_MS_FIELD(mcache_inuse, GH_MS_MCACHE_INUSE);
GH_MS_FIELD(mcache_sys, GH_MS_MCACHE_SYS);
GH_MS_FIELD(other_sys, GH_MS_OTHER_SYS);
GH_MS_FIELD(large_objects, GH_MS_LARGE_OBJECTS);
GH_MS_FIELD(large_alloc, GH_MS_LARGE_ALLOC);
GH_MS_FIELD(tiny_objects, GH_MS_TINY_OBJECTS);
GH_MS_FIELD(tiny_alloc, GH_MS_TINY_ALLOC);
GH_MS_FIELD(tiny_blocks, GH_MS_TINY_BLOCKS);
GH_MS_FIELD(pcpu_cached, GH_MS_PCPU_CACHED);
GH_MS_FIELD(pcpu_cached_bytes, GH_MS_PCPU_CACHED_BYTES);
GH_MS_FIELD(central_cached, GH_MS_CENTRAL_CACHED);
GH_MS_FIELD(central_cached_bytes, GH_MS_CENTRAL_CACHED_BYTES);
GH_MS_FIELD(chunks, GH_MS_CHUNKS);
GH_MS_FIELD(grows, GH_MS_GROWS);
GH_MS_FIELD(grow_fallbacks, GH_MS_GROW_FALLBACKS);
GH_MS_FIELD(releases, GH_MS_RELEASES);
GH_MS_FIELD(released_bytes, GH_MS_RELEASED_BYTES);
GH_MS_FIELD(scavenges, GH_MS_SCAVENGES);
GH_MS_FIELD(heap_limit, GH_MS_HEAP_LIMIT);
GH_MS_FIELD(invalid_frees, GH_MS_INVALID_FREES);
GH_MS_FIELD(interior_frees, GH_MS_INTERIOR_FREES);
GH_MS_FIELD(double_frees, GH_MS_DOUBLE_FREES);
GH_MS_FIELD(poison_errors, GH_MS_POISON_ERRORS);
GH_MS_FIELD(redzone_errors, GH_MS_REDZONE_ERRORS);
GH_MS_FIELD(pcpu_span_bytes, GH_MS_PCPU_SPAN_BYTES);

/* The ABI's layout, as documented (sizes are multiples of 8). */
static_assert(sizeof(struct goheap_info) == 88);
static_assert(offsetof(struct goheap_info, user_charged) == 56);
static_assert(offsetof(struct goheap_info, reserved) == 80);
static_assert(sizeof(struct goheap_span_alloc) == 48);
static_assert(sizeof(struct goheap_span_free) == 16);
static_assert(sizeof(struct goheap_span_info) == 88);
static_assert(sizeof(struct goheap_memstats_req) == 40);

/* A span may not be longer than one chunk, nor than its mmap offset range. */
static_assert(GH_CHUNK_BYTES <= 1UL << GH_DEV_OFF_SHIFT);

static unsigned int max_span_pages(const struct gh_heap *h)
{
	return GH_MAX_CHUNK_PAGES / h->hw_per_page;
}

static bool may_read_pfns(const struct gh_dev_file *gf)
{
	return gf->pfns_ok && capable(CAP_SYS_ADMIN);
}

/* Figures about other users and the heap as a whole: as perf decides. */
static bool may_read_heap_stats(const struct gh_dev_file *gf)
{
	return gf->stats_ok && (ns_capable_noaudit(&init_user_ns, CAP_PERFMON) ||
				ns_capable_noaudit(&init_user_ns, CAP_SYS_ADMIN));
}

static bool uspan_from_heap(const struct gh_uspan *us)
{
	return !(us->flags & GOHEAP_SPAN_SCATTERED);
}

/* Count @npages against the file's cap before allocating them. */
static int reserve_pages(struct gh_dev_file *gf, unsigned long npages)
{
	int err = 0;

	xa_lock(&gf->spans);
	if (gf->pages + npages > READ_ONCE(max_file_pages))
		err = -ENOMEM;
	else
		gf->pages += npages;
	xa_unlock(&gf->spans);
	return err;
}

static void unreserve_pages(struct gh_dev_file *gf, unsigned long npages)
{
	xa_lock(&gf->spans);
	gf->pages -= npages;
	xa_unlock(&gf->spans);
}

/* The span behind @handle, with a reference, or NULL. */
static struct gh_uspan *get_span(struct gh_dev_file *gf, u32 handle)
{
	struct gh_uspan *us;

	xa_lock(&gf->spans);
	us = xa_load(&gf->spans, handle);
	if (us)
		gh_uspan_get(us);
	xa_unlock(&gf->spans);
	return us;
}

static long ioctl_get_info(struct gh_dev_file *gf, void __user *argp)
{
	struct gh_heap *h = goheap_default_heap;
	struct goheap_info info = {};

	info.abi_version = GOHEAP_ABI_VERSION;
	info.features = GH_DEV_FEATURES;
	info.heap_page_size = gh_page_bytes(h);
	info.hw_page_size = PAGE_SIZE;
	info.nr_size_classes = GH_NR_SMALL;
	info.max_span_pages = max_span_pages(h);
	info.max_file_pages = READ_ONCE(max_file_pages);
	xa_lock(&gf->spans);
	info.file_pages = gf->pages;
	xa_unlock(&gf->spans);
	info.memstats_size = sizeof(struct goheap_memstats);
	if (gf->pfns_ok && ns_capable_noaudit(&init_user_ns, CAP_SYS_ADMIN))
		info.caps |= GOHEAP_CAP_PFNS;
	info.user_charged = gh_dev_user_charged();
	if (may_read_heap_stats(gf)) {
		info.caps |= GOHEAP_CAP_HEAP_STATS;
		info.dev_charged = gh_dev_charged();
	}
	info.dev_max_bytes = gh_dev_max_bytes();
	return copy_to_user(argp, &info, sizeof(info)) ? -EFAULT : 0;
}

static long ioctl_span_alloc(struct gh_dev_file *gf, void __user *argp)
{
	struct gh_heap *h = goheap_default_heap;
	struct goheap_span_alloc req, rep = {};
	struct gh_uspan *us;
	u32 handle;
	int err;

	if (copy_from_user(&req, argp, sizeof(req)))
		return -EFAULT;
	if (req.flags & ~GH_SPAN_FLAGS || memchr_inv(req.reserved, 0, sizeof(req.reserved)))
		return -EINVAL;
	if ((req.flags & GOHEAP_SPAN_CONTIGUOUS) && (req.flags & GOHEAP_SPAN_SCATTERED))
		return -EINVAL;
	if (!req.npages || req.npages > max_span_pages(h))
		return -EINVAL;

	err = reserve_pages(gf, req.npages);
	if (err)
		return err;
	us = gh_uspan_create(h, req.npages, req.flags);
	if (IS_ERR(us)) {
		err = PTR_ERR(us);
		goto unreserve;
	}
	/* Reserve a handle; the span is published only once it is copied out. */
	err = xa_alloc_cyclic(&gf->spans, &handle, NULL, XA_LIMIT(1, GH_DEV_MAX_HANDLE),
			      &gf->next_handle, GFP_KERNEL_ACCOUNT);
	if (err < 0) {
		err = err == -EBUSY ? -ENOMEM : err;
		goto put;
	}
	us->handle = handle;

	rep.npages = req.npages;
	rep.flags = req.flags;
	rep.handle = handle;
	rep.offset = (u64)handle << GH_DEV_OFF_SHIFT;
	rep.size = req.npages << h->page_shift;
	if (copy_to_user(argp, &rep, sizeof(rep))) {
		err = -EFAULT;
		goto erase;
	}
	/* Replaces the reserved entry: allocates nothing, cannot fail. */
	xa_lock(&gf->spans);
	__xa_store(&gf->spans, handle, us, GFP_KERNEL);
	if (uspan_from_heap(us))
		gf->heap_pages += us->npages;
	xa_unlock(&gf->spans);
	return 0;

erase:
	xa_erase(&gf->spans, handle);
put:
	gh_uspan_put(us);
unreserve:
	unreserve_pages(gf, req.npages);
	return err;
}

static long ioctl_span_free(struct gh_dev_file *gf, void __user *argp)
{
	struct goheap_span_free req;
	struct gh_uspan *us;
	int err = 0;

	if (copy_from_user(&req, argp, sizeof(req)))
		return -EFAULT;
	if (req.flags || req.reserved)
		return -EINVAL;

	xa_lock(&gf->spans);
	us = xa_load(&gf->spans, req.handle);
	if (!us) {
		err = -ENOENT;
	} else if (atomic_read(&us->maps)) {
		err = -EBUSY;
	} else {
		__xa_erase(&gf->spans, req.handle);
		gf->pages -= us->npages;
		if (uspan_from_heap(us))
			gf->heap_pages -= us->npages;
	}
	xa_unlock(&gf->spans);
	if (!err)
		gh_uspan_put(us);
	return err;
}

/* Write the PFNs of the first @n hardware pages of @us to @up. */
static int copy_pfns(const struct gh_uspan *us, u64 __user *up, u32 n)
{
	u64 buf[32];
	u32 i, j;

	for (i = 0; i < n; i += j) {
		for (j = 0; j < ARRAY_SIZE(buf) && i + j < n; j++)
			buf[j] = page_to_pfn(us->pages[i + j]);
		if (copy_to_user(up + i, buf, j * sizeof(buf[0])))
			return -EFAULT;
	}
	return 0;
}

static long ioctl_span_info(struct gh_dev_file *gf, void __user *argp)
{
	struct goheap_span_info req, rep = {};
	struct gh_uspan *us;
	int err = 0;

	if (copy_from_user(&req, argp, sizeof(req)))
		return -EFAULT;
	if (req.flags || memchr_inv(req.reserved, 0, sizeof(req.reserved)))
		return -EINVAL;
	if (!req.pfn_count && req.pfns)
		return -EINVAL;
	if (req.pfn_count && !may_read_pfns(gf))
		return -EPERM;
	us = get_span(gf, req.handle);
	if (!us)
		return -ENOENT;

	if (req.pfn_count)
		err = copy_pfns(us, u64_to_user_ptr(req.pfns),
				min_t(u64, req.pfn_count, us->nr_hw));
	if (!err) {
		rep.handle = req.handle;
		rep.pfns = req.pfns;
		rep.pfn_count = req.pfn_count;
		rep.npages = us->npages;
		rep.page_size = 1U << us->page_shift;
		rep.hw_pages = us->nr_hw;
		rep.runs = us->runs;
		rep.span_flags = us->flags;
		rep.faults = atomic64_read(&us->faults);
		rep.maps = atomic_read(&us->maps);
		rep.offset = (u64)us->handle << GH_DEV_OFF_SHIFT;
		if (copy_to_user(argp, &rep, sizeof(rep)))
			err = -EFAULT;
	}
	gh_uspan_put(us);
	return err;
}

/*
 * The heap's figures for a caller that may read them; for any other, only
 * what its file holds: HeapInuse is the bytes of the file's heap spans.
 */
static long ioctl_get_memstats(struct gh_dev_file *gf, void __user *argp)
{
	struct gh_heap *h = goheap_default_heap;
	struct goheap_memstats_req req, rep = {};
	u64 ms[GH_MS_NR] = {};

	if (copy_from_user(&req, argp, sizeof(req)))
		return -EFAULT;
	if (req.flags || memchr_inv(req.reserved, 0, sizeof(req.reserved)))
		return -EINVAL;
	if (!req.size || req.size % sizeof(u64))
		return -EINVAL;

	if (may_read_heap_stats(gf)) {
		gh_read_memstats(h, ms);
	} else {
		xa_lock(&gf->spans);
		ms[GH_MS_HEAP_INUSE] = (u64)gf->heap_pages << h->page_shift;
		xa_unlock(&gf->spans);
	}
	rep.ptr = req.ptr;
	rep.size = req.size;
	rep.written = min_t(u32, req.size, sizeof(ms));
	rep.avail = sizeof(ms);
	if (copy_to_user(u64_to_user_ptr(req.ptr), ms, rep.written))
		return -EFAULT;
	return copy_to_user(argp, &rep, sizeof(rep)) ? -EFAULT : 0;
}

static long gh_dev_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct gh_dev_file *gf = file->private_data;
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case GOHEAP_IOC_GET_INFO:
		return ioctl_get_info(gf, argp);
	case GOHEAP_IOC_SPAN_ALLOC:
		return ioctl_span_alloc(gf, argp);
	case GOHEAP_IOC_SPAN_FREE:
		return ioctl_span_free(gf, argp);
	case GOHEAP_IOC_SPAN_INFO:
		return ioctl_span_info(gf, argp);
	case GOHEAP_IOC_GET_MEMSTATS:
		return ioctl_get_memstats(gf, argp);
	default:
		return -ENOTTY;
	}
}

static int gh_dev_open(struct inode *inode, struct file *file)
{
	struct gh_dev_file *gf;

	gf = kzalloc(sizeof(*gf), GFP_KERNEL_ACCOUNT);
	if (!gf)
		return -ENOMEM;
	xa_init_flags(&gf->spans, XA_FLAGS_ALLOC1);
	gf->pfns_ok = file_ns_capable(file, &init_user_ns, CAP_SYS_ADMIN);
	gf->stats_ok = gf->pfns_ok || file_ns_capable(file, &init_user_ns, CAP_PERFMON);
	/* misc_open() left the miscdevice here; the file's state replaces it. */
	file->private_data = gf;
	return 0;
}

/* The last descriptor is closed and the last mapping is gone. */
static int gh_dev_release(struct inode *inode, struct file *file)
{
	struct gh_dev_file *gf = file->private_data;
	struct gh_uspan *us;
	unsigned long idx;

	xa_for_each(&gf->spans, idx, us) {
		xa_erase(&gf->spans, idx);
		gh_uspan_put(us);
	}
	xa_destroy(&gf->spans);
	kfree(gf);
	return 0;
}

static const struct file_operations gh_dev_fops = {
	.owner = THIS_MODULE,
	.open = gh_dev_open,
	.release = gh_dev_release,
	.unlocked_ioctl = gh_dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = gh_dev_mmap,
	.llseek = noop_llseek,
};

static struct miscdevice gh_miscdev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "goheap",
	.fops = &gh_dev_fops,
};

/**
 * gh_dev_init() - create /dev/goheap for the default heap.
 *
 * Context: module init, after goheap_default_heap is set up.
 * Return: 0, -EINVAL for a dev_mode with bits beyond 0666, or the error of
 * misc_register().
 */
int gh_dev_init(void)
{
	if (dev_mode & ~0666U) {
		pr_err("dev_mode %#o: only read/write bits (0666) are allowed\n", dev_mode);
		return -EINVAL;
	}
	gh_dev_charge_init();
	gh_miscdev.mode = dev_mode;
	return misc_register(&gh_miscdev);
}

/**
 * gh_dev_exit() - remove /dev/goheap.
 *
 * Context: module exit.
 * Note: open files and mappings pin the module, and deferred spans hold
 * module references, so none of them exist here.
 */
void gh_dev_exit(void)
{
	misc_deregister(&gh_miscdev);
	gh_uspan_exit();
	gh_dev_charge_exit();
}
