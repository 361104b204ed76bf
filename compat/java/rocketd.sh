#!/usr/bin/env bash
# rocketd.sh: run rocketd's NameServer and Broker (build/mqnamesrv, build/mqbroker) as processes on loopback
# ports with a temporary store, the way ref.sh runs the Java reference, so the Java suites and mqadmin can be
# pointed at either with the same addresses file.
#
#   compat/java/rocketd.sh start     start both; returns once the broker is registered with the NameServer
#   compat/java/rocketd.sh stop      SIGTERM, bounded wait, then SIGKILL
#   compat/java/rocketd.sh status    print the state file; exit 1 if not running
#   compat/java/rocketd.sh env       print the state file only
#   compat/java/rocketd.sh restart-broker | kill-broker
#                                    stop the broker (SIGTERM, or SIGKILL) and start it again on the same store
#   compat/java/rocketd.sh restart-broker   stop the broker (SIGTERM) and start it again on the same store and port
#   compat/java/rocketd.sh kill-broker      the same with SIGKILL (kill -9)
#
# Environment (all optional):
#   RD_WORK_DIR         state, logs and store (default compat/java/target/rocketd; the store is wiped at start)
#   RD_BIN_DIR          where mqnamesrv and mqbroker are (default build/ of the repository)
#   RD_NAMESRV_PORT     NameServer port (default: a free port)
#   RD_BROKER_PORT      Broker listenPort; listenPort-2 (VIP port) must be free too (default: a free pair)
#   RD_CLUSTER, RD_BROKER_NAME   (default DefaultCluster, broker-a)
#   RD_BROKER_CONF_EXTRA  extra broker.conf lines appended verbatim
#   RD_PLAIN_ACL        a plain_acl.yml copied to $RD_WORK_DIR/home/conf/plain_acl.yml; the broker runs with
#                       ROCKETMQ_HOME=$RD_WORK_DIR/home (add aclEnable=true with RD_BROKER_CONF_EXTRA)
#   RD_START_TIMEOUT, RD_STOP_TIMEOUT   seconds (default 30, 15)
#
# The state file ($RD_WORK_DIR/rocketd.env) uses the same REF_* variable names as ref.env, so scripts
# can `source` either. Readiness is checked with RouteProbe (needs `make java-deps`).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
WORK="$(realpath -m "${RD_WORK_DIR:-$HERE/target/rocketd}")"
BIN="$(realpath -m "${RD_BIN_DIR:-$ROOT/build}")"
STATE="$WORK/rocketd.env"
JAVA="${JAVA:-java}"
START_TIMEOUT="${RD_START_TIMEOUT:-30}"
STOP_TIMEOUT="${RD_STOP_TIMEOUT:-15}"
CLUSTER="${RD_CLUSTER:-DefaultCluster}"
BROKER_NAME="${RD_BROKER_NAME:-broker-a}"
LIB_NAME=rocketd.sh
START_LOGS=("$WORK/namesrv.out" "$WORK/broker.out")
# shellcheck source=compat/java/lib.sh
source "$HERE/lib.sh"

# ours <pid>: true if the pid runs one of our binaries with a config file inside this work dir.
ours() {
    alive "$1" && tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -qF -- "$WORK/"
}

write_state() {
    {
        echo "REF_FLAVOUR=rocketd"
        echo "REF_WORK_DIR=$WORK"
        echo "REF_NAMESRV_PORT=$NS_PORT"
        echo "REF_NAMESRV_ADDR=127.0.0.1:$NS_PORT"
        echo "REF_NAMESRV_PID=$NAMESRV_PID"
        echo "REF_CLUSTER=$CLUSTER"
        echo "REF_BROKER_NAME=$BROKER_NAME"
        echo "REF_BROKER_PORT=$BROKER_PORT"
        echo "REF_BROKER_ADDR=127.0.0.1:$BROKER_PORT"
        echo "REF_STORE_DIR=$WORK/store"
        echo "REF_BROKER_PID=${BROKER_PID:-}"
    } >"$STATE.tmp"
    mv "$STATE.tmp" "$STATE"
}

