# shellcheck shell=bash
# lib.sh: the process shell ref.sh (Java 4.9.8 reference) and rocketd.sh (rocketd from build/) share:
# free loopback ports, the state file, readiness waits, a bounded stop. Sourced, never run.
#
# The sourcing script sets, before it calls any function here:
#   LIB_NAME        name in messages (ref.sh, rocketd.sh)
#   WORK, STATE     work dir and the state file (REF_* variables, sourced by load_state)
#   START_TIMEOUT   seconds wait_for waits; STOP_TIMEOUT: seconds between SIGTERM and SIGKILL
#   START_LOGS      array of log files whose tails fail_start prints
# and defines ours <pid>: true if the pid is a server this script started for $WORK (stop_pid and
# do_status only touch those, so a reused pid is never signalled).

die() { echo "$LIB_NAME: $*" >&2; exit 1; }
log() { echo "$LIB_NAME: $*" >&2; }

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_port() { # free_port <below> <above>: a port p with p-below..p+above all free
    local below=$1 above=$2 p i ok tries=0
    while ((tries++ < 200)); do
        p=$((20000 + RANDOM % 30000))
        ok=1
        for ((i = p - below; i <= p + above; i++)); do
            if port_in_use "$i"; then ok=0; break; fi
        done
        ((ok)) && { echo "$p"; return 0; }
    done
    die "no free port found"
}

alive() { [[ -n "${1:-}" ]] && kill -0 "$1" 2>/dev/null; }

load_state() { # sets NAMESRV_PID and BROKER_PID from $STATE (empty when there is none)
    REF_NAMESRV_PID="" REF_BROKER_PID=""
    # shellcheck disable=SC1090
    [[ -f "$STATE" ]] && source "$STATE"
    NAMESRV_PID="${REF_NAMESRV_PID:-}"
    BROKER_PID="${REF_BROKER_PID:-}"
}

stop_pid() { # stop_pid <name> <pid>
    local name=$1 pid=$2 t
    [[ -n "$pid" ]] || return 0
    ours "$pid" || return 0
    log "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    for ((t = 0; t < STOP_TIMEOUT * 10; t++)); do
        alive "$pid" || return 0
        sleep 0.1
    done
    log "$name did not exit within ${STOP_TIMEOUT}s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    for ((t = 0; t < 50; t++)); do alive "$pid" || return 0; sleep 0.1; done
    log "warning: $name (pid $pid) still alive"
}

do_stop() {
    load_state
    stop_pid broker "$BROKER_PID"
    stop_pid namesrv "$NAMESRV_PID"
    rm -f "$STATE"
}

fail_start() { # fail_start <reason>: print the log tails, stop what was started, exit 1
    log "start failed: $*"
    local f
    for f in "${START_LOGS[@]}"; do
        [[ -s "$f" ]] && { echo "----- tail $f" >&2; tail -n 25 "$f" >&2; }
    done
    do_stop
    exit 1
}

wait_for() { # wait_for <what> <pid> <command...>: until the command succeeds, the pid dies or START_TIMEOUT
    local what=$1 pid=$2; shift 2
    local deadline=$((SECONDS + START_TIMEOUT))
    while ((SECONDS < deadline)); do
        alive "$pid" || fail_start "$what exited early"
        if "$@" >/dev/null 2>&1; then return 0; fi
        sleep 0.3
    done
    fail_start "$what not ready within ${START_TIMEOUT}s"
}

do_status() { # the broker line only when the state names a broker (ref.sh start namesrv has none)
    load_state
    local rc=0
    if ours "$NAMESRV_PID"; then echo "namesrv: running (pid $NAMESRV_PID)"; else echo "namesrv: not running"; rc=1; fi
    if [[ -n "$BROKER_PID" ]]; then
        if ours "$BROKER_PID"; then echo "broker: running (pid $BROKER_PID)"; else echo "broker: not running"; rc=1; fi
    fi
    [[ -f "$STATE" ]] && cat "$STATE"
    return $rc
}

print_env() { [[ -f "$STATE" ]] && cat "$STATE" || die "not running"; }
