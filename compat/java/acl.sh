#!/usr/bin/env bash
# acl.sh: the ACL judge (io.rocketd.compat.AclJudge: unmodified 4.9.8 AclClientRPCHook requests, exact codes
# and remarks) against the Java 4.9.8 reference and against rocketd, both started with aclEnable=true and
# conf/acl/plain_acl.yml. Both must give Java's answers.
#
#   compat/java/acl.sh [ref|rocketd|both]    (default both)
#
# Each side runs in its own work dir (target/ref-acl, target/rocketd-acl), so a running reference is not
# disturbed. Takes about 40 s (the Java broker's start and stop dominate).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
JAVA="${JAVA:-java}"
CPF="$HERE/target/classpath.txt"
[[ -s "$CPF" ]] || { echo "acl.sh: run 'make java-deps' first" >&2; exit 1; }
CP="$HERE/target/classes:$(cat "$CPF")"
ACL_FILE="$HERE/conf/acl/plain_acl.yml"
EXTRA="aclEnable=true"

judge() { # judge <flavour> <env file>
    local ns broker
    ns="$(grep '^REF_NAMESRV_ADDR=' "$2" | cut -d= -f2)"
    broker="$(grep '^REF_BROKER_ADDR=' "$2" | cut -d= -f2)"
    echo "acl.sh: ACL judge against $1 (namesrv $ns, broker $broker)" >&2
    timeout --kill-after=10 180 "$JAVA" -Xmx128m -XX:+UseSerialGC -Duser.home="$(dirname "$2")/client-home" \
        -Djava.net.preferIPv4Stack=true -Drocketmq.client.logUseSlf4j=true \
        -cp "$CP" io.rocketd.compat.AclJudge "$ns" "$broker"
}

run_ref() {
    export REF_WORK_DIR="$HERE/target/ref-acl"
    rm -rf "$REF_WORK_DIR/store"
    trap '"$HERE/ref.sh" stop >/dev/null 2>&1 || true' EXIT
    REF_PLAIN_ACL="$ACL_FILE" REF_BROKER_CONF_EXTRA="$EXTRA" "$HERE/ref.sh" start >/dev/null
    local rc=0
    judge ref "$REF_WORK_DIR/ref.env" || rc=$?
    "$HERE/ref.sh" stop >/dev/null 2>&1 || true
    trap - EXIT
    return $rc
}

run_rocketd() {
    export RD_WORK_DIR="$HERE/target/rocketd-acl"
    trap '"$HERE/rocketd.sh" stop >/dev/null 2>&1 || true' EXIT
    RD_PLAIN_ACL="$ACL_FILE" RD_BROKER_CONF_EXTRA="$EXTRA" "$HERE/rocketd.sh" start >/dev/null
    local rc=0
    judge rocketd "$RD_WORK_DIR/rocketd.env" || rc=$?
    "$HERE/rocketd.sh" stop >/dev/null 2>&1 || true
    trap - EXIT
    return $rc
}

case "${1:-both}" in
    ref) run_ref ;;
    rocketd) run_rocketd ;;
    both) rc=0; run_ref || rc=1; run_rocketd || rc=1; exit $rc ;;
    *) echo "usage: $0 [ref|rocketd|both]" >&2; exit 2 ;;
esac
