// SPDX-License-Identifier: GPL-2.0
/*
 * The one place goheap's trace events are created (trace.h).
 */
#define CREATE_TRACE_POINTS
#include "trace.h"
