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
# struct user_struct's locked_vm exists only in kernels built with one of the
# subsystems that charge it (6.1-7.x: NET, IO_URING, VFIO_PCI_ZDEV_KVM,
# IOMMUFD, SECRETMEM). The probe reads those options from the #if around the
# field in the kernel's own header and looks them up in its configuration,
# so a kernel that changes the list needs no change here: the field is there
# if the header has it outside any #if, or inside one whose options are set.
gh_hash := \#
gh_locked_vm_guard := $(shell sed -n -e '/^$(gh_hash)[[:space:]]*if/h' \
	-e '/^$(gh_hash)[[:space:]]*if/!H' -e '/^$(gh_hash)[[:space:]]*endif/{s/.*//;h;}' \
	-e '/atomic_long_t[[:space:]][[:space:]]*locked_vm;/{x;s/$$/ GH_FOUND/;p;q;}' \
	$(srctree)/include/linux/sched/user.h 2>/dev/null | grep -o 'CONFIG_[A-Za-z0-9_]*\|GH_FOUND')
gh_locked_vm_opts := $(filter CONFIG_%,$(gh_locked_vm_guard))
ccflags-y += $(if $(filter GH_FOUND,$(gh_locked_vm_guard)),$(if $(gh_locked_vm_opts),$(if \
	$(filter y m,$(foreach o,$(gh_locked_vm_opts),$($(o)))),-DGH_HAVE_USER_LOCKED_VM),-DGH_HAVE_USER_LOCKED_VM))
