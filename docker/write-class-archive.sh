#!/bin/sh
# Run once while the image is built (the root Dockerfile): starts the serving module's jar, stops it once Micronaut
# reports it started, and keeps the classes it loaded in /app/app.jsa, a class-data sharing archive that
# entrypoint.sh hands every later start. Those starts map the classes instead of loading and verifying them from the
# jar: Micronaut started in 5-8 s instead of 15-19 s with four JVMs on 2 cores (docs/operations.md, "Class-data
# sharing"). The warm-up is off here: the gateway's waits for stages that an image build does not have.
set -eu
log=/tmp/write-class-archive.log
: >"$log" # exists before the loop below reads it: the background redirection may not have run yet
# shellcheck disable=SC2046 # one word per flag
java $(grep -v -e '^#' -e '^$' /app/service-jvm-flags) -XX:ArchiveClassesAtExit=/app/app.jsa -Xlog:cds=off \
  -Dstackgan.serving.warm-up.enabled=false -jar /app/app.jar >"$log" 2>&1 &
pid=$!
waited=0
until grep -q 'Startup completed' "$log"; do
  if ! kill -0 "$pid" 2>/dev/null || [ "$waited" -ge 600 ]; then
    cat "$log" >&2
    echo "write-class-archive: $STACKGAN_MODULE did not start within 120 s; its output is above" >&2
    kill "$pid" 2>/dev/null || true
    exit 1
  fi
  sleep 0.2
  waited=$((waited + 1))
done
# the archive is written as the JVM exits
kill -TERM "$pid"
wait "$pid" || true
test -s /app/app.jsa || { cat "$log" >&2; echo "write-class-archive: no /app/app.jsa was written" >&2; exit 1; }
# a start maps an archive it cannot use silently, without it: -Xshare:on fails instead
java -Xshare:on -XX:SharedArchiveFile=/app/app.jsa -cp /app/app.jar -version 2>/dev/null \
  || { echo "write-class-archive: java cannot map /app/app.jsa with /app/app.jar" >&2; exit 1; }
rm -f "$log"
echo "write-class-archive: $STACKGAN_MODULE's class archive /app/app.jsa, $(du -k /app/app.jsa | cut -f1) KiB"
