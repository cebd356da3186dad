# The image of every service: MODULE names the Maven module (gateway, text-encoder-service, stage1-service,
# stage2-service or trainer-service) whose runnable jar, built on the host (mvn -B package -DskipTests), goes in.
# Context: the repository root; .dockerignore lets in only those jars and docker/. docker-compose.yml builds all five;
# by hand:  docker build --build-arg MODULE=stage2-service -t stackgan/stage2-service:cpu .
# BASE: Debian's image (scripts/docker-images.sh makes it locally where Docker Hub is unreachable), or the CUDA
# runtime that docker-compose.gpu.yml names (Ubuntu; not verified here: no GPU).
ARG BASE=debian:bookworm-slim
FROM ${BASE}

# Java 17 from the distribution's packages, in one layer that all five images share (it comes before MODULE).
# openjdk's post-install links its man page into /usr/share/man/man1, which slim images leave out.
RUN mkdir -p /usr/share/man/man1 \
 && apt-get update \
 && apt-get install -y --no-install-recommends openjdk-17-jre-headless \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /app --no-create-home stackgan \
 && install -d -o stackgan -g stackgan /app /models /data /runs /bundles /var/cache/djl
# /models ... /var/cache/djl: mount points of compose's volumes, owned by the service user so that a new named volume
# takes that owner

ARG MODULE
# the trainer trains on jemalloc (docs/trainer.md, "The native allocator")
RUN case "$MODULE" in \
      gateway|text-encoder-service|stage1-service|stage2-service) ;; \
      trainer-service) apt-get update && apt-get install -y --no-install-recommends libjemalloc2 \
                       && rm -rf /var/lib/apt/lists/* ;; \
      *) echo "build argument MODULE='$MODULE': expected gateway, text-encoder-service, stage1-service," \
              "stage2-service or trainer-service" >&2; exit 1 ;; \
    esac
COPY docker/entrypoint.sh scripts/with-jemalloc.sh /app/
COPY ${MODULE}/target/*.jar /app/app.jar
ENV STACKGAN_MODULE=${MODULE}
USER stackgan
WORKDIR /app
ENTRYPOINT ["/app/entrypoint.sh"]
