#!/usr/bin/env bash
# mqadmin-compare.sh: the same Java 4.9.8 mqadmin commands against the Java reference and rocketd, after the
# same scenario on each (topic + subscription group created with mqadmin, 8 messages sent by a producer and
# consumed by a push consumer that stay online), compared field by field after normalising what
# legitimately differs (addresses, ports, client/message ids, times, paths, rates). Prints a PASS/FAIL table
# (io.rocketd.conformance.MqadminCompare); raw and normalised outputs and all differences are written to
# compat/java/target/mqadmin-compare/.
#
#   compat/java/mqadmin-compare.sh [-only REGEX]
#
# When build/mqadmin (the Go mqadmin, `make build`) exists, each of its commands also runs after the Java one on
# both clusters and its output is compared with Java's ("go LABEL" rows); MQADMIN_GO=none turns that off.
#
# The reference is reused when ref.sh status shows one running (and left running), otherwise started and
# stopped. rocketd is started from build/ (rocketd.sh, work dir target/rocketd-mqadmin) and stopped.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
JAVA="${JAVA:-java}"
CPF="$HERE/target/classpath.txt"
[[ -s "$CPF" ]] || { echo "mqadmin-compare.sh: run 'make java-deps' first" >&2; exit 1; }
CP="$HERE/target/classes:$(cat "$CPF")"
EXTRA=$'enablePropertyFilter=true\ntransactionCheckInterval=5000'
OUT="$HERE/target/mqadmin-compare"

stops=()
cleanup() { for s in "${stops[@]}"; do $s >/dev/null 2>&1 || true; done; }
trap cleanup EXIT
trap 'exit 130' INT TERM

if "$HERE/ref.sh" status >/dev/null 2>&1; then
    echo "mqadmin-compare.sh: reusing the running Java reference" >&2
else
    REF_BROKER_CONF_EXTRA="${REF_BROKER_CONF_EXTRA:-$EXTRA}" "$HERE/ref.sh" start >/dev/null
    stops+=("$HERE/ref.sh stop")
fi
REF_NS="$("$HERE/ref.sh" env | grep '^REF_NAMESRV_ADDR=' | cut -d= -f2)"

export RD_WORK_DIR="${RD_WORK_DIR:-$HERE/target/rocketd-mqadmin}"
RD_BROKER_CONF_EXTRA="${RD_BROKER_CONF_EXTRA:-$EXTRA}" "$HERE/rocketd.sh" start >/dev/null
stops=("$HERE/rocketd.sh stop" "${stops[@]}")
RD_NS="$(grep '^REF_NAMESRV_ADDR=' "$RD_WORK_DIR/rocketd.env" | cut -d= -f2)"

GO_ARGS=()
GO_BIN="${MQADMIN_GO:-$HERE/../../build/mqadmin}"
if [[ "$GO_BIN" != none && -x "$GO_BIN" ]]; then
    GO_ARGS=(-go "$(realpath "$GO_BIN")")
fi

rm -rf "$OUT"
mkdir -p "$OUT/client-home"
timeout --kill-after=10 600 "$JAVA" -Xmx256m -XX:+UseSerialGC -Duser.home="$OUT/client-home" \
    -Djava.net.preferIPv4Stack=true -Drocketmq.client.logUseSlf4j=true \
    -cp "$CP" io.rocketd.conformance.MqadminCompare -ref "$REF_NS" -rd "$RD_NS" -out "$OUT" \
    -known "$HERE/known-differences-mqadmin.txt" "${GO_ARGS[@]}" "$@"
