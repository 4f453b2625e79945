#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# An experimenter's module (tools/testing/kmod/goheap_client.ko, built
# against the installed headers and goheap's Module.symvers) uses goheap
# through its exported API. It refuses to load if any of its own checks
# fails; while it is loaded goheap cannot be unloaded.
. /goheap/testlib.sh

check "insmod goheap.ko" insmod /goheap/goheap.ko
check "insmod goheap_client.ko (its API checks pass)" insmod /goheap/goheap_client.ko
dmesg | grep 'goheap_client: ' | sed 's/^/    /'
check "rmmod goheap refused while goheap_client uses it" sh -c '! rmmod goheap'
check "goheap still loaded" grep -q '^goheap ' /proc/modules
check "rmmod goheap_client" rmmod goheap_client
check "rmmod goheap" rmmod goheap
