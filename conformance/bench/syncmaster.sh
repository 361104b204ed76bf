#!/usr/bin/env bash
# syncmaster.sh: SYNC_MASTER send throughput and latency, a rocketd pair against a Java 4.9.8 pair, same run.
#
#   make bench-syncmaster            (conformance/bench/bench.mk; needs make build mqbench java-deps)
#
# Each pair is a name server, a SYNC_MASTER (ASYNC_FLUSH) and a SLAVE on free loopback ports, default settings
# otherwise (1 GiB CommitLog files). The Java pair is two compat/java/ref.sh instances (master + its name
# server; slave + an unused name server, pointed at the master with haMasterAddress), with ref.sh's JVM options
# (REF_JAVA_OPTS to change them). Every send is WAIT=true, so it is answered after the slave acknowledged it.
# `mqbench send` (raw SEND_MESSAGE_V2, 1 KiB) runs at each in-flight count of $INFLIGHTS for $DURATION.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD="${BUILD:-$ROOT/build}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/rocketd-bench-syncmaster.XXXXXX")"
INFLIGHTS="${INFLIGHTS:-1 16 64}"
DURATION="${DURATION:-5s}"
SIZE="${SIZE:-1024}"
PIDS=()

log() { echo "syncmaster: $*" >&2; }

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() { # a port p with p-2..p+1 free
    local p i ok tries=0
    while ((tries++ < 200)); do
        p=$((20000 + RANDOM % 30000)); ok=1
        for ((i = p - 2; i <= p + 1; i++)); do port_in_use "$i" && { ok=0; break; }; done
        ((ok)) && { echo "$p"; return 0; }
    done
    echo "no free port" >&2; exit 1
}
wait_port() { local t; for ((t = 0; t < 300; t++)); do port_in_use "$1" && return 0; sleep 0.1; done; log "port $1 never opened"; return 1; }

cleanup() {
    for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
    [[ -n "${JAVA_SLAVE_WORK:-}" ]] && REF_WORK_DIR="$JAVA_SLAVE_WORK" "$ROOT/compat/java/ref.sh" stop >/dev/null 2>&1 || true
    [[ -n "${JAVA_MASTER_WORK:-}" ]] && REF_WORK_DIR="$JAVA_MASTER_WORK" "$ROOT/compat/java/ref.sh" stop >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT

sweep() { # sweep <label> <master addr>
    local label=$1 addr=$2 n
    for n in $INFLIGHTS; do
        printf '%-8s SYNC_MASTER %sB x%-3s ' "$label" "$SIZE" "$n"
        "$BUILD/mqbench" send -addr "$addr" -topic SyncMasterBench -queues 8 -size "$SIZE" -inflight "$n" \
            -warmup 1s -duration "$DURATION" -create | sed 's/^send raw //'
    done
}

ready() { # ready <master addr>: the slave acknowledges (a WAIT send succeeds without errors)
    local t out
    for ((t = 0; t < 60; t++)); do
        out="$("$BUILD/mqbench" send -addr "$1" -topic SyncMasterBench -queues 8 -size 16 -inflight 1 -warmup 0s -n 1 -duration 2s -create 2>&1 || true)"
        [[ "$out" == *"errors 0 "* ]] && return 0
        sleep 1
    done
    log "the slave of $1 never acknowledged: $out"; return 1
}

# ---- rocketd pair
NS=$(free_port); M=$(free_port); S=$(free_port)
mkdir -p "$WORK/rocketd"
printf 'listenPort=%s\nkvConfigPath=%s/rocketd/kv.json\n' "$NS" "$WORK" >"$WORK/rocketd/ns.properties"
for role in master slave; do
    port=$M; id=0; r=SYNC_MASTER
    [[ $role == slave ]] && { port=$S; id=1; r=SLAVE; }
    cat >"$WORK/rocketd/$role.conf" <<EOF
brokerClusterName=BenchCluster
brokerName=bench-pair
brokerId=$id
brokerRole=$r
flushDiskType=ASYNC_FLUSH
listenPort=$port
namesrvAddr=127.0.0.1:$NS
brokerIP1=127.0.0.1
brokerIP2=127.0.0.1
storePathRootDir=$WORK/rocketd/$role
EOF
done
"$BUILD/mqnamesrv" -c "$WORK/rocketd/ns.properties" >"$WORK/rocketd/ns.log" 2>&1 & PIDS+=($!)
wait_port "$NS"
"$BUILD/mqbroker" -c "$WORK/rocketd/master.conf" >"$WORK/rocketd/master.log" 2>&1 & PIDS+=($!)
wait_port "$M"
"$BUILD/mqbroker" -c "$WORK/rocketd/slave.conf" >"$WORK/rocketd/slave.log" 2>&1 & PIDS+=($!)
wait_port "$S"
ready "127.0.0.1:$M"
log "rocketd pair up (master 127.0.0.1:$M, slave 127.0.0.1:$S)"
sweep rocketd "127.0.0.1:$M"
for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
PIDS=()

# ---- Java pair
JAVA_MASTER_WORK="$WORK/java-master" JAVA_SLAVE_WORK="$WORK/java-slave"
JM=$(free_port)
REF_WORK_DIR="$JAVA_MASTER_WORK" REF_BROKER_PORT="$JM" REF_BROKER_NAME=bench-pair \
    REF_BROKER_CONF_EXTRA=$'brokerRole=SYNC_MASTER\nflushDiskType=ASYNC_FLUSH' \
    "$ROOT/compat/java/ref.sh" start >/dev/null
JS=$(free_port)
REF_WORK_DIR="$JAVA_SLAVE_WORK" REF_BROKER_PORT="$JS" REF_BROKER_NAME=bench-pair \
    REF_BROKER_CONF_EXTRA=$'brokerId=1\nbrokerRole=SLAVE\nflushDiskType=ASYNC_FLUSH\nhaMasterAddress=127.0.0.1:'"$((JM + 1))" \
    "$ROOT/compat/java/ref.sh" start >/dev/null
ready "127.0.0.1:$JM"
log "Java pair up (master 127.0.0.1:$JM, slave 127.0.0.1:$JS)"
sweep java "127.0.0.1:$JM"
