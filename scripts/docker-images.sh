#!/usr/bin/env bash
# Builds the suite's Docker images from the jars built on the host, also on a machine that cannot reach Docker Hub:
#   mvn -B -q package -DskipTests && scripts/docker-images.sh && docker compose up -d
# 1. starts dockerd (as root) when no engine answers;
# 2. debian:bookworm-slim, the images' base: pulled, or where Docker Hub is unreachable made locally with debootstrap
#    and docker import, trimmed and configured like the official slim image;
# 3. PostgreSQL: the official postgres:15, or where it cannot be pulled stackgan/postgres:15 built from Debian's
#    postgresql-15 (docker/postgres/); the choice goes into .env as STACKGAN_POSTGRES_IMAGE, which compose reads;
# 4. the five service images through compose's build (the root Dockerfile, MODULE per service).
# COMPOSE_FILE selects other compose files as usual; DEBIAN_MIRROR the mirror debootstrap uses.
set -euo pipefail
cd "$(dirname "$0")/.."

MODULES=(gateway text-encoder-service stage1-service stage2-service trainer-service)
BASE_IMAGE=debian:bookworm-slim
started=$SECONDS

say() { echo "[docker-images $((SECONDS - started))s] $*"; }
die() { echo "[docker-images] $*" >&2; exit 1; }

# The jars first: nothing else is worth doing without them.
for module in "${MODULES[@]}"; do
  pattern="$module/target/$module-*.jar"
  [ "$module" = trainer-service ] && pattern="$module/target/$module-*-all.jar"
  # shellcheck disable=SC2206 # the pattern is meant to glob
  jars=($pattern)
  [ -f "${jars[0]}" ] || die "no $pattern: build the jars on the host first (mvn -B -q package -DskipTests)"
  [ "${#jars[@]}" = 1 ] || die "several jars match $pattern (${jars[*]}): remove the stale ones (mvn clean)"
done

command -v docker >/dev/null || die "the docker command is missing (Debian: apt-get install docker.io)"
if ! docker info >/dev/null 2>&1; then
  command -v dockerd >/dev/null || die "no Docker engine answers and dockerd is not installed (Debian: apt-get install docker.io)"
  [ "$(id -u)" = 0 ] || die "no Docker engine answers; start one (sudo dockerd, or systemctl start docker)"
  say "no Docker engine answers: starting dockerd (log /var/log/stackgan-dockerd.log)"
  nohup dockerd > /var/log/stackgan-dockerd.log 2>&1 &
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
  docker info >/dev/null 2>&1 || die "dockerd did not answer within 60 s: see /var/log/stackgan-dockerd.log"
fi

source scripts/docker-common.sh

# Made like the official image (debuerreotype's slim variant): no docs, man pages or translations, now or from later
# installs; apt's lists and caches empty; bookworm, its updates and security updates in the sources.
make_debian_base() {
  command -v debootstrap >/dev/null || die "$BASE_IMAGE cannot be pulled and debootstrap is missing (apt-get install debootstrap)"
  [ "$(id -u)" = 0 ] || die "$BASE_IMAGE cannot be pulled; making it with debootstrap needs root"
  local rootfs
  rootfs=$(mktemp -d /var/tmp/stackgan-debian.XXXXXX)
  # shellcheck disable=SC2064 # expand now: rootfs is local
  trap "rm -rf '$rootfs'" EXIT
  debootstrap --variant=minbase bookworm "$rootfs" "${DEBIAN_MIRROR:-http://deb.debian.org/debian}" > "$rootfs.log" \
    || die "debootstrap failed: see $rootfs.log"
  rm -f "$rootfs.log"
  cat > "$rootfs/etc/dpkg/dpkg.cfg.d/docker" <<'DPKG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
DPKG
  cat > "$rootfs/etc/apt/apt.conf.d/docker-clean" <<'APT'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
Acquire::Languages "none";
APT
  rm -f "$rootfs/etc/apt/sources.list"
  cat > "$rootfs/etc/apt/sources.list.d/debian.sources" <<'SOURCES'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
  (cd "$rootfs" && rm -rf var/cache/apt/* var/lib/apt/lists/* usr/share/man/* usr/share/info/* usr/share/groff/* \
     usr/share/lintian/* && find usr/share/doc -mindepth 1 ! -type d ! -name copyright -delete \
     && find usr/share/locale -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +)
  tar -C "$rootfs" -c . | docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' --change 'CMD ["bash"]' \
    --change 'LABEL org.opencontainers.image.description="Debian bookworm made by scripts/docker-images.sh (debootstrap)"' \
    - "$BASE_IMAGE" > /dev/null
  rm -rf "$rootfs"
  trap - EXIT
}

if docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
  say "$BASE_IMAGE is there"
elif docker pull -q "$BASE_IMAGE" >/dev/null 2>&1; then
  say "pulled $BASE_IMAGE"
else
  say "$BASE_IMAGE cannot be pulled (no Docker Hub?): making it with debootstrap"
  make_debian_base
  say "made $BASE_IMAGE"
fi

postgres_image=postgres:15
if docker image inspect "$postgres_image" >/dev/null 2>&1 || docker pull -q "$postgres_image" >/dev/null 2>&1; then
  say "PostgreSQL: $postgres_image"
else
  postgres_image=stackgan/postgres:15
  say "postgres:15 cannot be pulled: building $postgres_image from Debian's postgresql-15 (docker/postgres/)"
  docker build -q -f docker/postgres/Dockerfile -t "$postgres_image" . > /dev/null
fi
# compose reads .env beside docker-compose.yml; other settings in it stay as they are
touch .env
sed -i '/^STACKGAN_POSTGRES_IMAGE=/d' .env
echo "STACKGAN_POSTGRES_IMAGE=$postgres_image" >> .env

say "building the service images (${COMPOSE[*]} build)"
# compose interpolates the whole file even to build, and the secrets have no default (.env.example); no image holds
# a secret, so the build gets placeholders where neither the shell nor .env has them yet
STACKGAN_DB_PASSWORD=${STACKGAN_DB_PASSWORD:-unused-by-the-build} \
  STACKGAN_MANAGEMENT_TOKEN=${STACKGAN_MANAGEMENT_TOKEN:-unused-by-the-build} "${COMPOSE[@]}" build
say "done:"
docker image ls --format '{{.Repository}}:{{.Tag}}  {{.Size}}' | grep -E "^(stackgan/|$postgres_image|$BASE_IMAGE)" | sort
