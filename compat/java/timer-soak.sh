#!/usr/bin/env bash
# timer-soak.sh: the timer message soak (issue #18) with the unmodified Java 4.9.8 client against rocketd
# started from build/: COUNT messages with random TIMER_DELIVER_MS over SPREAD ms, a clean broker restart and a
# kill -9 in the middle (io.rocketd.conformance.TimerSoak). Exit status 1 when a message is lost, early or late.
#
#   compat/java/timer-soak.sh [COUNT [SPREAD_MS]]     default 1000 messages over 20000 ms
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
JAVA="${JAVA:-java}"
CPF="$HERE/target/classpath.txt"
[[ -s "$CPF" ]] || { echo "timer-soak.sh: run 'make java-deps' first" >&2; exit 1; }
CP="$HERE/target/classes:$(cat "$CPF")"
COUNT="${1:-1000}"
SPREAD="${2:-20000}"
export RD_WORK_DIR="${RD_WORK_DIR:-$HERE/target/rocketd-timer-soak}"
"$HERE/rocketd.sh" start >/dev/null
trap '"$HERE/rocketd.sh" stop >/dev/null 2>&1 || true' EXIT
trap 'exit 130' INT TERM
NS="$(grep '^REF_NAMESRV_ADDR=' "$RD_WORK_DIR/rocketd.env" | cut -d= -f2)"
mkdir -p "$RD_WORK_DIR/client-home"
timeout --kill-after=10 $((SPREAD / 1000 + 300)) "$JAVA" ${CONFORMANCE_JAVA_OPTS:--Xmx512m -XX:+UseSerialGC} \
    -Duser.home="$RD_WORK_DIR/client-home" -Djava.net.preferIPv4Stack=true -Drocketmq.client.logUseSlf4j=true \
    -cp "$CP" io.rocketd.conformance.TimerSoak -n "$NS" -count "$COUNT" -spread "$SPREAD" \
    -restart "RD_WORK_DIR='$RD_WORK_DIR' '$HERE/rocketd.sh' restart-broker" \
    -kill "RD_WORK_DIR='$RD_WORK_DIR' '$HERE/rocketd.sh' kill-broker"
