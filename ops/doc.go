// Package ops is what the two commands (bin/mqnamesrv, bin/mqbroker) share to be operated: the build version
// (--version), the logger (-log-level, -log-file with size rotation, one component key per line) and the
// opt-in monitoring HTTP listener (/metrics, /healthz, /readyz, /debug/pprof/).
//
// The servers themselves (broker, namesrv) only register Prometheus collectors and readiness checks; this
// package owns the flags, the config keys of the same meaning and the listener.
package ops
