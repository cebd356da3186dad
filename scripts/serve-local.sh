#!/usr/bin/env bash
# Starts the serving stack locally without Docker: text encoder (50051), Stage-I (50052), Stage-II (50053) and the
# gateway (HTTP 8080, gRPC 50050), on their embedded defaults; the model services answer health probes on HTTP
# 8081-8083. Builds the jars once, serves the bundle promoted in ./models, or the bundle shipped in the services'
# jars while none is promoted there, waits until the gateway is ready (GET /health/readiness), and stops everything
# on Ctrl-C. Logs: ./serve-local/logs/<service>.log.
#
#   ./scripts/serve-local.sh            # build, then serve
#   SKIP_BUILD=1 ./scripts/serve-local.sh   # reuse the jars of the last build
#   MODELS=/path/to/repository ./scripts/serve-local.sh
#   MAVEN_ARGS=-o ./scripts/serve-local.sh  # extra Maven arguments, e.g. offline
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
models=${MODELS:-$root/models}
logs=$root/serve-local/logs
http_port=8080
services=(text-encoder-service:50051 stage1-service:50052 stage2-service:50053 gateway:50050)

say() { echo "[serve-local] $*"; }
fail() { echo "[serve-local] ERROR: $*" >&2; exit 1; }

command -v java >/dev/null || fail "java not found on PATH: install a JDK 17 (e.g. apt-get install openjdk-17-jdk)"
java_major=$(java -XshowSettings:properties -version 2>&1 | sed -n 's/ *java.specification.version = //p')
[ "${java_major%%.*}" -ge 17 ] 2>/dev/null || fail "java is version $java_major; Java 17 or newer is needed"

port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for port in $http_port 8081 8082 8083 50050 50051 50052 50053; do
  if port_taken "$port"; then
    fail "port $port is already in use (by: $(ss -ltnpH "sport = :$port" 2>/dev/null | grep -o 'users:.*' || echo unknown));" \
         "stop that process (a previous serve-local?) and retry"
  fi
done

if [ -z "${SKIP_BUILD:-}" ]; then
  command -v mvn >/dev/null || fail "mvn not found on PATH: install Maven 3.8 or newer (or run with SKIP_BUILD=1 after a build)"
  say "building the gateway and the three model services (mvn package, tests skipped; first run takes minutes)"
  # The services are shaded, runnable jars; the model services carry the shipped default bundle. -am builds only the
  # libraries they use (no libtorch).
  # Maven's console library prints colour resets even with -B -q; sed drops them, pipefail keeps mvn's status.
  # shellcheck disable=SC2086
  mvn -B -q ${MAVEN_ARGS:-} -pl gateway,text-encoder-service,stage1-service,stage2-service -am \
      package -DskipTests 2>&1 | sed 's/\x1b\[[0-9;]*m//g'
  say "build done"
fi
jar_of() { ls "$1"/target/"$1"-*[0-9T].jar 2>/dev/null | head -1; }
for entry in "${services[@]}"; do
  module=${entry%%:*}
  [ -n "$(jar_of "$module")" ] || fail "$module/target has no jar: run without SKIP_BUILD first"
done

if [ -s "$models/CURRENT" ] && [ -n "$(tr -d '[:space:]' <"$models/CURRENT")" ]; then
  say "model repository $models: promoted bundle $(tr -d '[:space:]' <"$models/CURRENT")"
else
  say "no bundle promoted in $models: the model services serve the bundle shipped in their jars"
fi

mkdir -p "$logs"
pids=()
# the JVM flags the containers start the services with (comments and blank lines left out)
mapfile -t jvm_flags < <(grep -v -e '^#' -e '^$' "$root/docker/service-jvm-flags")
stop_all() {
  trap - INT TERM EXIT
  if [ ${#pids[@]} -gt 0 ]; then
    say "stopping ${#pids[@]} services"
    kill "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
  fi
  say "stopped"
}
trap stop_all INT TERM EXIT

# Class-data sharing: a service's first stop writes the classes it loaded into an archive that its later starts map
# instead of loading and verifying them again (Micronaut started in 5-8 s instead of 15-19 s, four JVMs on 2 cores;
# docs/operations.md, "Class-data sharing"). An archive holds only for the very jar file it was written with, and the
# build above rewrites the jars each time (byte for byte the same when nothing changed: the build is reproducible). So
# the services run from copies in serve-local/jars, replaced only when their jar changed, which makes the archive stale.
archives=$root/serve-local/class-archives
runnable=$root/serve-local/jars
mkdir -p "$archives" "$runnable"

for entry in "${services[@]}"; do
  IFS=: read -r module port <<<"$entry"
  jar=$runnable/$module.jar
  cmp -s "$(jar_of "$module")" "$jar" || cp "$(jar_of "$module")" "$jar"
  archive=$archives/$module.jsa
  if [ "$archive" -nt "$jar" ]; then
    archive_flags=("-XX:SharedArchiveFile=$archive") archive_note="its class archive"
  else
    rm -f "$archive"
    # -Xlog:cds=off: the notes on classes an archive cannot hold (old bytecode, failed verification) are not news
    archive_flags=("-XX:ArchiveClassesAtExit=$archive" -Xlog:cds=off)
    archive_note="no class archive yet: written when it stops"
  fi
  say "starting $module (gRPC $port; $archive_note), log $logs/$module.log"
  java "${jvm_flags[@]}" "${archive_flags[@]}" -Dstackgan.serving.model-repository="$models" -jar "$jar" \
    >"$logs/$module.log" 2>&1 &
  pids+=($!)
done

# Ready = the gateway's readiness: all three model services answer and serve one common bundle version.
# up to 300 s: each service warms up before it is ready, until its JIT is quiet (at most 120 s, docs/operations.md)
ready_limit=300
say "waiting for the stack to answer (up to $ready_limit s)"
for i in $(seq 1 "$ready_limit"); do
  for index in "${!pids[@]}"; do
    if ! kill -0 "${pids[$index]}" 2>/dev/null; then
      module=${services[$index]%%:*}
      tail -n 20 "$logs/$module.log" >&2
      fail "$module exited during start-up; its log is above ($logs/$module.log)"
    fi
  done
  if port_taken "$http_port" && ! command -v curl >/dev/null; then
    say "curl not found: the gateway is listening, but readiness of the models is not checked"
    break
  elif port_taken "$http_port"; then
    status=$(curl -s -o "$logs/ready-check.json" -w '%{http_code}' "localhost:$http_port/health/readiness" || true)
    if [ "$status" = 200 ]; then
      version=$(grep -o '"model_version" *: *"[^"]*"' "$logs/ready-check.json" | sed 's/.*"\([^"]*\)"$/\1/')
      if grep -q "serving the shipped default bundle $version\$" "$logs/text-encoder-service.log"; then
        say "serving bundle $version: the default shipped in the jars (no bundle promoted in $models)"
      else
        say "serving bundle $version from $models"
      fi
      break
    fi
  fi
  [ "$i" -lt "$ready_limit" ] || fail "the stack did not answer within $ready_limit s; see $logs"
  [ $((i % 10)) -ne 0 ] || say "still waiting (${i} s; gateway HTTP: ${status:-not listening})"
  sleep 1
done

say "serving: web page http://localhost:$http_port/ | gRPC localhost:50050 (stackgan.v1.GatewayService)"
say "try: curl -X POST localhost:$http_port/v1/images -H 'Content-Type: application/json' -d '{\"prompt\":\"a small bird with a red crown\",\"n\":2,\"seed\":7,\"stage\":2}'"
say "press Ctrl-C to stop"
wait