# start_broker starts mqbroker on $WORK/broker.conf and waits until it is registered.
start_broker() {
    ROCKETMQ_HOME="$WORK/home" setsid "$BIN/mqbroker" -c "$WORK/broker.conf" </dev/null >>"$WORK/broker.out" 2>&1 &
    BROKER_PID=$!
    write_state
    wait_for "broker" "$BROKER_PID" port_in_use "$BROKER_PORT"
    wait_for "broker registration" "$BROKER_PID" \
        "$JAVA" -Xmx64m -XX:TieredStopAtLevel=1 -cp "$CP" io.rocketd.compat.RouteProbe "127.0.0.1:$NS_PORT" "$CLUSTER" "$BROKER_NAME" "127.0.0.1:$BROKER_PORT"
}

# do_restart_broker <clean|kill>: stop the broker (SIGTERM with a bounded wait, or SIGKILL) and start it again
# on the same store and port; the NameServer keeps running.
do_restart_broker() {
    load_state
    ours "$NAMESRV_PID" || die "not running"
    CP="$HERE/target/classes:$(cat "$HERE/target/classpath.txt")"
    NS_PORT="$REF_NAMESRV_PORT" BROKER_PORT="$REF_BROKER_PORT"
    if [[ "$1" == kill ]]; then
        if ours "$BROKER_PID"; then
            log "killing broker (pid $BROKER_PID) with SIGKILL"
            kill -KILL "$BROKER_PID" 2>/dev/null || true
            while alive "$BROKER_PID"; do sleep 0.05; done
        fi
    else
        stop_pid broker "$BROKER_PID"
    fi
    while port_in_use "$BROKER_PORT"; do sleep 0.05; done
    start_broker
    log "broker restarted ($1): pid $BROKER_PID"
}

do_start() {
    load_state
    if ours "$NAMESRV_PID" && ours "$BROKER_PID"; then
        log "already running"; cat "$STATE"; return 0
    fi
    do_stop
    [[ -x "$BIN/mqnamesrv" && -x "$BIN/mqbroker" ]] || die "no binaries in $BIN: run 'make build' first"
    local cpf="$HERE/target/classpath.txt"
    [[ -s "$cpf" ]] || die "Java classes not built: run 'make java-deps' first"
    CP="$HERE/target/classes:$(cat "$cpf")"

    rm -rf "$WORK/store" "$WORK/namesrv" "$WORK/home"
    mkdir -p "$WORK/store" "$WORK/namesrv" "$WORK/home/conf"
    if [[ -n "${RD_PLAIN_ACL:-}" ]]; then cp "$RD_PLAIN_ACL" "$WORK/home/conf/plain_acl.yml"; fi
    trap 'fail_start "interrupted"' INT TERM
    NS_PORT="${RD_NAMESRV_PORT:-$(free_port 0 0)}"
    BROKER_PORT="${RD_BROKER_PORT:-$(free_port 2 0)}"
    for p in "$NS_PORT" $((BROKER_PORT - 2)) "$BROKER_PORT"; do
        port_in_use "$p" && die "port $p is in use"
    done
    cat >"$WORK/namesrv.properties" <<EOF
listenPort=$NS_PORT
kvConfigPath=$WORK/namesrv/kvConfig.json
EOF
    cat >"$WORK/broker.conf" <<EOF
brokerClusterName=$CLUSTER
brokerName=$BROKER_NAME
brokerId=0
brokerRole=ASYNC_MASTER
flushDiskType=ASYNC_FLUSH
brokerIP1=127.0.0.1
brokerIP2=127.0.0.1
namesrvAddr=127.0.0.1:$NS_PORT
listenPort=$BROKER_PORT
storePathRootDir=$WORK/store
storePathCommitLog=$WORK/store/commitlog
${RD_BROKER_CONF_EXTRA:-}
EOF
    BROKER_PID=""
    setsid "$BIN/mqnamesrv" -c "$WORK/namesrv.properties" </dev/null >"$WORK/namesrv.out" 2>&1 &
    NAMESRV_PID=$!
    write_state
    wait_for namesrv "$NAMESRV_PID" port_in_use "$NS_PORT"
    : >"$WORK/broker.out"
    start_broker
    trap - INT TERM
    log "rocketd up: namesrv 127.0.0.1:$NS_PORT, broker 127.0.0.1:$BROKER_PORT"
    cat "$STATE"
}

case "${1:-}" in
    start) do_start ;;
    stop) do_stop ;;
    status) do_status ;;
    env) print_env ;;
    restart-broker) do_restart_broker clean ;;
    kill-broker) do_restart_broker kill ;;
    *) echo "usage: $0 start | stop | status | env | restart-broker | kill-broker" >&2; exit 2 ;;
esac
