#!/usr/bin/env bash
# The whole suite in containers, as docker-compose.yml runs it, from the images scripts/docker-images.sh built:
#  1. up: the gateway, the three model services, the trainer and PostgreSQL; all healthy; the serving JVMs on their
#     class archives
#  2. a 256 px PNG through the gateway's published HTTP port
#  3. only the gateway publishes ports, 8080 and 50050
#  4. Stage-II's process killed: the gateway answers 503, then the restart policy brings Stage-II back
#  5. a tiny training run in the trainer container (synthetic birds; text encoder, Stage-I, Stage-II), its bundle
#     exported and promoted: the serving containers hot-swap to it
#  6. down -v: no container, volume or network of the test's compose project left (also when a step fails)
# As root (step 4 kills a container's process from the host), with curl. Took 145-270 s here, on one core.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/docker-common.sh

export COMPOSE_PROJECT_NAME=stackgantest
PROJECT_LABEL=com.docker.compose.project=$COMPOSE_PROJECT_NAME
URL='http://127.0.0.1:8080/v1/images.png?prompt=a+small+bird+with+a+red+crown+and+black+wings&seed=7&stage=2'
started=$SECONDS
step_started=$SECONDS
current_step=""
work=$(mktemp -d)

step() {
  [ -z "$current_step" ] || echo "[compose-test] step ${current_step%%.*} took $((SECONDS - step_started)) s"
  current_step=$1
  step_started=$SECONDS
  echo "[compose-test $((SECONDS - started))s] $*"
}
fail() { echo "[compose-test] FAILED: $*" >&2; exit 1; }
SERVICES=(gateway text-encoder stage1 stage2 trainer postgres)
declare -A CONTAINER  # service -> container id, after up
compose() { "${COMPOSE[@]}" "$@"; }
# a CLI JVM in the trainer container, without JAVA_TOOL_OPTIONS (the service's 8 GB heap; a client needs none)
trainer_java() { docker exec "${CONTAINER[trainer]}" env -u JAVA_TOOL_OPTIONS java "$@"; }

finish() {
  local rc=$?
  set +e
  if [ "$rc" != 0 ]; then
    echo "[compose-test] the containers and their last log lines:"
    compose ps
    compose logs --no-color --tail=30
  fi
  echo "[compose-test] down -v"
  compose down -v --remove-orphans -t 10 > "$work/down.log" 2>&1 || cat "$work/down.log"
  local left
  left=$(docker ps -aq --filter "label=$PROJECT_LABEL"; docker volume ls -q --filter "label=$PROJECT_LABEL";
         docker network ls -q --filter "label=$PROJECT_LABEL")
  rm -rf "$work"
  if [ -n "$left" ]; then
    echo "[compose-test] FAILED: left behind after down -v: $left" >&2
    rc=1
  fi
  echo "[compose-test] $([ "$rc" = 0 ] && echo PASSED || echo FAILED) in $((SECONDS - started)) s"
  exit "$rc"
}
trap finish EXIT

# Fetches $URL into $work/image.png; prints the HTTP status (000: no answer).
fetch() { curl -s -o "$work/image.png" -D "$work/headers" -w '%{http_code}' --max-time 90 "$URL" || true; }
model_version() { tr -d '\r' < "$work/headers" | sed -n 's/^[Xx]-[Mm]odel-[Vv]ersion: //p'; }
# "WIDTHxHEIGHT" from the PNG's header chunk, or fails when the body is no PNG
png_size() {
  [ "$(od -An -tx1 -N8 "$work/image.png" | tr -d ' \n')" = 89504e470d0a1a0a ] || fail "the answer is not a PNG"
  od -An -tu1 -j16 -N8 "$work/image.png" | awk '{ printf "%dx%d", $3 * 256 + $4, $7 * 256 + $8 }'
}

# The test project's secrets, new each run: compose has no default for them (.env.example). The shell's values win
# over .env, which keeps only what scripts/docker-images.sh wrote there; the trainer CLI in step 5 reads the token
# from its container's environment.
random_secret() { head -c 24 /dev/urandom | base64 | tr '+/' '-_'; }
STACKGAN_DB_PASSWORD=$(random_secret)
STACKGAN_MANAGEMENT_TOKEN=$(random_secret)
export STACKGAN_DB_PASSWORD STACKGAN_MANAGEMENT_TOKEN
echo "[compose-test] project $COMPOSE_PROJECT_NAME, ${COMPOSE[*]}"
# what an interrupted earlier run may have left
compose down -v --remove-orphans -t 5 > /dev/null 2>&1 || true
for port in 8080 50050; do
  if (exec 3<> "/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    fail "port $port is taken on this machine; the gateway publishes it"
  fi
done
for image in $(compose config | sed -n 's/^    image: //p'); do
  docker image inspect "$image" >/dev/null 2>&1 || fail "no image $image: build the images first (scripts/docker-images.sh)"
done

step "1. up: gateway, text-encoder, stage1, stage2, trainer, postgres; waiting until every one is healthy"
compose up -d --no-build
for service in "${SERVICES[@]}"; do
  CONTAINER[$service]=$(compose ps -q "$service")
done
deadline=$((SECONDS + 420))
while :; do
  states=""
  for service in "${SERVICES[@]}"; do
    states+="$service=$(docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}' \
      "${CONTAINER[$service]}") "
  done
  case "$states" in *unhealthy*|*exited*|*dead*) fail "a service failed to start: $states" ;; esac
  [ "$(grep -o '=healthy' <<< "$states" | wc -l)" = 6 ] && break
  [ "$SECONDS" -lt "$deadline" ] || fail "not healthy within 420 s: $states"
  sleep 2
