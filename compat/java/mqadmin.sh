#!/usr/bin/env bash
# mqadmin.sh: the Java 4.9.8 mqadmin (org.apache.rocketmq.tools.command.MQAdminStartup) on the
# harness classpath. Without -n it talks to the running reference NameServer (ref.env).
#   compat/java/mqadmin.sh clusterList
#   compat/java/mqadmin.sh updateTopic -c DefaultCluster -t T
#   compat/java/mqadmin.sh sendMessage -t T -p hello
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
WORK="$(realpath -m "${REF_WORK_DIR:-$HERE/target/ref}")"
CPF="$HERE/target/classpath.txt"
[[ -s "$CPF" ]] || { echo "mqadmin.sh: run java-deps first" >&2; exit 1; }
mkdir -p "$WORK/home/conf"
[[ -f "$WORK/home/conf/logback_tools.xml" ]] || cp "$HERE/conf/logback_tools.xml" "$WORK/home/conf/"
args=("$@")
if [[ $# -gt 0 && -f "$WORK/ref.env" ]] && ! printf '%s\n' "$@" | grep -qx -- '-n'; then
    # shellcheck disable=SC1091
    source "$WORK/ref.env"
    args=("$1" -n "$REF_NAMESRV_ADDR" "${@:2}")
fi
export ROCKETMQ_HOME="$WORK/home"
exec "${JAVA:-java}" -Xmx128m -Djava.net.preferIPv4Stack=true -Duser.home="$WORK" -Drocketmq.home.dir="$WORK/home" \
    -cp "$HERE/target/classes:$(cat "$CPF")" org.apache.rocketmq.tools.command.MQAdminStartup "${args[@]}"
