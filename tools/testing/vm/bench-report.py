#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the raw output of "make bench" into a report with charts.

Usage: bench-report.py DIR

Reads DIR/raw/*.txt (one file per guest boot: the bench= lines the module
goheap_bench printed, see kmod/bench/harness.c, plus the bench=host line
bench.sh adds) and writes DIR/report.md: the performance targets with the
figures that judge them, then goheap / baseline ratio tables with the raw
figures, every ratio computed from figures of one boot. Charts (SVG and
PNG) are drawn with gnuplot into DIR; their data and scripts go to
DIR/charts/.

Exit status: 0 if a report was written, 1 if there was nothing to report.
"""

import math
import os
import re
import shutil
import subprocess
import sys

FIELD_RE = re.compile(r'(\w+)=("[^"]*"|\S*)')

# Native magnitudes from Documentation/../shared notes (perf.md §6/§8), in
# ns, to show how much emulation inflates each primitive. None: no anchor.
NATIVE_NS = {
    'local_irq_save_restore': (9.4, 'Brouer 2015, 37 cyc @ 4 GHz'),
    'atomic_inc': (4.0, 'uncontended atomic, ClickHouse PR #109283'),
    'cmpxchg_double': (4.3, 'lock cmpxchg ~17 cyc @ 4 GHz (LLVM Btver2 model)'),
    'clear_page': (300.0, '13.7 GB/s at 4 KiB chunks, AMD Milan'),
}


def parse_line(line):
    """One bench= line as a dict of its fields (quotes stripped)."""
    return {k: v.strip('"') for k, v in FIELD_RE.findall(line)}


class Boot:
    """Everything one guest boot printed."""

    def __init__(self, path):
        self.label = os.path.basename(path)[:-len('.txt')]
        self.host = {}
        self.info = {}
        self.rows = []
        self.jobs = []
        self.leak = None
        with open(path) as f:
            for line in f:
                d = parse_line(line)
                kind = d.get('bench')
                if kind == 'host':
                    self.host = d
                elif kind == 'info':
                    self.info = d
                elif kind == 'job':
                    self.jobs.append(d)
                elif kind == 'leakcheck':
                    self.leak = d.get('heap_objects')
                elif kind and kind != 'boot':
                    self.rows.append(d)

    @property
    def cpus(self):
        return int(self.info.get('cpus', self.host.get('guest_cpus', 0)) or 0)

    @property
    def init(self):
        return self.info.get('init_on_alloc', '?')

    @property
    def kernel_order(self):
        """Kernels oldest first, by version."""
        return tuple(int(x) for x in re.findall(r'\d+', self.kernel)[:3])

    @property
    def kernel(self):
        return self.info.get('kernel', self.host.get('kernel', '?'))

    @property
    def title(self):
        return '%s, %s CPUs, init_on_alloc=%s' % (self.kernel, self.cpus, self.init)

    @property
    def key(self):
        return (self.kernel, self.cpus, self.init)

    def find(self, bench, **want):
        """Rows of a workload whose fields match want (values as strings)."""
        out = []
        for r in self.rows:
            if r.get('bench') != bench:
                continue
            if all(r.get(k) == str(v) for k, v in want.items()):
                out.append(r)
        return out

    def one(self, bench, field, **want):
        rows = self.find(bench, **want)
        if not rows or field not in rows[0]:
            return None
        try:
            return float(rows[0][field])
        except ValueError:
            return None

    def failed_jobs(self):
        return [j for j in self.jobs if j.get('status') != '0']


def fmt(v, digits=1):
    if v is None:
        return '–'
    if abs(v) >= 100000:
        return '%.0f' % v
    return '%.*f' % (digits, v)


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def cell(g, b):
    """'ratio (goheap / baseline)' for one table cell."""
    r = ratio(g, b)
    if r is None:
        return '–'
    return '**%.2f** (%s / %s)' % (r, fmt(g), fmt(b))


def geomean(vals):
    vals = [v for v in vals if v]
    if not vals:
        return None
    return math.exp(sum(math.log(v) for v in vals) / len(vals))


def table(head, rows):
    out = ['| ' + ' | '.join(head) + ' |',
           '|' + '|'.join(['---'] * len(head)) + '|']
    for r in rows:
        out.append('| ' + ' | '.join(r) + ' |')
    return '\n'.join(out) + '\n'


def sizes_of(boots, bench, field='size', **want):
    vals = set()
    for b in boots:
        for r in b.find(bench, **want):
            if field in r:
                vals.add(int(r[field]))
    return sorted(vals)


# -- the judged targets ------------------------------------------------------

def pair_ratios(b, base='kmalloc', maxsize=1024):
    out = {}
    for s in sizes_of([b], 'pair', alloc='goheap'):
        if s > maxsize:
            continue
        r = ratio(b.one('pair', 'ns_per_op', alloc='goheap', size=s),
                  b.one('pair', 'ns_per_op', alloc=base, size=s))
        if r:
            out[s] = r
    return out


def batch_ratios(b, base='kmalloc', maxsize=1024):
    out = {}
    for r in b.find('batch', alloc='goheap'):
        if int(r['size']) > maxsize:
            continue
        k = (int(r['size']), int(r['batch']), r['order'])
        g = float(r['ns_per_op'])
        bb = b.one('batch', 'ns_per_op', alloc=base, size=k[0], batch=k[1], order=k[2])
        if bb:
            out[k] = g / bb
    return out


def crosscpu_ratio(b):
    return ratio(b.one('crosscpu', 'frees_per_sec', alloc='goheap'),
                 b.one('crosscpu', 'frees_per_sec', alloc='kmalloc'))


def span_ratios(b, maxpages=8, alloc='goheap'):
    out = {}
    for r in b.find('spans', alloc=alloc):
        p = int(r['pages'])
        if p > maxpages:
            continue
        out[p] = ratio(float(r['ns_per_op']),
                       b.one('spans', 'ns_per_op', alloc='pages', pages=p))
    return out


def scaling_eff(b, alloc):
    rows = b.find('scaling', alloc=alloc)
    if not rows:
        return None, None
    by_n = {int(r['threads']): float(r['ops_per_sec_per_cpu']) for r in rows}
    n = max(by_n)
    return n, ratio(by_n[n], by_n.get(1))


def memory(b, alloc, phase, field):
    return b.one('memory', field, alloc=alloc, phase=phase)


def verdict(ok):
    if ok is None:
        return 'no data'
    return 'met' if ok else '**missed**'


def targets_section(boots):
    out = ['## Performance targets\n',
           'Judged per boot, on ratios of figures from that boot. "worst" is '
           'the least favourable case for goheap, "geomean" the geometric '
           'mean over the cases.\n']
    head = ['target'] + [b.title for b in boots]
    rows = []

    r = ['pair ≤ 1 KiB: goheap ≤ 0.8 × kmalloc']
    for b in boots:
        pr = pair_ratios(b)
        if pr:
            worst = max(pr.items(), key=lambda kv: kv[1])
            r.append('%s: worst %.2f (%d B), geomean %.2f' %
                     (verdict(worst[1] <= 0.8), worst[1], worst[0], geomean(pr.values())))
        else:
            r.append('no data')
    rows.append(r)

    r = ['batch ≤ 1 KiB: goheap ≤ 0.8 × kmalloc']
    for b in boots:
        br = batch_ratios(b)
        if br:
            worst = max(br.items(), key=lambda kv: kv[1])
            best = min(br.values())
            r.append('%s: worst %.2f (%d B, N=%d, %s), best %.2f, geomean %.2f' %
                     (verdict(worst[1] <= 0.8), worst[1], worst[0][0], worst[0][1],
                      worst[0][2], best, geomean(br.values())))
        else:
            r.append('no data')
    rows.append(r)

    r = ['cross-CPU frees/s: goheap ≥ 1.0 × kmalloc']
    for b in boots:
        cr = crosscpu_ratio(b)
        r.append('%s: %.2f' % (verdict(cr >= 1.0), cr) if cr else 'no data')
    rows.append(r)

    r = ['spans of 1–8 heap pages: goheap ≤ 0.5 × alloc_pages (default heap; '
         'in brackets an empty private heap)']
    for b in boots:
        sr = {p: v for p, v in span_ratios(b).items() if v}
        er = {p: v for p, v in span_ratios(b, alloc='goheap_empty').items() if v}
        if sr:
            worst = max(sr.items(), key=lambda kv: kv[1])
            txt = '%s: worst %.2f (%d pages), geomean %.2f' % (
                verdict(worst[1] <= 0.5), worst[1], worst[0], geomean(sr.values()))
            if er:
                ew = max(er.items(), key=lambda kv: kv[1])
                txt += ' (empty heap: worst %.2f (%d pages), geomean %.2f)' % (
                    ew[1], ew[0], geomean(er.values()))
            r.append(txt)
        else:
            r.append('no data')
    rows.append(r)

    r = ['scaling: goheap per-CPU ops/s at all CPUs ≥ 0.9 × at 1 CPU']
    for b in boots:
        n, e = scaling_eff(b, 'goheap')
        kn, ke = scaling_eff(b, 'kmalloc')
        if e:
            r.append('%s: %.2f at %d CPUs (kmalloc: %s; goheap ÷ kmalloc efficiency %s)' %
                     (verdict(e >= 0.9), e, n, fmt(ke, 2), fmt(ratio(e, ke), 2)))
        else:
            r.append('no data')
    rows.append(r)

    r = ['memory: goheap pages held at peak ≤ SLUB\'s']
    for b in boots:
        g = memory(b, 'goheap', 'peak', 'held')
        k = memory(b, 'kmalloc', 'peak', 'held')
        rr = ratio(g, k)
        r.append('%s: %.2f (%.1f / %.1f MiB)' % (verdict(rr <= 1.0), rr, g / 2**20, k / 2**20)
                 if rr else 'no data')
    rows.append(r)

    r = ['memory: goheap held after free-all + reclaim ≤ 5 % of peak']
    for b in boots:
        g = memory(b, 'goheap', 'peak', 'held')
        a = memory(b, 'goheap', 'after_reclaim', 'held')
        f = memory(b, 'goheap', 'after_free', 'held')
        rr = ratio(a, g)
        r.append('%s: %.1f %% (before reclaim: %.1f %%)' %
                 (verdict(rr <= 0.05), 100 * rr, 100 * ratio(f, g)) if rr is not None
                 else 'no data')
    rows.append(r)
    out.append(table(head, rows))
    return '\n'.join(out)


# -- the detailed tables -----------------------------------------------------

def pair_section(boots):
    out = ['## pair: alloc+free of one object\n',
           'Each cell: **goheap ÷ baseline** (goheap ns / baseline ns per '
           'alloc+free pair, emulated). Median of 5–20 timed chunks. '
           'kmem_cache is a cache created for that size (not merged); pages '
           'is `__get_free_pages` of the covering order.\n']
    head = ['size', 'baseline'] + [b.title for b in boots]
    rows = []
    for s in sizes_of(boots, 'pair', alloc='goheap'):
        for base in ('kmalloc', 'kmem_cache', 'pages'):
            if not any(b.find('pair', alloc=base, size=s) for b in boots):
                continue
            rows.append([str(s), base] +
                        [cell(b.one('pair', 'ns_per_op', alloc='goheap', size=s),
                              b.one('pair', 'ns_per_op', alloc=base, size=s)) for b in boots])
    out.append(table(head, rows))
    return '\n'.join(out)


def batch_section(boots):
    out = ['## batch: allocate N, then free N\n',
           'ns per object (one alloc + one free), goheap ÷ kmalloc and goheap '
           '÷ kmem_cache.\n']
    head = ['size', 'N', 'free order', 'baseline'] + [b.title for b in boots]
    rows = []
    keys = set()
    for b in boots:
        for r in b.find('batch', alloc='goheap'):
            keys.add((int(r['size']), int(r['batch']), r['order']))
    order_rank = {'lifo': 0, 'fifo': 1, 'random': 2}
    for s, n, o in sorted(keys, key=lambda k: (k[0], k[1], order_rank.get(k[2], 9))):
        for base in ('kmalloc', 'kmem_cache'):
            rows.append([str(s), str(n), o, base] +
                        [cell(b.one('batch', 'ns_per_op', alloc='goheap', size=s, batch=n, order=o),
                              b.one('batch', 'ns_per_op', alloc=base, size=s, batch=n, order=o))
                         for b in boots])
    out.append(table(head, rows))
    return '\n'.join(out)


def bulk_section(boots):
    out = ['## bulk: goheap_alloc_bulk/free_bulk vs kmem_cache_alloc_bulk/free_bulk\n',
           'ns per object, goheap ÷ kmem_cache.\n']
    head = ['size', 'N'] + [b.title for b in boots]
    rows = []
    keys = set()
    for b in boots:
        for r in b.find('bulk', alloc='goheap'):
            keys.add((int(r['size']), int(r['batch'])))
    for s, n in sorted(keys):
        rows.append([str(s), str(n)] +
                    [cell(b.one('bulk', 'ns_per_op', alloc='goheap', size=s, batch=n),
                          b.one('bulk', 'ns_per_op', alloc='kmem_cache', size=s, batch=n))
                     for b in boots])
    out.append(table(head, rows))
    return '\n'.join(out)


def spans_section(boots):
    out = ['## spans: page-heap spans vs alloc_pages and vmalloc\n',
           'One span alloc+free (heap pages of %s B) vs `__get_free_pages` of the '
           'order that covers the same bytes, and vmalloc of the exact size where '
           'no order gives it. "goheap" is the default heap as the workloads before '
           'left it (its chunks shared with small-object spans); "goheap_empty" a '
           'private heap holding nothing else. Spans are cleared when init_on_alloc '
           'is on, as the buddy allocator clears pages, so each boot compares like '
           'with like.\n' % (boots[0].info.get('heap_page_size', '?') if boots else '?')]
    head = ['heap pages', 'bytes', 'goheap', 'baseline'] + [b.title for b in boots]
    rows = []
    for p in sizes_of(boots, 'spans', field='pages', alloc='goheap'):
        nbytes = next((r['bytes'] for b in boots for r in b.find('spans', alloc='goheap', pages=p)),
                      '?')
        for base in ('pages', 'vmalloc'):
            if not any(b.find('spans', alloc=base, pages=p) for b in boots):
                continue
            label = base
            if base == 'pages':
                order = next((r['order'] for b in boots for r in b.find('spans', alloc=base, pages=p)),
                             '?')
                label = 'pages (order %s)' % order
            for g in ('goheap', 'goheap_empty'):
                if not any(b.find('spans', alloc=g, pages=p) for b in boots):
                    continue
                rows.append([str(p), nbytes, g, label] +
                            [cell(b.one('spans', 'ns_per_op', alloc=g, pages=p),
                                  b.one('spans', 'ns_per_op', alloc=base, pages=p))
                             for b in boots])
    out.append(table(head, rows))
    return '\n'.join(out)


def spanscale_section(boots):
    out = ['## spanscale: span cost against the heap\'s size\n',
           'One span of 1–8 heap pages (sizes cycling) allocated and freed on '
           'a private heap that already holds L live spans of 1–8 pages: one, '
           'or about 16 MiB, 256 MiB and 4 GiB of them (a row the guest\'s '
           'memory cannot hold is skipped). "packed": the live spans fill the '
           'heap from the start; "holes": a one-page free hole follows every '
           'live span, so spans of two pages or more fit none of the holes. '
           'Emulated ns (or guest instructions) per alloc+free, and the cost '
           'relative to L = 1.\n']
    head = ['layout', 'live spans L', 'chunks', 'heap MiB'] + [b.title for b in boots]
    rows = []
    for layout in ('packed', 'holes'):
        for live in sizes_of(boots, 'spanscale', field='live', layout=layout):
            found = [r for b in boots for r in b.find('spanscale', layout=layout, live=live)
                     if 'chunks' in r]
            chunks = found[0]['chunks'] if found else 'skipped'
            heap = found[0].get('heap_mib', '?') if found else '–'
            cells = []
            for b in boots:
                v = b.one('spanscale', 'ns_per_op', layout=layout, live=live)
                v1 = b.one('spanscale', 'ns_per_op', layout=layout, live=1)
                cells.append('%s (×%.2f)' % (fmt(v), v / v1) if v and v1 else '–')
            rows.append([layout, str(live), chunks, heap] + cells)
    out.append(table(head, rows))
    return '\n'.join(out)


def crosscpu_section(boots):
    out = ['## cross-CPU: producers allocate, consumers on other CPUs free\n',
           'Frees per second summed over the consumers (xmalloc-test style, '
           '64 B objects through a 1024-slot ring per producer/consumer pair), '
           'median of the repetitions; goheap ÷ baseline, higher is better for '
           'goheap.\n']
    head = ['baseline'] + [b.title for b in boots]
    rows = []
    for base in ('kmalloc', 'kmem_cache'):
        rows.append([base] + [cell(b.one('crosscpu', 'frees_per_sec', alloc='goheap'),
                                   b.one('crosscpu', 'frees_per_sec', alloc=base)) for b in boots])
    out.append(table(head, rows))
    return '\n'.join(out)


def scaling_section(boots):
    out = ['## scaling: every CPU doing 64 B alloc+free pairs\n',
           'ops/s per CPU with 1 … all guest CPUs busy (median of the '
           'repetitions), and each allocator\'s per-CPU throughput relative to '
           'its own single-CPU figure. The host has %s cores shared with other '
           'work, so a 4-CPU guest cannot scale past 2 for any allocator: '
           'compare the allocators\' efficiencies, not their absolute values.\n' %
           (boots[0].host.get('host_cores', '?') if boots else '?')]
    head = ['threads', 'allocator'] + [b.title for b in boots]
    rows = []
    for n in sizes_of(boots, 'scaling', field='threads', alloc='goheap'):
        for a in ('goheap', 'kmalloc', 'kmem_cache'):
            cells = []
            for b in boots:
                v = b.one('scaling', 'ops_per_sec_per_cpu', alloc=a, threads=n)
                v1 = b.one('scaling', 'ops_per_sec_per_cpu', alloc=a, threads=1)
                cells.append('%s (%.2f)' % (fmt(v, 0), v / v1) if v and v1 else '–')
            rows.append([str(n), a] + cells)
    out.append(table(head, rows))
    return '\n'.join(out)


def memory_section(boots):
    slots = boots[0].one('memory', 'objs', alloc='goheap', phase='peak') if boots else None
    slots = '%d' % slots if slots else 'N'
    out = ['## memory efficiency: churn with a realistic size mix\n',
           '%s slots filled, then 4 × %s random replacements; sizes ' % (slots, slots) +
           'log-normal-ish between 8 B and 1 KiB (most 64–256 B) plus 0.2 % '
           'large objects of 33–128 KiB, the same sequence for both '
           'allocators. held = goheap HeapSys − HeapReleased of a private heap '
           '(whole chunks, 2 MiB by default, so free pages inside a chunk count until they are '
           'released; HeapInuse counts only the pages in spans), or the slab pages '
           'SLUB gained (NR_SLAB_UNRECLAIMABLE_B, per-CPU deltas included, '
           'kmalloc caches emptied first). peak = most held at any sample '
           '(every 256 operations). reclaim = gh_reclaim() (what the shrinker '
           'does) for goheap, kmem_cache_shrink() of the kmalloc caches for '
           'SLUB.\n']
    head = ['figure'] + [b.title for b in boots]
    rows = []

    def mib(v):
        return '–' if v is None else '%.2f MiB' % (v / 2**20)
    for label, alloc, phase, field in (
            ('requested at goheap\'s peak', 'goheap', 'peak', 'requested'),
            ('goheap held at peak', 'goheap', 'peak', 'held'),
            ('goheap HeapInuse (pages in spans) at peak', 'goheap', 'peak', 'inuse'),
            ('goheap Sys (with metadata) at peak', 'goheap', 'peak', 'sys'),
            ('requested at SLUB\'s peak', 'kmalloc', 'peak', 'requested'),
            ('SLUB held at peak', 'kmalloc', 'peak', 'held'),
            ('goheap held after free-all', 'goheap', 'after_free', 'held'),
            ('SLUB held after free-all', 'kmalloc', 'after_free', 'held'),
            ('goheap held after reclaim', 'goheap', 'after_reclaim', 'held'),
            ('SLUB held after shrink', 'kmalloc', 'after_reclaim', 'held')):
        rows.append([label] + [mib(memory(b, alloc, phase, field)) for b in boots])
    rows.append(['goheap ÷ SLUB held at peak'] +
                [cell(memory(b, 'goheap', 'peak', 'held'), memory(b, 'kmalloc', 'peak', 'held'))
                 .split(' (')[0] for b in boots])
    rows.append(['held ÷ requested at peak: goheap / SLUB'] +
                ['%s / %s' % (fmt(ratio(memory(b, 'goheap', 'peak', 'held'),
                                        memory(b, 'goheap', 'peak', 'requested')), 2),
                              fmt(ratio(memory(b, 'kmalloc', 'peak', 'held'),
                                        memory(b, 'kmalloc', 'peak', 'requested')), 2))
                 for b in boots])
    out.append(table(head, rows))
    return '\n'.join(out)


def calibration_section(boots):
    out = ['## calibration: what emulation does to each primitive\n',
           'Emulated ns per operation (loop included; the empty loop is the '
           'first row). Where a native figure is known (from the research '
           'notes), the inflation factor emulated ÷ native follows in '
           'brackets: TCG inflates primitives unevenly, which is why only '
           'same-boot ratios are quoted.\n']
    head = ['primitive', 'native ns'] + [b.title for b in boots]
    ops = []
    for b in boots:
        for r in b.find('calibration'):
            if r.get('op') not in ops:
                ops.append(r.get('op'))
    rows = []
    for op in ops:
        native = NATIVE_NS.get(op)
        cells = []
        for b in boots:
            v = b.one('calibration', 'ns_per_op', op=op)
            if v is not None and native:
                cells.append('%s (×%.0f)' % (fmt(v), v / native[0]))
            else:
                cells.append(fmt(v))
        rows.append([op, '%s (%s)' % (native[0], native[1]) if native else '–'] + cells)
    out.append(table(head, rows))
    return '\n'.join(out)


# -- charts -------------------------------------------------------------------

def gnuplot(outdir, name, script, datafiles):
    """Write data and a script to outdir/charts, render name.svg and name.png."""
    cdir = os.path.join(outdir, 'charts')
    os.makedirs(cdir, exist_ok=True)
    for fname, text in datafiles.items():
        with open(os.path.join(cdir, fname), 'w') as f:
            f.write(text)
    made = []
    for term, ext in (('svg size 900,560 dynamic font "sans,12"', 'svg'),
                      ('pngcairo size 900,560 font "sans,10"', 'png')):
        gp = os.path.join(cdir, '%s.%s.gp' % (name, ext))
        with open(gp, 'w') as f:
            f.write('set terminal %s noenhanced\nset output "../%s.%s"\n%s\n' %
                    (term, name, ext, script))
        res = subprocess.run(['gnuplot', os.path.basename(gp)], cwd=cdir,
                             capture_output=True, text=True)
        if res.returncode == 0:
            made.append('%s.%s' % (name, ext))
        else:
            sys.stderr.write('bench-report: gnuplot %s: %s\n' % (gp, res.stderr.strip()))
    return made


def q(s):
    return s.replace('"', '')


SIZE_XTICS = ('set xtics ("8 B" 8, "64 B" 64, "512 B" 512, "4 KiB" 4096, '
              '"32 KiB" 32768, "256 KiB" 262144, "1 MiB" 1048576)')


def charts(outdir, boots):
    if not shutil.which('gnuplot'):
        sys.stderr.write('bench-report: gnuplot not found, no charts (make deps)\n')
        return []
    made = []

    # Pair ratio goheap / kmalloc by size, one line per boot.
    data, plots = {}, []
    for i, b in enumerate(boots):
        lines = []
        for s in sizes_of([b], 'pair', alloc='goheap'):
            r = ratio(b.one('pair', 'ns_per_op', alloc='goheap', size=s),
                      b.one('pair', 'ns_per_op', alloc='kmalloc', size=s))
            if r:
                lines.append('%d %.4f' % (s, r))
        fname = 'pair-ratio-%s.dat' % b.label
        data[fname] = '\n'.join(lines) + '\n'
        plots.append('"%s" using 1:2 with linespoints lw 2 title "%s"' % (fname, q(b.title)))
    if plots:
        script = '\n'.join([
            'set title "pair: goheap ÷ kmalloc, cost of alloc+free by size (same-boot ratio, QEMU TCG)"',
            'set logscale x 2', SIZE_XTICS, 'set xlabel "object size"',
            'set ylabel "goheap ÷ kmalloc (lower is better)"', 'set grid', 'set key bottom left',
            'set yrange [0:*]',
            'plot ' + ', '.join(plots + ['0.8 with lines dt 2 lc rgb "red" title "target 0.8 (≤ 1 KiB)"',
                                         '1 with lines dt 3 lc rgb "gray" title "parity"'])])
        made += gnuplot(outdir, 'pair-ratio', script, data)

    # Pair absolute cost by size per boot.
    for b in boots:
        data, plots = {}, []
        for a in ('goheap', 'kmalloc', 'kmem_cache', 'pages'):
            lines = ['%s %s' % (r['size'], r['ns_per_op'])
                     for r in sorted(b.find('pair', alloc=a), key=lambda r: int(r['size']))]
            if not lines:
                continue
            fname = 'pair-%s-%s.dat' % (b.label, a)
            data[fname] = '\n'.join(lines) + '\n'
            plots.append('"%s" using 1:2 with linespoints lw 2 title "%s"' % (fname, a))
        if plots:
            script = '\n'.join([
                'set title "pair: alloc+free cost by size, %s (emulated ns, QEMU TCG)"' % q(b.title),
                'set logscale x 2', 'set logscale y', SIZE_XTICS, 'set xlabel "object size"',
                'set ylabel "emulated ns per alloc+free"', 'set grid', 'set key top left',
                'plot ' + ', '.join(plots)])
            made += gnuplot(outdir, 'pair-%s' % b.label, script, data)

    # Scaling efficiency: per-CPU ops/s relative to one CPU.
    data, plots = {}, []
    for b in boots:
        for a, dt in (('goheap', 1), ('kmalloc', 2)):
            rows = sorted(b.find('scaling', alloc=a), key=lambda r: int(r['threads']))
            one = next((float(r['ops_per_sec_per_cpu']) for r in rows if r['threads'] == '1'), None)
            if not rows or not one:
                continue
            fname = 'scaling-%s-%s.dat' % (b.label, a)
            data[fname] = '\n'.join('%s %.4f %s' % (r['threads'],
                                                    float(r['ops_per_sec_per_cpu']) / one,
                                                    r['ops_per_sec_per_cpu'])
                                    for r in rows) + '\n'
            plots.append('"%s" using 1:2 with linespoints lw 2 dt %d title "%s, %s"' %
                         (fname, dt, a, q(b.title)))
    if plots:
        script = '\n'.join([
            'set title "scaling: per-CPU throughput of 64 B pairs ÷ single-CPU throughput (QEMU TCG)"',
            'set xlabel "CPUs busy"', 'set ylabel "per-CPU ops/s ÷ 1-CPU ops/s"',
            'set xtics 1', 'set grid', 'set key bottom left', 'set yrange [0:1.3]',
            'plot ' + ', '.join(plots + ['0.9 with lines dt 2 lc rgb "red" title "target 0.9"'])])
        made += gnuplot(outdir, 'scaling', script, data)

    # Span cost against live spans.
    data, plots = {}, []
    for b in boots:
        for layout, dt in (('packed', 1), ('holes', 2)):
            rows = sorted((r for r in b.find('spanscale', layout=layout) if 'ns_per_op' in r),
                          key=lambda r: int(r['live']))
            if not rows:
                continue
            fname = 'spanscale-%s-%s.dat' % (b.label, layout)
            data[fname] = '\n'.join('%s %s' % (r['live'], r['ns_per_op']) for r in rows) + '\n'
            plots.append('"%s" using 1:2 with linespoints lw 2 dt %d title "%s, %s"' %
                         (fname, dt, layout, q(b.title)))
    if plots:
        script = '\n'.join([
            'set title "span alloc+free against live spans in the heap (emulated ns, QEMU TCG)"',
            'set logscale x 2', 'set xlabel "live spans L"', 'set ylabel "emulated ns per alloc+free"',
            'set grid', 'set key top left', 'set yrange [0:*]', 'plot ' + ', '.join(plots)])
        made += gnuplot(outdir, 'spanscale', script, data)
    return made


# -- the report -----------------------------------------------------------------

def main():
    if len(sys.argv) != 2:
        sys.stderr.write('usage: bench-report.py DIR\n')
        return 2
    outdir = sys.argv[1]
    rawdir = os.path.join(outdir, 'raw')
    paths = sorted(os.path.join(rawdir, f) for f in os.listdir(rawdir) if f.endswith('.txt')) \
        if os.path.isdir(rawdir) else []
    boots = [Boot(p) for p in paths]
    boots = [b for b in boots if b.rows]
    boots.sort(key=lambda b: (b.kernel_order, b.cpus, b.init))
    if not boots:
        sys.stderr.write('bench-report: no results in %s\n' % rawdir)
        return 1

    made = charts(outdir, boots)
    h = boots[0].host
    if 'icount' in h.get('accel', ''):
        mode = ('**Deterministic mode** (`make bench-icount`): QEMU with `-icount shift=0` '
                '(single-threaded TCG, no KVM), where the guest clock advances exactly 1 ns '
                'per guest instruction executed. Every "ns" figure below is therefore a count '
                'of guest instructions, the same from run to run on the same build and '
                'independent of host load; it says nothing of cache misses or of how '
                'expensive each instruction is. Multi-CPU figures (cross-CPU, scaling) '
                'interleave the vCPUs on one host thread and are not meaningful here. Use '
                'the ratios to cross-check those of `make bench`.\n')
    else:
        mode = ('**All timings are emulated**: every figure comes from a QEMU guest under '
                'software emulation (TCG, `-accel tcg,thread=multi -cpu max`, no KVM), where '
                'absolute times are inflated, and unevenly so per primitive (see the '
                'calibration table: an allocation pair costs hundreds of emulated ns against '
                '10–20 ns natively). Only ratios of figures measured in the same boot are '
                'quoted as results, and each boot states its `init_on_alloc` setting.\n')
    out = ['# goheap benchmark report\n', mode,
           '- Host: %s, %s cores (shared with other work), QEMU %s, %s' %
           (h.get('host_cpu', '?'), h.get('host_cores', '?'), h.get('qemu', '?'), h.get('date', '?')),
           "- Guest kernels (SLUB; 7.3's gives every cache, kmalloc's too, per-CPU sheaves): "
           '%s; heap page size %s B; '
           'goheap source tree %s' %
           (', '.join(sorted({b.kernel for b in boots}, key=lambda k: k)),
            boots[0].info.get('heap_page_size', '?'), h.get('tree', '?')),
           '- Boots: ' + '; '.join('%s (`%s`)' % (b.title, b.label) for b in boots),
           '- Raw lines: `raw/<boot>.txt`; reproduce with `make bench` '
           '(see Documentation/benchmarks.rst).\n']
    problems = []
    for b in boots:
        for j in b.failed_jobs():
            problems.append('%s: workload %s failed (status %s)' % (b.label, j.get('workload'),
                                                                    j.get('status')))
        if b.leak not in (None, '0'):
            problems.append('%s: %s objects left in the default heap' % (b.label, b.leak))
    if problems:
        out.append('**Problems:** ' + '; '.join(problems) + '\n')
    out.append(targets_section(boots))
    if made:
        out.append('## Charts\n')
        for name in [m for m in made if m.endswith('.svg')]:
            out.append('![%s](%s)\n' % (name[:-4], name))
    for section in (pair_section, batch_section, bulk_section, spans_section,
                    spanscale_section, crosscpu_section, scaling_section, memory_section,
                    calibration_section):
        out.append(section(boots))
    with open(os.path.join(outdir, 'report.md'), 'w') as f:
        f.write('\n'.join(out))
    return 0


if __name__ == '__main__':
    sys.exit(main())
