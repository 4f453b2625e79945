/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every kernel-version difference goheap depends on, in one place.
 *
 * goheap builds against Linux 6.1 (Debian 12) through 7.x, on x86-64 and
 * arm64 (4 KiB and 64 KiB pages), with and without PREEMPT_RT. Where a
 * later kernel changed an API that goheap, its KUnit suites, or the
 * client and stress modules use, the difference is wrapped here and
 * nowhere else:
 *
 *   6.3   vm_flags_set()/vm_flags_clear() replace writing vma->vm_flags
 *         directly: gh_vm_flags_set(), gh_vm_flags_clear()
 *         (GH_HAVE_VM_FLAGS_SET).
 *   6.4   MAX_ORDER became the largest order instead of one past it, and
 *   6.8   was renamed MAX_PAGE_ORDER: GH_MAX_PAGE_ORDER, derived from
 *         MAX_ORDER_NR_PAGES, which every version defines as the pages of
 *         the largest block.
 *   6.7   shrinker_alloc()/shrinker_register()/shrinker_free() replace an
 *         embedded struct shrinker with register_shrinker():
 *         gh_shrinker_create(), gh_shrinker_destroy(), gh_shrinker_priv()
 *         (GH_HAVE_SHRINKER_ALLOC).
 *   6.10  __assign_str() in a trace event takes only the field, its
 *         source being the one __string() named: gh_assign_heap_name()
 *         (GH_HAVE_ASSIGN_STR_1).
 *   6.13  MODULE_IMPORT_NS() and EXPORT_SYMBOL_NS_GPL() take the namespace
 *         as a string: GH_NS() (GH_HAVE_NS_STRING).
 *   7.x   x86's clear_page() became clear_pages(), an alternative of
 *         __clear_pages_unrolled() and friends, callable from a module;
 *         before, the variants clear_page_erms()/_rep()/_orig() were to be
 *         picked by hand (objtool refuses the alternative call in a
 *         module): gh_clear_page() (GH_HAVE_CLEAR_PAGES). Other
 *         architectures call clear_page().
 *   6.13  hrtimer_setup() replaces hrtimer_init() plus setting ->function,
 *         and 6.15 removed hrtimer_init(): gh_hrtimer_setup()
 *         (GH_HAVE_HRTIMER_SETUP).
 *   6.17  workqueues say whether they are per-CPU: WQ_PERCPU, else the
 *         kernel warns and assumes it. GH_WQ_PERCPU is WQ_PERCPU where it
 *         exists and 0 (the old per-CPU default) before
 *         (GH_HAVE_WQ_PERCPU).
 *
 * One difference is of configuration, not version: struct user_struct has
 * locked_vm, the per-user count of locked pages that io_uring, AF_XDP,
 * MSG_ZEROCOPY, memfd_secret(), iommufd and s390's zPCI charge against
 * RLIMIT_MEMLOCK, only in kernels built with one of them (the list of
 * options is the #if around the field; the probe reads it from the header,
 * GH_HAVE_USER_LOCKED_VM). /dev/goheap charges it where it exists, and
 * otherwise a count of its own, which nothing else could have shared:
 * gh_user_locked_vm().
 *
 * One internal interface is used too, only on kernels with generic KASAN:
 * kasan_poison(), exported by mm/kasan/shadow.c but declared only in
 * mm/kasan/kasan.h, which sets the shadow of a range to one value, as the
 * slab allocators do for their objects (GH_HAVE_KASAN_POISON: the
 * declaration was found with the 6.1 signature). Without it goheap's
 * objects are simply not poisoned.
 *
 * The GH_HAVE_* macros come from kmod/compat.mk, included by every Kbuild
 * file of the project, which looks for each API in the headers of the
 * kernel being built against, so no version numbers (and no distribution
 * backports) need to be guessed. No other file tests a kernel version or
 * whether a symbol exists.
 *
 * This header is a leaf: it includes only kernel headers.
 */
#ifndef _GOHEAP_COMPAT_H
#define _GOHEAP_COMPAT_H

#include <linux/hrtimer.h>
#include <linux/kasan.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/module.h>
#include <linux/sched/user.h>
#include <linux/shrinker.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#ifdef CONFIG_X86_64
#include <asm/cpufeature.h>
#endif

/* === Page allocator === */

/* Largest order alloc_pages() accepts: 10 on x86-64 (4 MiB). */
#define GH_MAX_PAGE_ORDER	ilog2(MAX_ORDER_NR_PAGES)

/* Clear one page, as the page allocator would (used by the benchmark). */
static inline void gh_clear_page(void *page)
{
#if defined(CONFIG_X86_64) && !defined(GH_HAVE_CLEAR_PAGES)
	if (boot_cpu_has(X86_FEATURE_ERMS))
		clear_page_erms(page);
	else if (boot_cpu_has(X86_FEATURE_REP_GOOD))
		clear_page_rep(page);
	else
		clear_page_orig(page);
#else
	clear_page(page);
#endif
}

/* === VMA flags, from an ->mmap handler (mmap_lock held for writing) === */

static inline void gh_vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
#ifdef GH_HAVE_VM_FLAGS_SET
	vm_flags_set(vma, flags);
#else
	vma->vm_flags |= flags;
#endif
}

static inline void gh_vm_flags_clear(struct vm_area_struct *vma, vm_flags_t flags)
{
#ifdef GH_HAVE_VM_FLAGS_SET
	vm_flags_clear(vma, flags);
#else
	vma->vm_flags &= ~flags;
#endif
}

/* === Per-user locked memory === */

