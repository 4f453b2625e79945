/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The /dev/goheap calls the selftests share (goheap_dev_test.c,
 * goheap_charge_test.c): each returns 0 or -errno.
 */
#ifndef _GOHEAP_SELFTEST_DEV_H
#define _GOHEAP_SELFTEST_DEV_H

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include <linux/goheap.h>

/* ioctl() as 0 or -errno. */
static inline int gh_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

/* Allocate a span; its reply in @rep. */
static inline int span_alloc(int fd, __u64 npages, __u32 flags, struct goheap_span_alloc *rep)
{
	memset(rep, 0, sizeof(*rep));
	rep->npages = npages;
	rep->flags = flags;
	return gh_ioctl(fd, GOHEAP_IOC_SPAN_ALLOC, rep);
}

static inline int span_free(int fd, __u32 handle)
{
	struct goheap_span_free req = { .handle = handle };

	return gh_ioctl(fd, GOHEAP_IOC_SPAN_FREE, &req);
}

static inline int get_info(int fd, struct goheap_info *info)
{
	memset(info, 0, sizeof(*info));
	return gh_ioctl(fd, GOHEAP_IOC_GET_INFO, info);
}

/* Bytes charged to the calling task's user (GET_INFO), or ~0 on error. */
static inline __u64 user_charged(int fd)
{
	struct goheap_info info;

	return get_info(fd, &info) ? ~0ULL : info.user_charged;
}

#endif /* _GOHEAP_SELFTEST_DEV_H */
