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
rc=0
timeout --kill-after=10 600 "$JAVA" -Xmx256m -XX:+UseSerialGC -Duser.home="$OUT/client-home" \
    -Djava.net.preferIPv4Stack=true -Drocketmq.client.logUseSlf4j=true \
    -cp "$CP" io.rocketd.conformance.MqadminCompare -ref "$REF_NS" -rd "$RD_NS" -out "$OUT" \
    -known "$HERE/known-differences-mqadmin.txt" "${GO_ARGS[@]}" "$@" || rc=$?

# Bad arguments: the Go mqadmin prints what Java's MQAdminStartup prints on stdout (usage text, "The sub command
# ... not exist.") and exits with the same status, except where it is deliberately clearer: status 1 instead
# of 0 for an unknown command, a bad number and a failed request (Java prints a stack trace and exits 0), and
# status 0 for -h on a command with required options (Java's parser fails on the missing options first: 1).
# Each case: expected Java status, expected Go status, whether stdout must be equal, then the arguments.
if [[ ${#GO_ARGS[@]} -gt 0 ]]; then
    GO="${GO_ARGS[1]}"
    mkdir -p "$OUT/badargs"
    bad=0
    while IFS='|' read -r label jrc grc same args; do
        [[ -z "$label" ]] && continue
        read -r -a argv <<<"$args"
        set +e
        REF_WORK_DIR="$HERE/target/ref" "$HERE/mqadmin.sh" "${argv[@]}" -n "$REF_NS" >"$OUT/badargs/$label.java.out" 2>"$OUT/badargs/$label.java.err"
        j=$?
        "$GO" "${argv[@]}" -n "$REF_NS" >"$OUT/badargs/$label.go.out" 2>"$OUT/badargs/$label.go.err"
        g=$?
        set -e
        why=""
        [[ $j == "$jrc" ]] || why="java exit $j, expected $jrc"
        [[ $g == "$grc" ]] || why="$why go exit $g, expected $grc"
        if [[ $same == same ]] && ! cmp -s "$OUT/badargs/$label.java.out" "$OUT/badargs/$label.go.out"; then
            why="$why stdout differs ($OUT/badargs/$label.{java,go}.out)"
        fi
        if [[ $grc != 0 && ! -s "$OUT/badargs/$label.go.err" ]]; then
            why="$why go printed no reason on stderr"
        fi
        if [[ -z "$why" ]]; then
            printf '%-24s %-6s java %s, go %s: %s\n' "badargs $label" PASS "$j" "$g" "$(head -c 100 "$OUT/badargs/$label.go.err" | tr '\n' ' ')"
        else
            printf '%-24s %-6s %s\n' "badargs $label" FAIL "$why"
            bad=1
        fi
    done <<'CASES'
missing-required|1|1|same|topicRoute
missing-group|1|1|same|updateTopic -t MQC_BAD
unknown-option|1|1|same|topicRoute -t MQC_BAD --bogus x
help|1|0|same|queryCq -h
help-no-required|0|0|same|clusterList -h
unknown-command|0|1|same|noSuchCommand
bad-number|0|1|no|queryCq -t MQC_BAD -q x -i 0
no-route|0|1|no|topicRoute -t MQC_NO_SUCH_TOPIC
CASES
    [[ $bad == 0 ]] || rc=1
fi
exit $rc
