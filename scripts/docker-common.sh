# Sourced by the docker scripts: the compose command of this machine, "docker compose" (v2) or docker-compose (v1).
if docker compose version >/dev/null 2>&1; then
  COMPOSE=(docker compose)
elif command -v docker-compose >/dev/null; then
  COMPOSE=(docker-compose)
else
  echo "neither 'docker compose' nor docker-compose is installed (Debian: apt-get install docker-compose)" >&2
  exit 1
fi
