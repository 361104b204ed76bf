package conf

import (
	"fmt"
	"strings"
)

// BrokerRole is MessageStoreConfig.brokerRole. Values are spelled exactly as
// the Java enum constants; Java rejects any other spelling (case included).
type BrokerRole string

// The broker roles of RocketMQ 4.9.8.
const (
	AsyncMaster BrokerRole = "ASYNC_MASTER"
	SyncMaster  BrokerRole = "SYNC_MASTER"
	Slave       BrokerRole = "SLAVE"
)

var brokerRoles = []BrokerRole{AsyncMaster, SyncMaster, Slave}

// IsMaster reports whether the role accepts writes (ASYNC_MASTER or SYNC_MASTER).
func (r BrokerRole) IsMaster() bool { return r == AsyncMaster || r == SyncMaster }

// Validate reports whether r is one of the known roles.
func (r BrokerRole) Validate() error { return oneOf(string(r), brokerRoles) }

// UnmarshalText accepts only the exact Java constant names.
func (r *BrokerRole) UnmarshalText(b []byte) error {
	v := BrokerRole(b)
	if err := v.Validate(); err != nil {
		return err
	}
	*r = v
	return nil
}

// FlushDiskType is MessageStoreConfig.flushDiskType.
type FlushDiskType string

// The flush modes of RocketMQ 4.9.8.
const (
	AsyncFlush FlushDiskType = "ASYNC_FLUSH"
	SyncFlush  FlushDiskType = "SYNC_FLUSH"
)

var flushDiskTypes = []FlushDiskType{AsyncFlush, SyncFlush}

// Validate reports whether t is one of the known flush modes.
func (t FlushDiskType) Validate() error { return oneOf(string(t), flushDiskTypes) }

// UnmarshalText accepts only the exact Java constant names.
func (t *FlushDiskType) UnmarshalText(b []byte) error {
	v := FlushDiskType(b)
	if err := v.Validate(); err != nil {
		return err
	}
	*t = v
	return nil
}

func oneOf[T ~string](v string, allowed []T) error {
	names := make([]string, len(allowed))
	for i, a := range allowed {
		if string(a) == v {
			return nil
		}
		names[i] = string(a)
	}
	return fmt.Errorf("must be one of %s (exact case)", strings.Join(names, ", "))
}
