package ops

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// Set at build time by the Makefile:
//
//	go build -ldflags "-X github.com/rocketd/rocketd/ops.version=v1.2.3 -X github.com/rocketd/rocketd/ops.commit=abc1234"
//
// When they are empty (plain `go build`, `go install`), BuildVersion falls back to the module version and the
// VCS stamp Go embeds (debug.ReadBuildInfo).
var (
	version string
	commit  string
)

// Build describes the running binary.
type Build struct {
	Version   string // release tag, "(devel)" or "dev" when unknown
	Commit    string // VCS revision, "+dirty" when built from a modified tree; "unknown" when not stamped
	GoVersion string // e.g. go1.26.8
	Platform  string // GOOS/GOARCH
}

// BuildVersion reports the version, commit and Go toolchain of this binary.
func BuildVersion() Build {
	b := Build{Version: version, Commit: commit, GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if info, ok := debug.ReadBuildInfo(); ok {
		if b.Version == "" && info.Main.Version != "" && info.Main.Version != "(devel)" {
			b.Version = info.Main.Version
		}
		if b.Commit == "" {
			var rev, modified string
			for _, s := range info.Settings {
				switch s.Key {
				case "vcs.revision":
					rev = s.Value
				case "vcs.modified":
					modified = s.Value
				}
			}
			if len(rev) > 12 {
				rev = rev[:12]
			}
			if rev != "" && modified == "true" {
				rev += "+dirty"
			}
			b.Commit = rev
		}
	}
	if b.Version == "" {
		b.Version = "dev"
	}
	if b.Commit == "" {
		b.Commit = "unknown"
	}
	return b
}

// String is the one line --version prints after the command name.
func (b Build) String() string {
	return fmt.Sprintf("%s (commit %s, %s %s, RocketMQ 4.9.8 protocol)", b.Version, b.Commit, b.GoVersion, b.Platform)
}
