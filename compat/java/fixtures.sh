#!/usr/bin/env bash
# fixtures.sh: regenerate the golden fixtures from real Java 4.9.8 runs.
#
#   remoting/testdata/java/   RemotingCommand frames encoded by the 4.9.8 remoting jar (no server)
#   namesrv/testdata/java/    requests/responses of a real 4.9.8 NameServer (started via ref.sh)
#
# The NameServer runs from a fixed work dir and port so that GET_NAMESRV_CONFIG (which echoes
# paths and the port) is byte-stable across runs:
#   FIXTURE_WORK_DIR      (default /tmp/rocketd-java-fixtures; wiped first)
#   FIXTURE_NAMESRV_PORT  (default 39876)
# Run `make -f compat/java/java.mk java-deps` (or `make java-deps`) first.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
JAVA="${JAVA:-java}"
WORK="${FIXTURE_WORK_DIR:-/tmp/rocketd-java-fixtures}"
PORT="${FIXTURE_NAMESRV_PORT:-39876}"
CPF="$HERE/target/classpath.txt"
[[ -s "$CPF" ]] || { echo "fixtures.sh: run java-deps first" >&2; exit 1; }
CP="$HERE/target/classes:$(cat "$CPF")"

clean_dir() { # remove only generated files, keep README.md
    mkdir -p "$1"
    find "$1" -maxdepth 1 -type f ! -name README.md -delete
}

echo "fixtures.sh: remoting frames -> remoting/testdata/java" >&2
clean_dir "$ROOT/remoting/testdata/java"
"$JAVA" -Xmx128m -cp "$CP" io.rocketd.compat.FrameFixtures "$ROOT/remoting/testdata/java"

echo "fixtures.sh: namesrv scenario -> namesrv/testdata/java (namesrv on 127.0.0.1:$PORT, work dir $WORK)" >&2
export REF_WORK_DIR="$WORK" REF_NAMESRV_PORT="$PORT"
"$HERE/ref.sh" stop >/dev/null 2>&1 || true
rm -rf "$WORK"
trap '"$HERE/ref.sh" stop || true' EXIT
"$HERE/ref.sh" start namesrv >/dev/null
clean_dir "$ROOT/namesrv/testdata/java"
"$JAVA" -Xmx128m -cp "$CP" io.rocketd.compat.NamesrvFixtures "127.0.0.1:$PORT" "$ROOT/namesrv/testdata/java"
echo "fixtures.sh: done" >&2