/*
 * The count of @user's locked pages that RLIMIT_MEMLOCK is checked
 * against: user_struct's locked_vm, shared with every other subsystem that
 * charges it; or, in a kernel built without all of them, @own, goheap's
 * own count for the user.
 */
static inline atomic_long_t *gh_user_locked_vm(struct user_struct *user, atomic_long_t *own)
{
#ifdef GH_HAVE_USER_LOCKED_VM
	return &user->locked_vm;
#else
	return own;
#endif
}

/* === Symbol namespaces === */

/*
 * A namespace as MODULE_IMPORT_NS() and EXPORT_SYMBOL_NS_GPL() take it:
 * MODULE_IMPORT_NS(GH_NS(GOHEAP_INTERNAL)).
 */
#ifdef GH_HAVE_NS_STRING
#define GH_NS(ns)	#ns
#else
#define GH_NS(ns)	ns
#endif

/* === Workqueues === */

#ifdef GH_HAVE_WQ_PERCPU
#define GH_WQ_PERCPU	WQ_PERCPU
#else
#define GH_WQ_PERCPU	0
#endif

/* === High-resolution timers === */

static inline void gh_hrtimer_setup(struct hrtimer *timer,
				    enum hrtimer_restart (*fn)(struct hrtimer *),
				    clockid_t clock, enum hrtimer_mode mode)
{
#ifdef GH_HAVE_HRTIMER_SETUP
	hrtimer_setup(timer, fn, clock, mode);
#else
	hrtimer_init(timer, clock, mode);
	timer->function = fn;
#endif
}

/* === Shrinkers === */

typedef unsigned long (*gh_shrink_fn)(struct shrinker *, struct shrink_control *);

#ifndef GH_HAVE_SHRINKER_ALLOC

/* Before 6.7 a shrinker is embedded by its user and has no private data. */
struct gh_shrinker {
	struct shrinker s;
	void *priv;
};

static inline void *gh_shrinker_priv(struct shrinker *s)
{
	return container_of(s, struct gh_shrinker, s)->priv;
}

static inline struct gh_shrinker *gh_shrinker_create(const char *name, gh_shrink_fn count,
						     gh_shrink_fn scan, void *priv)
{
	struct gh_shrinker *gs = kzalloc(sizeof(*gs), GFP_KERNEL);
	int err;

	if (!gs)
		return ERR_PTR(-ENOMEM);
	gs->priv = priv;
	gs->s.count_objects = count;
	gs->s.scan_objects = scan;
	gs->s.seeks = DEFAULT_SEEKS;
	err = register_shrinker(&gs->s, "goheap-%s", name);
	if (err) {
		kfree(gs);
		return ERR_PTR(err);
	}
	return gs;
}

static inline void gh_shrinker_destroy(struct gh_shrinker *gs)
{
	unregister_shrinker(&gs->s);
	kfree(gs);
}

#else

/* Since 6.7 the shrinker is allocated by the kernel; gh_shrinker is it. */
struct gh_shrinker;

static inline void *gh_shrinker_priv(struct shrinker *s)
{
	return s->private_data;
}

static inline struct gh_shrinker *gh_shrinker_create(const char *name, gh_shrink_fn count,
						     gh_shrink_fn scan, void *priv)
{
	struct shrinker *s = shrinker_alloc(0, "goheap-%s", name);

	if (!s)
		return ERR_PTR(-ENOMEM);
	s->count_objects = count;
	s->scan_objects = scan;
	s->private_data = priv;
	shrinker_register(s);
	return (struct gh_shrinker *)s;
}

static inline void gh_shrinker_destroy(struct gh_shrinker *gs)
{
	shrinker_free((struct shrinker *)gs);
}

#endif

/* === KASAN shadow === */

#if defined(CONFIG_KASAN_GENERIC) && defined(GH_HAVE_KASAN_POISON)
#define GH_KASAN 1
void kasan_poison(const void *addr, size_t size, u8 value, bool init);

/* Shadow granule and the values goheap writes (from mm/kasan/kasan.h). */
#define GH_KASAN_GRANULE	BIT(KASAN_SHADOW_SCALE_SHIFT)
#define GH_KASAN_PAGE_FREE	0xFF	/* reported as use-after-free */
#define GH_KASAN_REDZONE	0xFC	/* reported as slab-out-of-bounds */
#define GH_KASAN_OBJ_FREE	0xFB	/* reported as use-after-free */

/* Make @size bytes at granule-aligned @p inaccessible, reported as @why. */
static inline void gh_kasan_poison(const void *p, size_t size, u8 why)
{
	kasan_poison(p, round_up(size, GH_KASAN_GRANULE), why, false);
}

/* Make exactly @size bytes at granule-aligned @p accessible. */
static inline void gh_kasan_unpoison(const void *p, size_t size)
{
	size_t whole = round_down(size, GH_KASAN_GRANULE);

	kasan_poison(p, whole, 0, false);
	if (size != whole)
		kasan_poison(p + whole, GH_KASAN_GRANULE, size - whole, false);
}
#else
#define GH_KASAN 0
static inline void gh_kasan_poison(const void *p, size_t size, u8 why) { }
static inline void gh_kasan_unpoison(const void *p, size_t size) { }
#define GH_KASAN_PAGE_FREE	0
#define GH_KASAN_REDZONE	0
#define GH_KASAN_OBJ_FREE	0
#endif

/*
 * For trace.h's TP_fast_assign(): fill the field "heap" that every event
 * declares with __string(heap, h->name), from the event's argument h.
 */
#ifdef GH_HAVE_ASSIGN_STR_1
#define gh_assign_heap_name()	__assign_str(heap)
#else
#define gh_assign_heap_name()	__assign_str(heap, h->name)
#endif

#endif /* _GOHEAP_COMPAT_H */
