#!/usr/bin/env bash
# Runs a command (a JVM that trains with libtorch) on jemalloc keeping its freed memory in the process for a while:
#   scripts/with-jemalloc.sh java -jar trainer-service/target/trainer-service-0.1.0-SNAPSHOT-all.jar serve
# Under glibc every training step zero-fills its tensors and takes fresh pages from the kernel, several times slower
# (docs/trainer.md, "The native allocator"). Without libjemalloc2 the command still runs, slower, and says so.
set -euo pipefail
library=""
for candidate in "${JEMALLOC_LIBRARY:-}" /usr/lib/x86_64-linux-gnu/libjemalloc.so.2 \
                 /usr/lib/aarch64-linux-gnu/libjemalloc.so.2 /usr/lib64/libjemalloc.so.2 /usr/lib/libjemalloc.so.2; do
  if [ -n "$candidate" ] && [ -f "$candidate" ]; then library=$candidate; break; fi
done
if [ -z "$library" ]; then
  echo "[stackgan] libjemalloc.so.2 not found (Debian: apt-get install libjemalloc2; or set JEMALLOC_LIBRARY):" \
       "training runs on glibc with zero-filled allocations, several times slower" >&2
  exec "$@"
fi
export LD_PRELOAD="$library${LD_PRELOAD:+:$LD_PRELOAD}"
# zero:true: a reused block can still hold stale bytes that oneDNN's kernels read (a NaN at step 0 of the compose
# test's Stage-II; docs/trainer.md, "NaN gradients"). It costs: jemalloc zeroes large blocks by handing them back to
# the kernel, so pages fault in again every step (a small Stage-I step 3x slower). MALLOC_CONF=zero:false in the
# environment turns it off (later options win) for speed, with the divergence guard skipping any NaN update.
# Freed pages stay 10 s (a step reuses the last step's pages) and then go back to the kernel (background thread), so
# fragmentation cannot pile up: with decay off (-1) a demo run grew to 22 GB and was OOM-killed. oversize_threshold:0
# keeps large tensors in the ordinary arenas: jemalloc's separate arena for blocks over 8 MiB purges at once whenever
# decay is on, and every step would fault its pages in again (docs/trainer.md, "The native allocator").
# thp:always and THP_MEM_ALLOC_ENABLE=1 (libtorch's CPU allocator: 2 MiB-aligned blocks of 2 MiB and more) ask for
# transparent huge pages (madvise), so a block that faults in again costs one fault per 2 MiB instead of 512: on this
# virtual machine each fault is a trip to the hypervisor, and a small Stage-II step spent a third of its time in the
# kernel. With them zero:true costs a small Stage-II step about 1.2x instead of 1.8x (docs/benchmarks.md section 7).
export THP_MEM_ALLOC_ENABLE="${THP_MEM_ALLOC_ENABLE:-1}"
export MALLOC_CONF="dirty_decay_ms:10000,muzzy_decay_ms:0,oversize_threshold:0,background_thread:true,thp:always,zero:true${MALLOC_CONF:+,$MALLOC_CONF}"
exec "$@"
