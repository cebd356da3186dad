#!/usr/bin/env bash
# Runs the benchmark harness (dev.stackgan.benchmarks.Benchmarks): prints each table and writes
# docs/benchmarks.md. Builds the harness (tools/benchmarks) and the serving jars first (package, nothing installed);
# the serving sections start the four services as child processes on free ports (logs: tools/benchmarks/target/bench/).
#
#   scripts/benchmark.sh                                  # sections 1,4,5,2,3,6,7; presets small and paper
#   scripts/benchmark.sh --sections 1,4 --presets small   # a subset
#   scripts/benchmark.sh --sections 2,7 --comparisons stage2-instances   # section 7's serving rows: some stacks
#   SKIP_BUILD=1 scripts/benchmark.sh                     # reuse the last build
#   MAVEN_ARGS=-o scripts/benchmark.sh                    # extra Maven arguments, e.g. offline
#   scripts/benchmark.sh --help                           # every option
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
fail() { echo "[benchmark] ERROR: $*" >&2; exit 1; }
command -v java >/dev/null || fail "java not found on PATH: install a JDK 17"

# The harness runs from its shaded jar (all its runtime dependencies inside): no dependency plugin is needed, whose
# own dependencies an offline Maven repository may lack.
harness=tools/benchmarks/target/benchmarks-0.1.0-SNAPSHOT-all.jar
if [ -z "${SKIP_BUILD:-}" ]; then
  command -v mvn >/dev/null || fail "mvn not found on PATH: install Maven 3.9 (or run with SKIP_BUILD=1 after a build)"
  echo "[benchmark] building the harness and the four serving jars (package, tests skipped; nothing installed)"
  # Maven's console library prints colour resets even with -B -q; sed drops them, pipefail keeps mvn's status.
  # shellcheck disable=SC2086
  mvn -B -q ${MAVEN_ARGS:-} -pl tools/benchmarks,gateway,text-encoder-service,stage1-service,stage2-service -am \
      package -DskipTests 2>&1 | sed 's/\x1b\[[0-9;]*m//g'
fi
[ -s "$harness" ] || fail "$harness is missing: run without SKIP_BUILD first"

exec "$root/scripts/with-jemalloc.sh" java -Dai.djl.offline=true -Xmx6g -jar "$harness" "$@"
