#!/usr/bin/env bash
# acl.sh: the ACL judge (io.rocketd.compat.AclJudge: unmodified 4.9.8 AclClientRPCHook requests, exact codes
# and remarks) against the Java 4.9.8 reference and against rocketd, both started with aclEnable=true and
# conf/acl/plain_acl.yml. Both must give Java's answers.
#
#   compat/java/acl.sh [ref|rocketd|both]    (default both)
#
# Against the reference, the Go-client ACL tests (official Go client v2.1.2, broker/access_test.go) run too.
# Then Java mqadmin (4.9.8, signed with the admin account from tools.yml) runs updateAclConfig (create, update),
# deleteAccessConfig, updateGlobalWhiteAddr and clusterAclConfigVersion against each side; the plain_acl.yml each
# broker leaves behind must be the same text (timestamps aside), i.e. rocketd writes what a Java broker writes
# and loads.
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

judge() { # judge <flavour> <env file> <acl file>
    local ns broker
    ns="$(grep '^REF_NAMESRV_ADDR=' "$2" | cut -d= -f2)"
    broker="$(grep '^REF_BROKER_ADDR=' "$2" | cut -d= -f2)"
    echo "acl.sh: ACL judge against $1 (namesrv $ns, broker $broker)" >&2
    timeout --kill-after=10 180 "$JAVA" -Xmx128m -XX:+UseSerialGC -Duser.home="$(dirname "$2")/client-home" \
        -Djava.net.preferIPv4Stack=true -Drocketmq.client.logUseSlf4j=true \
        -cp "$CP" io.rocketd.compat.AclJudge "$ns" "$broker" "$3"
}

mqadmin() { # mqadmin <work> <ns> args...: Java mqadmin with tools.yml (the admin account) in its home
    local work=$1 ns=$2; shift 2
    mkdir -p "$work/tools-home/conf"
    printf 'accessKey: adminuser\nsecretKey: adminsecret\n' >"$work/tools-home/conf/tools.yml"
    cp "$HERE/conf/logback_tools.xml" "$work/tools-home/conf/"
    ROCKETMQ_HOME="$work/tools-home" timeout 60 "$JAVA" -Xmx128m -XX:+UseSerialGC -Djava.net.preferIPv4Stack=true \
        -Duser.home="$work/tools-home" -Drocketmq.home.dir="$work/tools-home" \
        -cp "$CP" org.apache.rocketmq.tools.command.MQAdminStartup "$1" -n "$ns" "${@:2}"
}

# admin_roundtrip <work> <env file> <acl file>: the mqadmin ACL commands; writes <work>/acl-admin.out (the
# commands' output) and <work>/acl-after.yml (the file afterwards), both with timestamps blanked.
admin_roundtrip() {
    local work=$1 env=$2 file=$3 ns broker
    ns="$(grep '^REF_NAMESRV_ADDR=' "$env" | cut -d= -f2)"
    broker="$(grep '^REF_BROKER_ADDR=' "$env" | cut -d= -f2)"
    echo "acl.sh: mqadmin ACL commands against $broker" >&2
    {
        mqadmin "$work" "$ns" updateAclConfig -b "$broker" -a newuser01 -s newsecret01 -w '192.168.1.*' -i DENY -u SUB \
            -t 'topicA=PUB,topicB=PUB|SUB' -g 'groupA=DENY' -m false
        mqadmin "$work" "$ns" updateAclConfig -b "$broker" -a newuser02 -s '12345678' -i PUB
        mqadmin "$work" "$ns" updateAclConfig -b "$broker" -a newuser01 -s newsecret02 -i 'PUB|SUB' -m true
        mqadmin "$work" "$ns" updateAclConfig -b "$broker" -a rocketmq2 -s 12345678 -t 'aclTopicPub=PUB'
        mqadmin "$work" "$ns" deleteAccessConfig -b "$broker" -a newuser02
        mqadmin "$work" "$ns" deleteAccessConfig -b "$broker" -a nosuchuser1
        mqadmin "$work" "$ns" updateGlobalWhiteAddr -b "$broker" -g '10.10.103.*,192.168.0.*' -p "$file"
        mqadmin "$work" "$ns" updateAclConfig -b "$broker" -a short -s x
        mqadmin "$work" "$ns" clusterAclConfigVersion -b "$broker"
    } 2>&1 | sed -E -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8}/<time>/g' -e "s#$broker#<broker>#g" \
        -e "s#$file#<file>#g" -e 's/[0-9]{13}/<ms>/g' -E -e 's/PlainAccessConfig@[0-9a-f]*(create|delete)/PlainAccessConfig@<hash>\1/g' -e '/^[0-9:.]+ (WARN|INFO|ERROR|DEBUG) /d' >"$work/acl-admin.out"
    sed -E 's/timestamp: [0-9]+/timestamp: <ms>/' "$file" >"$work/acl-after.yml"
    cat "$work/acl-admin.out" >&2
}

