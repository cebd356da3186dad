#!/bin/sh
# Entry point of the suite's image (the root Dockerfile): runs the module's jar. The trainer runs on jemalloc
# (scripts/with-jemalloc.sh) with DJL offline (libtorch comes from its jar, never downloaded) and serves when given
# no command; other commands are its CLI, e.g. train --spec FILE. The serving modules start with the JVM flags of
# docker/service-jvm-flags and their class-data sharing archive.
set -eu
if [ "$STACKGAN_MODULE" = trainer-service ]; then
  [ "$#" -gt 0 ] || set -- serve
  exec /app/with-jemalloc.sh java -Dai.djl.offline=true -jar /app/app.jar "$@"
fi
# the serving JVMs' flags (service-jvm-flags: comments and blank lines left out), one word each, and the class
# archive the image build wrote (write-class-archive.sh)
# shellcheck disable=SC2046
exec java $(grep -v -e '^#' -e '^$' /app/service-jvm-flags) -XX:SharedArchiveFile=/app/app.jsa -jar /app/app.jar "$@"
