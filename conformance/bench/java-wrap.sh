#!/usr/bin/env bash
# java-wrap.sh: the JAVA that bench-compare hands compat/java/ref.sh. ref.sh gives the NameServer and the
# Broker the same REF_JAVA_OPTS; bench-compare sets them to the broker's runbroker.sh options, and this
# wrapper drops -XX:+AlwaysPreTouch from the NameServer's command line so only the measured broker
# pre-touches its heap. Everything else passes through unchanged (exec: the pid stays the JVM's).
set -euo pipefail
real="${BENCH_REAL_JAVA:-java}"
namesrv=0
for a in "$@"; do
    [[ "$a" == org.apache.rocketmq.namesrv.NamesrvStartup ]] && namesrv=1
done
args=()
for a in "$@"; do
    if ((namesrv)) && [[ "$a" == -XX:+AlwaysPreTouch ]]; then continue; fi
    args+=("$a")
done
exec "$real" "${args[@]}"
