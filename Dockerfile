# The image of every service: MODULE names the Maven module (gateway, text-encoder-service, stage1-service,
# stage2-service or trainer-service) whose runnable jar, built on the host (mvn -B package -DskipTests), goes in.
# Context: the repository root; .dockerignore lets in only those jars and docker/. docker-compose.yml builds all five;
# by hand:  docker build --build-arg MODULE=stage2-service -t stackgan/stage2-service:cpu .
# BASE: Debian's image (scripts/docker-images.sh makes it locally where Docker Hub is unreachable), or the CUDA
# runtime that docker-compose.gpu.yml names (Ubuntu; not verified here: no GPU).
ARG BASE=debian:bookworm-slim

# Java 17 cut to the modules the five services use (jlink; jdeps on their jars, plus what they load by reflection):
# 63 MB where Debian's openjdk-17-jre-headless takes 225 MB with its dependencies. Made on BASE so that it fits that
# image's C library; runtime-packages lists the distribution's packages its native libraries link (ldd, dpkg -S),
# leaving out the X11 window, splash screen and sound libraries that a headless server never loads.
# --generate-cds-archive: the JDK's class-data sharing archive (12 MB), which a jlink image otherwise lacks; every
# JVM start maps the JDK's classes from it, and the services' own archives (write-class-archive.sh) build on it.
# classes_nocoops.jsa, its twin for heaps over 32 GB, goes.
FROM ${BASE} AS jre
RUN mkdir -p /usr/share/man/man1 \
 && apt-get update \
 && apt-get install -y --no-install-recommends openjdk-17-jdk-headless
RUN jlink --output /opt/java --generate-cds-archive --strip-java-debug-attributes --no-man-pages --no-header-files \
      --compress=2 --add-modules \
      java.base,java.compiler,java.desktop,java.instrument,java.management,java.naming,java.net.http,java.rmi,\
java.security.jgss,java.sql,jdk.crypto.ec,jdk.jfr,jdk.management,jdk.unsupported,jdk.zipfs \
 && ls /opt/java/lib/*.so /opt/java/lib/server/*.so | grep -v -e xawt -e splashscreen -e jsound | xargs -n1 ldd \
    | awk '$2 == "=>" && $3 ~ /^\// { print $3 }' | sort -u \
    | while read -r lib; do dpkg -S "$lib" || dpkg -S "/usr$lib" || dpkg -S "${lib#/usr}"; done 2>/dev/null \
    | cut -d: -f1 | sort -u > /opt/java/runtime-packages \
 && test -s /opt/java/runtime-packages \
 && rm /opt/java/lib/server/classes_nocoops.jsa

FROM ${BASE}
# in layers that all five images share (they come before MODULE)
COPY --from=jre /opt/java /opt/java
RUN apt-get update \
 && xargs apt-get install -y --no-install-recommends < /opt/java/runtime-packages \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /app --no-create-home stackgan \
 && install -d -o stackgan -g stackgan /app /models /data /runs /bundles /var/cache/djl
# /models ... /var/cache/djl: mount points of compose's volumes, owned by the service user so that a new named volume
# takes that owner
ENV JAVA_HOME=/opt/java PATH=/opt/java/bin:$PATH

ARG MODULE
# the trainer trains on jemalloc (docs/trainer.md, "The native allocator")
RUN case "$MODULE" in \
      gateway|text-encoder-service|stage1-service|stage2-service) ;; \
      trainer-service) apt-get update && apt-get install -y --no-install-recommends libjemalloc2 \
                       && rm -rf /var/lib/apt/lists/* ;; \
      *) echo "build argument MODULE='$MODULE': expected gateway, text-encoder-service, stage1-service," \
              "stage2-service or trainer-service" >&2; exit 1 ;; \
    esac
COPY docker/entrypoint.sh docker/service-jvm-flags docker/write-class-archive.sh scripts/with-jemalloc.sh /app/
COPY ${MODULE}/target/*.jar /app/app.jar
ENV STACKGAN_MODULE=${MODULE}
USER stackgan
WORKDIR /app
# the serving modules' class-data sharing archive, /app/app.jsa (the trainer starts seldom and trains for hours)
RUN [ "$MODULE" = trainer-service ] || /app/write-class-archive.sh
ENTRYPOINT ["/app/entrypoint.sh"]
