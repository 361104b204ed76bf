#!/usr/bin/env bash
# rocketmq-dashboard against rocketd or the Java 4.9.8 reference, checked with headless Chromium.
#
#   compat/dashboard/check.sh rocketd      # or: java
#
# Builds rocketmq-dashboard 1.0.0 once (the last release for RocketMQ 4.x; AngularJS frontend, so Maven alone
# builds it, with every dependency from Maven Central) from the source tree in $DASHBOARD_SRC (default
# build/dashboard/src). No registry serves that source: it has to be put there (a release tarball or a clone
# at tag rocketmq-dashboard-1.0.0). Then starts the cluster on free loopback ports, seeds it
# (compat/dashboard/seed: topic, group, 5 keyed messages, an offset leaving a lag of 3), starts the dashboard
# on it and runs check.py, which writes screenshots and result.json under build/dashboard/<target>/.
# Needs: Go, a JDK 17 and Maven, python3, Debian's chromium and chromium-driver (installed when missing).
set -euo pipefail
TARGET=${1:?usage: check.sh rocketd|java}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$ROOT/build/dashboard
SRC=${DASHBOARD_SRC:-$OUT/src}
JAR=$OUT/rocketmq-dashboard-1.0.0.jar
WORK=$OUT/$TARGET
mkdir -p "$OUT"
rm -rf "$WORK"; mkdir -p "$WORK"

if [ ! -f "$JAR" ]; then
  if [ ! -f "$SRC/pom.xml" ]; then
    echo "check.sh: no rocketmq-dashboard source in $SRC (set DASHBOARD_SRC to a rocketmq-dashboard-1.0.0 source tree)" >&2
    exit 2
  fi
  # Lombok 1.18.12 of the 1.0.0 pom does not run on JDK 17.
  (cd "$SRC" && mvn -B -q -DskipTests -Dlombok.version=1.18.30 package)
  cp "$SRC/target/rocketmq-dashboard-1.0.0.jar" "$JAR"
fi
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  apt-get install -y -q chromium chromium-driver >/dev/null
fi
if [ ! -x "$OUT/venv/bin/python" ]; then
  python3 -m venv "$OUT/venv"
  "$OUT/venv/bin/pip" install -q "selenium==4.27.1"
fi

free_port() { # a free port p with p-2 free too (the broker's VIP channel)
  python3 - <<'PY'
import socket
for _ in range(100):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close()
    if p < 1100: continue
    try:
        t = socket.socket(); t.bind(("127.0.0.1", p - 2)); t.close(); print(p); break
    except OSError:
        pass
PY
}

PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ "$TARGET" = java ]; then make -C "$ROOT" --no-print-directory java-ref-down >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

wait_for() { # file pattern seconds
  for _ in $(seq 1 $(( $3 * 10 ))); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  echo "check.sh: no '$2' in $1 within $3 s" >&2; cat "$1" >&2 || true; return 1
}

case "$TARGET" in
rocketd)
  (cd "$ROOT" && go build -o "$OUT/bin/mqnamesrv" ./bin/mqnamesrv && go build -o "$OUT/bin/mqbroker" ./bin/mqbroker)
  NSP=$(free_port); BP=$(free_port)
  printf 'listenPort=%s\nbindAddress=127.0.0.1\nkvConfigPath=%s/kv.json\n' "$NSP" "$WORK" > "$WORK/namesrv.properties"
  printf 'brokerName=broker-a\nbrokerIP1=127.0.0.1\nlistenPort=%s\nbindAddress=127.0.0.1\nstorePathRootDir=%s/store\nmappedFileSizeCommitLog=16777216\n' \
    "$BP" "$WORK" > "$WORK/broker.conf"
  "$OUT/bin/mqnamesrv" -c "$WORK/namesrv.properties" > "$WORK/namesrv.out" 2>&1 & PIDS+=($!)
  wait_for "$WORK/namesrv.out" "boot success" 20
  "$OUT/bin/mqbroker" -c "$WORK/broker.conf" -n "127.0.0.1:$NSP" > "$WORK/broker.out" 2>&1 & PIDS+=($!)
  wait_for "$WORK/broker.out" "boot success" 60
  NS=127.0.0.1:$NSP; BROKER=127.0.0.1:$BP; BROKER_NAME=broker-a
  ;;
java)
  # A fresh store each run, so that the seeded data is all the reference holds, as for rocketd.
  REF_STORE_DIR="$WORK/ref-store" make -C "$ROOT" --no-print-directory java-ref-up
  # shellcheck disable=SC1091
  . "$ROOT/compat/java/target/ref/ref.env"
  NS=$REF_NAMESRV_ADDR; BROKER=$REF_BROKER_ADDR; BROKER_NAME=$REF_BROKER_NAME
  ;;
*) echo "usage: check.sh rocketd|java" >&2; exit 2 ;;
esac

(cd "$ROOT" && go run ./compat/dashboard/seed -n "$NS" -b "$BROKER") | tee "$WORK/seed.out"

DP=$(free_port)
# Netty 4.1 of the RocketMQ 4.9 client needs these opens on JDK 17.
java --add-opens java.base/java.nio=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED \
  --add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/java.util=ALL-UNNAMED \
  -jar "$JAR" --server.address=127.0.0.1 --server.port="$DP" --rocketmq.config.namesrvAddr="$NS" \
  --rocketmq.config.isVIPChannel=false --rocketmq.config.dataPath="$WORK/dashboard-data" \
  > "$WORK/dashboard.out" 2>&1 & PIDS+=($!)
wait_for "$WORK/dashboard.out" "Started App" 120

"$OUT/venv/bin/python" "$ROOT/compat/dashboard/check.py" --url "http://127.0.0.1:$DP" --out "$WORK" --broker "$BROKER_NAME"
