# SPDX-License-Identifier: GPL-2.0
#
# Kernel API probes for compat.h, included by every Kbuild file of the
# project (kmod/, kmod/tests/, tools/testing/kmod/): each looks for an API in
# the headers of the kernel being built against ($(srctree)) rather than
# compare version numbers, and defines GH_HAVE_<NAME> when it is there.
# compat.h says what each one changes.

gh_have = $(if $(shell grep -qs '$(2)' $(srctree)/$(1) && echo y),-DGH_HAVE_$(3))

ccflags-y += $(call gh_have,include/linux/shrinker.h,shrinker_alloc,SHRINKER_ALLOC)
ccflags-y += $(call gh_have,include/linux/mm.h,vm_flags_set,VM_FLAGS_SET)
ccflags-y += $(call gh_have,include/linux/hrtimer.h,void hrtimer_setup.struct hrtimer,HRTIMER_SETUP)
ccflags-y += $(call gh_have,include/linux/workqueue.h,WQ_PERCPU[[:space:]]*=,WQ_PERCPU)
# 6.13: "define MODULE_IMPORT_NS(ns) MODULE_INFO(import_ns, ns)", no __stringify.
ccflags-y += $(call gh_have,include/linux/module.h,define MODULE_IMPORT_NS(ns)[[:space:]]*MODULE_INFO(import_ns$(comma) ns),NS_STRING)
ccflags-y += $(call gh_have,arch/x86/include/asm/page_64.h,__clear_pages_unrolled,CLEAR_PAGES)
# Only in a full source tree (a KASAN kernel's build tree), never in headers.
ccflags-y += $(call gh_have,mm/kasan/kasan.h,^void kasan_poison(const void \*addr$(comma) size_t size$(comma) u8 value$(comma) bool init);,KASAN_POISON)
# 6.10: "#define __assign_str(dst)", the source taken from __string().
ccflags-y += $(call gh_have,include/trace/stages/stage6_event_callback.h,define __assign_str(dst)[[:space:]],ASSIGN_STR_1)
