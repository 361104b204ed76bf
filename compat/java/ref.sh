#!/usr/bin/env bash
# ref.sh: run the real Apache RocketMQ 4.9.8 NameServer and Broker (Java) on loopback
# ports as the reference that rocketd is compared against.
#
#   compat/java/ref.sh start [all|namesrv]   start both (default) or only the NameServer
#   compat/java/ref.sh stop                  SIGTERM, bounded wait, then SIGKILL
#   compat/java/ref.sh status                print the state file; exit 1 if not running
#   compat/java/ref.sh env                   print the state file only (for `eval`/`source`)
#
# Environment (all optional):
#   REF_WORK_DIR        state, logs, ROCKETMQ_HOME and user.home of the JVMs
#                       (default compat/java/target/ref)
#   REF_NAMESRV_PORT    NameServer port (default: a free port)
#   REF_BROKER_PORT     Broker listenPort; listenPort-2 (fast port) and listenPort+1 (HA)
#                       must be free too (default: a free triple)
#   REF_STORE_DIR       broker storePathRootDir (default $REF_WORK_DIR/store)
#   REF_CLUSTER         brokerClusterName (default DefaultCluster)
#   REF_BROKER_NAME     brokerName (default broker-a)
#   REF_BROKER_CONF_EXTRA  extra broker.conf lines appended verbatim (e.g. small
#                       mapedFileSizeCommitLog=...); Java defaults are kept otherwise
#   REF_PLAIN_ACL       a plain_acl.yml copied to $REF_WORK_DIR/home/conf/plain_acl.yml before
#                       the broker starts (add aclEnable=true with REF_BROKER_CONF_EXTRA)
#   REF_JAVA_OPTS       JVM heap options (default -Xms256m -Xmx256m -XX:MaxDirectMemorySize=256m)
#   REF_START_TIMEOUT   seconds to wait for each server to be ready (default 90)
#   REF_STOP_TIMEOUT    seconds to wait after SIGTERM before SIGKILL (default 20)
#   REF_JDK_FLAGS       JVM module flags (default: the JDK 9+ set below)
#   JAVA                java binary (default: java on PATH)
#
# The Java 4.9.8 servers bind the wildcard address (4.9.8 has no bind-address option);
# everything they advertise and everything we connect to is 127.0.0.1.
# After `start`, $REF_WORK_DIR/ref.env holds REF_NAMESRV_ADDR, REF_BROKER_ADDR, ports and pids.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
WORK="$(realpath -m "${REF_WORK_DIR:-$HERE/target/ref}")"
STATE="$WORK/ref.env"
JAVA="${JAVA:-java}"
JAVA_OPTS_HEAP="${REF_JAVA_OPTS:--Xms256m -Xmx256m -XX:MaxDirectMemorySize=256m}"
START_TIMEOUT="${REF_START_TIMEOUT:-90}"
STOP_TIMEOUT="${REF_STOP_TIMEOUT:-20}"
CLUSTER="${REF_CLUSTER:-DefaultCluster}"
BROKER_NAME="${REF_BROKER_NAME:-broker-a}"
LIB_NAME=ref.sh
START_LOGS=("$WORK/logs/namesrv.out" "$WORK/logs/broker.out" "$WORK/logs/namesrv.log" "$WORK/logs/broker.log")
# shellcheck source=compat/java/lib.sh
source "$HERE/lib.sh"

# JDK 9+ module flags RocketMQ 4.9.8 needs. Found by running it on OpenJDK 17: without them
# the servers start and serve, but the broker's shutdown hook dies while unmapping store files
# (MappedFile cleaner: java.nio.DirectByteBuffer.attachment(), then jdk.internal.ref.Cleaner),
# so `abort` stays behind and the next start runs abnormal recovery. The sun.nio.ch export is
# for DirectBuffer.address() (only with warmMapedFileEnable / transientStorePoolEnable).
# REF_JDK_FLAGS overrides the set (set it empty to see the failure).
jdk_flags() {
    if [[ -n "${REF_JDK_FLAGS+x}" ]]; then echo "$REF_JDK_FLAGS"; return; fi
    local v
    v="$("$JAVA" -version 2>&1 | awk -F'"' '/version/ {print $2; exit}')"
    case "$v" in
        1.*) ;;
        *) echo "--add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED --add-exports=java.base/sun.nio.ch=ALL-UNNAMED" ;;
    esac
}

classpath() {
    local cpf="$HERE/target/classpath.txt"
    [[ -s "$cpf" && -d "$HERE/target/classes/org/apache/rocketmq/namesrv" ]] ||
        die "Java classes not built: run 'make -f compat/java/java.mk java-deps' first"
    echo "$HERE/target/classes:$(cat "$cpf")"
}

# ours <pid>: true if the pid is a JVM started by this script for this work dir.
ours() {
    alive "$1" && tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -qF -- "-Duser.home=$WORK "
}

