#!/usr/bin/env bash
# conformance.sh: run the Java client conformance suite (io.rocketd.conformance.Suite, rocketmq-client 4.9.8)
# against rocketd or the Java 4.9.8 reference.
#
#   compat/java/conformance.sh rocketd [Suite args...]   start rocketd from build/ (rocketd.sh), run, stop it
#   compat/java/conformance.sh ref [Suite args...]       reuse a running reference (ref.sh status) or start
#                                                        one and stop it afterwards
#   compat/java/conformance.sh ext ADDR [Suite args...]  run against an external namesrv address
#
# Suite args: -only REGEX, -run-known, -timeout-scale X (see Suite.java). Against rocketd the known
# failures in known-failures-rocketd.txt are skipped (printed as SKIP with their issue).
# Both servers get enablePropertyFilter=true (SQL92) and transactionCheckInterval=5000 (so the check-back
# test finishes in seconds; the 4.9.8 default is 60 s).
# Environment: CONFORMANCE_JAVA_OPTS (default -Xmx256m), RD_WORK_DIR (default target/rocketd-conformance).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
JAVA="${JAVA:-java}"
CPF="$HERE/target/classpath.txt"
[[ -s "$CPF" ]] || { echo "conformance.sh: run 'make java-deps' first" >&2; exit 1; }
CP="$HERE/target/classes:$(cat "$CPF")"
EXTRA=$'enablePropertyFilter=true\ntransactionCheckInterval=5000'

flavour="${1:-}"; shift || true
known=()
stop_cmd=()
case "$flavour" in
    rocketd)
        export RD_WORK_DIR="${RD_WORK_DIR:-$HERE/target/rocketd-conformance}"
        export RD_BROKER_CONF_EXTRA="${RD_BROKER_CONF_EXTRA:-$EXTRA}"
        "$HERE/rocketd.sh" start >/dev/null
        stop_cmd=("$HERE/rocketd.sh" stop)
        NS="$(grep '^REF_NAMESRV_ADDR=' "$RD_WORK_DIR/rocketd.env" | cut -d= -f2)"
        known=(-known "$HERE/known-failures-rocketd.txt")
        WORK="$RD_WORK_DIR"
        ;;
    ref)
        if "$HERE/ref.sh" status >/dev/null 2>&1; then
            echo "conformance.sh: reusing the running Java reference" >&2
        else
            REF_BROKER_CONF_EXTRA="${REF_BROKER_CONF_EXTRA:-$EXTRA}" "$HERE/ref.sh" start >/dev/null
            stop_cmd=("$HERE/ref.sh" stop)
        fi
        NS="$("$HERE/ref.sh" env | grep '^REF_NAMESRV_ADDR=' | cut -d= -f2)"
        WORK="$(realpath -m "${REF_WORK_DIR:-$HERE/target/ref}")"
        ;;
    ext)
        NS="${1:?usage: conformance.sh ext NAMESRV_ADDR}"; shift
        WORK="$HERE/target/conformance-ext"
        ;;
    *) echo "usage: $0 rocketd|ref|ext ADDR [Suite args...]" >&2; exit 2 ;;
esac
cleanup() { if ((${#stop_cmd[@]})); then "${stop_cmd[@]}" >/dev/null 2>&1 || true; fi; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# Client logs and broadcasting offsets go under user.home: keep them in the work dir.
CLIENT_HOME="$WORK/client-home"
mkdir -p "$CLIENT_HOME"
echo "conformance.sh: Java suite against $flavour (namesrv $NS)" >&2
set +e
# A hard bound on the whole run, on top of each test's own bound.
timeout --kill-after=10 900 "$JAVA" ${CONFORMANCE_JAVA_OPTS:--Xmx256m -XX:+UseSerialGC} \
    -Duser.home="$CLIENT_HOME" -Djava.net.preferIPv4Stack=true -Drocketmq.client.logUseSlf4j=true \
    -cp "$CP" io.rocketd.conformance.Suite -n "$NS" "${known[@]}" "$@"
rc=$?
set -e
exit $rc
