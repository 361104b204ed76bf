package client

import (
	"time"

	"github.com/rocketd/rocketd/remoting"
)

// ChannelInfo is one client connection of a group.
type ChannelInfo struct {
	Conn       *remoting.Conn
	ClientID   string
	Language   remoting.LanguageCode
	Version    int32
	LastUpdate time.Time
}

// ChannelExpiry is how long a client connection may go without a heartbeat (Java: 120 s).
const ChannelExpiry = 120 * time.Second