write_state() {
    {
        echo "REF_WORK_DIR=$WORK"
        echo "REF_NAMESRV_PORT=$NS_PORT"
        echo "REF_NAMESRV_ADDR=127.0.0.1:$NS_PORT"
        echo "REF_NAMESRV_PID=$NAMESRV_PID"
        echo "REF_CLUSTER=$CLUSTER"
        if [[ -n "${BROKER_PORT:-}" ]]; then
            echo "REF_BROKER_NAME=$BROKER_NAME"
            echo "REF_BROKER_PORT=$BROKER_PORT"
            echo "REF_BROKER_ADDR=127.0.0.1:$BROKER_PORT"
            echo "REF_BROKER_FAST_ADDR=127.0.0.1:$((BROKER_PORT - 2))"
            echo "REF_BROKER_HA_PORT=$((BROKER_PORT + 1))"
            echo "REF_STORE_DIR=$STORE_DIR"
            echo "REF_BROKER_PID=$BROKER_PID"
        fi
    } >"$STATE.tmp"
    mv "$STATE.tmp" "$STATE"
}

launch() { # launch <name> <main> <args...>; prints the pid
    local name=$1 main=$2; shift 2
    # setsid: own session, so a Ctrl-C in the caller's terminal does not hit the JVM.
    # shellcheck disable=SC2086
    setsid "$JAVA" -server $JAVA_OPTS_HEAP $(jdk_flags) \
        -Duser.home="$WORK" -Drocketmq.home.dir="$WORK/home" \
        -Djava.net.preferIPv4Stack=true -Drocketmq.client.logUseSlf4j=true \
        -cp "$CP" "$main" "$@" </dev/null >"$WORK/logs/$name.out" 2>&1 &
    echo $!
}

do_start() {
    local what=${1:-all}
    case "$what" in all | namesrv) ;; *) die "start: unknown target '$what' (all|namesrv)" ;; esac
    load_state
    if ours "$NAMESRV_PID"; then
        if [[ "$what" == namesrv ]] || ours "$BROKER_PID"; then
            log "already running"; cat "$STATE"; return 0
        fi
        die "a partial reference is running; run '$0 stop' first"
    fi
    rm -f "$STATE"
    CP="$(classpath)"
    command -v "$JAVA" >/dev/null || die "java not found"
    command -v setsid >/dev/null || die "setsid (util-linux) not found"

    mkdir -p "$WORK/logs" "$WORK/home/conf"
    rm -f "$WORK"/logs/*.log "$WORK"/logs/*.out
    cp "$HERE"/conf/logback_*.xml "$WORK/home/conf/"
    if [[ -n "${REF_PLAIN_ACL:-}" ]]; then cp "$REF_PLAIN_ACL" "$WORK/home/conf/plain_acl.yml"; fi
    trap 'fail_start "interrupted"' INT TERM

    NS_PORT="${REF_NAMESRV_PORT:-$(free_port 0 0)}"
    port_in_use "$NS_PORT" && die "namesrv port $NS_PORT is in use"
    cat >"$WORK/namesrv.properties" <<EOF
listenPort=$NS_PORT
rocketmqHome=$WORK/home
kvConfigPath=$WORK/namesrv/kvConfig.json
EOF
    NAMESRV_PID="$(launch namesrv org.apache.rocketmq.namesrv.NamesrvStartup -c "$WORK/namesrv.properties")"
    BROKER_PORT="" BROKER_PID=""
    write_state
    wait_for "namesrv" "$NAMESRV_PID" grep -q "boot success" "$WORK/logs/namesrv.out"
    wait_for "namesrv port" "$NAMESRV_PID" port_in_use "$NS_PORT"
    log "namesrv up on 127.0.0.1:$NS_PORT (pid $NAMESRV_PID)"

    if [[ "$what" == all ]]; then
        BROKER_PORT="${REF_BROKER_PORT:-$(free_port 2 1)}"
        for p in $((BROKER_PORT - 2)) "$BROKER_PORT" $((BROKER_PORT + 1)); do
            port_in_use "$p" && fail_start "broker port $p is in use"
        done
        STORE_DIR="${REF_STORE_DIR:-$WORK/store}"
        mkdir -p "$STORE_DIR"
        cat >"$WORK/broker.conf" <<EOF
brokerClusterName=$CLUSTER
brokerName=$BROKER_NAME
brokerId=0
brokerIP1=127.0.0.1
brokerIP2=127.0.0.1
namesrvAddr=127.0.0.1:$NS_PORT
listenPort=$BROKER_PORT
storePathRootDir=$STORE_DIR
storePathCommitLog=$STORE_DIR/commitlog
rocketmqHome=$WORK/home
${REF_BROKER_CONF_EXTRA:-}
EOF
        BROKER_PID="$(launch broker org.apache.rocketmq.broker.BrokerStartup -c "$WORK/broker.conf")"
        write_state
        wait_for "broker" "$BROKER_PID" grep -q "boot success" "$WORK/logs/broker.out"
        wait_for "broker registration" "$BROKER_PID" \
            "$JAVA" -Xmx64m -cp "$CP" io.rocketd.compat.RouteProbe "127.0.0.1:$NS_PORT" "$CLUSTER" "$BROKER_NAME" "127.0.0.1:$BROKER_PORT"
        log "broker $BROKER_NAME up on 127.0.0.1:$BROKER_PORT (pid $BROKER_PID), registered with the namesrv"
    fi
    trap - INT TERM
    cat "$STATE"
}

case "${1:-}" in
    start) do_start "${2:-all}" ;;
    stop) do_stop ;;
    status) do_status ;;
    env) print_env ;;
    *) echo "usage: $0 start [all|namesrv] | stop | status | env" >&2; exit 2 ;;
esac
