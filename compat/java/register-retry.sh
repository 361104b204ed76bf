#!/usr/bin/env bash
# register-retry.sh: a broker started before its name server listens (both started by one script) must appear in
# the routes within Java 4.9.8's bound, on rocketd and on the Java reference in the same run.
#
#   compat/java/register-retry.sh [rocketd] [java]     (default: both)
#
# For each side: a free port is chosen for the name server and left closed; the broker is started with that
# namesrvAddr (its first REGISTER_BROKER fails: connection refused); once the broker listens, the name server is
# started on the reserved port; GET_BROKER_CLUSTER_INFO is polled (RouteProbe) until the broker is listed.
# Java 4.9.8's BrokerController registers once at start, then at a fixed rate with a 10 s initial delay and a
# registerNameServerPeriod (30 s) period, so the route appears ~10 s after the broker's start. The check fails
# if it takes more than BOUND seconds (default 18 = 10 s + 8 s for a loaded machine); a 30 s wait fails it.
# Takes ~15 s per side. Work dirs under compat/java/target/register-retry/; every process started is stopped.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
JAVA="${JAVA:-java}"
CPF="$HERE/target/classpath.txt"
[[ -s "$CPF" ]] || { echo "register-retry.sh: run 'make java-deps' first" >&2; exit 1; }
CP="$HERE/target/classes:$(cat "$CPF")"
BOUND="${BOUND:-18}"
BASE="$HERE/target/register-retry"

pids=()
cleanup() {
    local p t
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do
        for ((t = 0; t < 200; t++)); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$p" 2>/dev/null || true
    done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "register-retry.sh: $*" >&2; }
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() { # free_port <below> <above>
    local below=$1 above=$2 p i ok tries=0
    while ((tries++ < 200)); do
        p=$((20000 + RANDOM % 30000)); ok=1
        for ((i = p - below; i <= p + above; i++)); do port_in_use "$i" && { ok=0; break; }; done
        ((ok)) && { echo "$p"; return 0; }
    done
    log "no free port"; exit 1
}
jdk_flags() {
    case "$("$JAVA" -version 2>&1 | awk -F'"' '/version/ {print $2; exit}')" in
        1.*) ;;
        *) echo "--add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED --add-exports=java.base/sun.nio.ch=ALL-UNNAMED" ;;
    esac
}
now_ms() { date +%s%3N; }

# run_side <name> <start-broker-cmd...>: uses NS_PORT, BROKER_PORT, WORK; NS_CMD starts the name server.
check_side() {
    local side=$1 t0 t1 deadline
    local deadline_wait=$((SECONDS + 90))
    until port_in_use "$BROKER_PORT"; do
        ((SECONDS < deadline_wait)) || { log "$side: broker did not listen within 90 s"; tail -20 "$WORK"/*.out >&2; return 1; }
        kill -0 "${pids[-1]}" 2>/dev/null || { log "$side: broker exited"; tail -20 "$WORK"/*.out >&2; return 1; }
        sleep 0.1
    done
    t0=$(now_ms)
    port_in_use "$NS_PORT" && { log "$side: name server port $NS_PORT taken"; return 1; }
    "${NS_CMD[@]}" </dev/null >"$WORK/namesrv.out" 2>&1 &
    pids+=($!)
    deadline=$((t0 + (BOUND + 5) * 1000))
    while (($(now_ms) < deadline)); do
        if "$JAVA" -Xmx64m -cp "$CP" io.rocketd.compat.RouteProbe "127.0.0.1:$NS_PORT" RetryCluster broker-r \
            "127.0.0.1:$BROKER_PORT" >/dev/null 2>&1; then
            t1=$(now_ms)
            if ((t1 - t0 > BOUND * 1000)); then
                log "$side: FAIL broker in the routes $((t1 - t0)) ms after it listened (bound ${BOUND}s)"
                return 1
            fi
            log "$side: PASS broker in the routes $((t1 - t0)) ms after it listened (bound ${BOUND}s)"
            echo "$side $((t1 - t0))" >>"$BASE/results.txt"
            return 0
        fi
        sleep 0.2
    done
    log "$side: FAIL broker not in the routes $((BOUND + 5)) s after it listened"
    return 1
}

broker_conf() {
    cat <<EOF
brokerClusterName=RetryCluster
brokerName=broker-r
brokerId=0
brokerIP1=127.0.0.1
brokerIP2=127.0.0.1
namesrvAddr=127.0.0.1:$NS_PORT
listenPort=$BROKER_PORT
storePathRootDir=$WORK/store
storePathCommitLog=$WORK/store/commitlog
mapedFileSizeCommitLog=16777216
rocketmqHome=$WORK/home
EOF
}

side_rocketd() {
    WORK="$BASE/rocketd"; rm -rf "$WORK"; mkdir -p "$WORK"
    [[ -x "$ROOT/build/mqbroker" ]] || make --no-print-directory -C "$ROOT" build >/dev/null
    NS_PORT=$(free_port 0 0); BROKER_PORT=$(free_port 2 1)
    broker_conf >"$WORK/broker.conf"
    printf 'listenPort=%s\nkvConfigPath=%s\n' "$NS_PORT" "$WORK/kvConfig.json" >"$WORK/namesrv.properties"
    setsid "$ROOT/build/mqbroker" -c "$WORK/broker.conf" </dev/null >"$WORK/broker.out" 2>&1 &
    pids+=($!)
    NS_CMD=(setsid "$ROOT/build/mqnamesrv" -c "$WORK/namesrv.properties")
    check_side rocketd
}

side_java() {
    WORK="$BASE/java"; rm -rf "$WORK"; mkdir -p "$WORK/home/conf"
    cp "$HERE"/conf/logback_*.xml "$WORK/home/conf/"
    NS_PORT=$(free_port 0 0); BROKER_PORT=$(free_port 2 1)
    broker_conf >"$WORK/broker.conf"
    printf 'listenPort=%s\nrocketmqHome=%s\nkvConfigPath=%s\n' "$NS_PORT" "$WORK/home" "$WORK/kvConfig.json" >"$WORK/namesrv.properties"
    local jvm=(setsid "$JAVA" -server -Xms256m -Xmx256m -XX:MaxDirectMemorySize=256m $(jdk_flags)
        -Duser.home="$WORK" -Drocketmq.home.dir="$WORK/home" -Djava.net.preferIPv4Stack=true -cp "$CP")
    "${jvm[@]}" org.apache.rocketmq.broker.BrokerStartup -c "$WORK/broker.conf" </dev/null >"$WORK/broker.out" 2>&1 &
    pids+=($!)
    NS_CMD=("${jvm[@]}" org.apache.rocketmq.namesrv.NamesrvStartup -c "$WORK/namesrv.properties")
    check_side java
}

mkdir -p "$BASE"; rm -f "$BASE/results.txt"
sides=("$@"); ((${#sides[@]})) || sides=(rocketd java)
rc=0
for s in "${sides[@]}"; do
    case "$s" in
        rocketd) side_rocketd || rc=1 ;;
        java) side_java || rc=1 ;;
        *) log "unknown side $s (rocketd|java)"; exit 2 ;;
    esac
    cleanup; pids=()
done
exit $rc