# run_side ref|rocketd: start that side with aclEnable=true and the judge's file, judge it, run the mqadmin
# commands, stop it. ref.sh and rocketd.sh take the same settings under the prefixes REF_ and RD_.
run_side() {
    local side=$1 script prefix work envfile
    case "$side" in
        ref) script="$HERE/ref.sh" prefix=REF work="$HERE/target/ref-acl" envfile=ref.env ;;
        rocketd) script="$HERE/rocketd.sh" prefix=RD work="$HERE/target/rocketd-acl" envfile=rocketd.env ;;
    esac
    export "${prefix}_WORK_DIR=$work" "${prefix}_PLAIN_ACL=$ACL_FILE" "${prefix}_BROKER_CONF_EXTRA=$EXTRA"
    rm -rf "$work/store"
    trap '"$script" stop >/dev/null 2>&1 || true' EXIT
    # A free port can be taken by another process before the broker binds it: try up to three times.
    local try
    for try in 1 2 3; do
        "$script" start >/dev/null && break
        ((try == 3)) && return 1
    done
    local rc=0
    if [[ "$side" == ref ]]; then
        # The Go-client ACL tests (broker/access_test.go) against the Java broker: the answers they expect
        # from rocketd are Java's.
        echo "acl.sh: Go client ACL tests against ref" >&2
        (cd "$HERE/../.." && ROCKETD_ACL_REF_ENV="$work/$envfile" timeout 300 "${GO:-go}" test -count=1 \
            -run 'TestACLWithGoClient|TestACLGoClientSecurityTokenIsRefused' ./broker/ 2>&1 | grep -v '^time=') || rc=1
    else
        # The same tests against rocketd in-process without -race (the Go client's push consumer races with
        # itself, so `make test-go` skips that part under -race).
        echo "acl.sh: Go client ACL tests against rocketd (in-process, no -race)" >&2
        (cd "$HERE/../.." && timeout 300 "${GO:-go}" test -count=1 \
            -run 'TestACLWithGoClient|TestACLGoClientSecurityTokenIsRefused' ./broker/ 2>&1 | grep -v '^time=') || rc=1
    fi
    judge "$side" "$work/$envfile" "$work/home/conf/plain_acl.yml" || rc=$?
    admin_roundtrip "$work" "$work/$envfile" "$work/home/conf/plain_acl.yml" || rc=$?
    "$script" stop >/dev/null 2>&1 || true
    trap - EXIT
    return $rc
}

case "${1:-both}" in
    ref | rocketd) run_side "$1" ;;
    both)
        rc=0
        run_side ref || rc=1
        run_side rocketd || rc=1
        for f in acl-admin.out acl-after.yml; do
            if ! diff -u "$HERE/target/ref-acl/$f" "$HERE/target/rocketd-acl/$f" >&2; then
                echo "acl.sh: $f differs between the Java reference (-) and rocketd (+)" >&2
                rc=1
            fi
        done
        ((rc == 0)) && echo "acl.sh: Java reference and rocketd agree" >&2
        exit $rc
        ;;
    *) echo "usage: $0 [ref|rocketd|both]" >&2; exit 2 ;;
esac