done
echo "$states"
# a JVM that cannot map the class archive its image build wrote starts without it, silently: look for it
for service in gateway text-encoder stage1 stage2; do
  docker exec "${CONTAINER[$service]}" grep -q /app/app.jsa /proc/1/maps \
    || fail "$service's JVM (PID 1) has not mapped its class archive /app/app.jsa"
done
echo "the four serving JVMs run on their class archives"

step "2. a 256 px PNG through the published gateway port"
deadline=$((SECONDS + 120))
# healthy means listening; the model services may still be loading their bundle (409 until then)
until [ "$(fetch)" = 200 ]; do
  [ "$SECONDS" -lt "$deadline" ] || fail "no image within 120 s: HTTP $(fetch), $(cat "$work/image.png")"
  sleep 2
done
size=$(png_size)
default_version=$(model_version)
[ "$size" = 256x256 ] || fail "expected a 256x256 PNG, got $size"
echo "PNG $size, model version $default_version"

step "3. only the gateway publishes ports"
for service in "${SERVICES[@]}"; do
  published=$(docker port "${CONTAINER[$service]}" | sed 's/.*:\([0-9]*\)$/\1/' | sort -nu | tr '\n' ' ')
  echo "$service: ${published:-none}"
  expected=""
  [ "$service" = gateway ] && expected="8080 50050 "
  [ "$published" = "$expected" ] || fail "$service publishes '${published}', expected '${expected}'"
done

step "4. Stage-II killed: 503, then back through the restart policy"
stage2=${CONTAINER[stage2]}
restarts=$(docker inspect -f '{{.RestartCount}}' "$stage2")
killed=$SECONDS
kill -9 "$(docker inspect -f '{{.State.Pid}}' "$stage2")"
codes=""
deadline=$((SECONDS + 240))
while :; do
  code=$(fetch)
  [ "${codes##* }" = "$code" ] || codes+=" $code"
  [ "$code" = 200 ] && break
  [ "$SECONDS" -lt "$deadline" ] || fail "Stage-II not back within 240 s; HTTP statuses seen:$codes"
  sleep 0.5
done
echo "HTTP statuses after the kill:$codes; images again after $((SECONDS - killed)) s"
[[ " $codes " = *" 503 "* ]] || fail "no 503 while Stage-II was down (statuses:$codes)"
[ "$(docker inspect -f '{{.RestartCount}}' "$stage2")" -gt "$restarts" ] || fail "Stage-II was not restarted"

step "5. a tiny training run in the trainer container; its bundle promoted and served"
trainer_java -jar /app/app.jar synthetic-birds \
  --out /data/birds --count 48 --width 160 --height 120 2>&1 | tr '\r' '\n' | tail -1
common='"preset": "tiny", "dataset": "birds", "split": "cub-image", "epochs": 1'
last_checkpoint=""
train() { # kind, extra spec fields; sets last_checkpoint
  docker exec -i "${CONTAINER[trainer]}" sh -c 'cat > /tmp/spec.json' <<< "{\"kind\": \"$1\", $common$2}"
  trainer_java -jar /app/app.jar train --spec /tmp/spec.json | tr '\r' '\n' > "$work/train.log" \
    || { cat "$work/train.log"; fail "the $1 run failed"; }
  grep -v '^\[' "$work/train.log" | grep -v '^$' || true
  local run
  run=$(sed -n 's/^run \([0-9]*\) SUCCEEDED$/\1/p' "$work/train.log")
  [ -n "$run" ] || fail "the $1 run did not succeed"
  last_checkpoint=$(docker exec "${CONTAINER[postgres]}" psql -U stackgan -d stackgan -tAc \
    "SELECT id FROM checkpoints WHERE run_id = $run ORDER BY step DESC, id DESC LIMIT 1")
  echo "  last checkpoint of run $run (PostgreSQL): $last_checkpoint"
}
train text-encoder ""
text_encoder=$last_checkpoint
train stage1 ", \"textEncoderCheckpoint\": \"$text_encoder\""
train stage2 ", \"textEncoderCheckpoint\": \"$text_encoder\", \"stage1Checkpoint\": \"$last_checkpoint\""
bundle=$(trainer_java -jar /app/app.jar export --checkpoint "$last_checkpoint" \
  | sed -n 's/^exported bundle \([^ ]*\) .*/\1/p')
[ -n "$bundle" ] || fail "no bundle exported from checkpoint $last_checkpoint"
echo "exported $bundle"
trainer_java -jar /app/app.jar promote --bundle-id "$bundle"
promoted=$SECONDS
deadline=$((SECONDS + 120))
until [ "$(fetch)" = 200 ] && [ "$(model_version)" = "$bundle" ]; do
  [ "$SECONDS" -lt "$deadline" ] || fail "the gateway still serves $(model_version) 120 s after promoting $bundle"
  sleep 1
done
echo "the gateway serves $bundle $((SECONDS - promoted)) s after the promotion: PNG $(png_size) (tiny preset)"

step "6. down -v"
