package conf

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// MaxHaTransferBatchSize is the largest haTransferBatchSize a slave can receive: its read buffer (4 MiB, Java
// HAClient READ_MAX_BUFFER_SIZE; store/ha.ReadBufferSize) minus the 12-byte frame header.
const MaxHaTransferBatchSize = 4<<20 - 12

// Settings that Java 4.9.8 honours but rocketd does not implement yet.
//
// A setting that only tunes Java internals (thread counts, Netty buffers,
// pooled allocators) changes nothing a client or an operator can observe and
// stays accepted. A setting that changes what the server promises (how data
// is replicated or laid out on disk, where the name server list comes from,
// whether a link is encrypted) must not be accepted silently: the server
// refuses to start and the message names the key, says it is not supported
// yet and what to do instead.
//
// Adding a refusal is one row in brokerUnsupported or namesrvUnsupported.
// Removing one is deleting the row when the feature lands.

// Unsupported is one row of a refusal table.
type Unsupported[C any] struct {
	// Key is the config key, spelled as in the file.
	Key string
	// Value is the offending value as it should read in the message
	// ("true", "a path list with ','").
	Value func(*C) (string, bool)
	// Todo says what to do instead.
	Todo string
}

// isTrue is a Value for a boolean key: offending when true.
func isTrue[C any](get func(*C) bool) func(*C) (string, bool) {
	return func(c *C) (string, bool) { return "true", get(c) }
}

var brokerUnsupported = []Unsupported[Broker]{
	{
		Key:   "enableDLegerCommitLog",
		Value: isTrue(func(b *Broker) bool { return b.Store.EnableDLegerCommitLog }),
		Todo:  "remove the key (or set it to false); run a Java broker for a DLedger group",
	},
	{
		Key: "storePathCommitLog",
		Value: func(b *Broker) (string, bool) {
			return b.Store.StorePathCommitLog, strings.Contains(b.Store.StorePathCommitLog, ",")
		},
		Todo: "multi-path CommitLog is not supported yet; give one directory",
	},
	{
		Key: "readOnlyCommitLogStorePaths",
		Value: func(b *Broker) (string, bool) {
			return b.Store.ReadOnlyCommitLogStorePaths, b.Store.ReadOnlyCommitLogStorePaths != ""
		},
		Todo: "multi-path CommitLog is not supported yet; remove the key",
	},
	{
		Key: "transientStorePoolEnable",
		// Java only uses the pool with ASYNC_FLUSH on a master; elsewhere the
		// key has no effect and is accepted.
		Value: isTrue(func(b *Broker) bool { return b.Store.TransientStorePoolInUse() }),
		Todo:  "remove the key (or set it to false); writes go through the page cache",
	},
	{
		Key:   "enableConsumeQueueExt",
		Value: isTrue(func(b *Broker) bool { return b.Store.EnableConsumeQueueExt }),
		Todo:  "remove the key (or set it to false); consume queue extension files are not written",
	},
	{
		Key:   "duplicationEnable",
		Value: isTrue(func(b *Broker) bool { return b.Store.DuplicationEnable }),
		Todo:  "remove the key (or set it to false)",
	},
	{
		Key:   "enableLmq",
		Value: isTrue(func(b *Broker) bool { return b.Store.EnableLmq }),
		Todo:  "remove the key (or set it to false); light message queues are not implemented",
	},
	{
		Key:   "enableMultiDispatch",
		Value: isTrue(func(b *Broker) bool { return b.Store.EnableMultiDispatch }),
		Todo:  "remove the key (or set it to false); multi-dispatch (LMQ) is not implemented",
	},
	{
		Key:   "enableScheduleAsyncDeliver",
		Value: isTrue(func(b *Broker) bool { return b.Store.EnableScheduleAsyncDeliver }),
		Todo: "remove the key (or set it to false); delayed messages are delivered synchronously (Java's default), " +
			"the asynchronous delivery with its resend and blocking limits is not implemented",
	},
	{
		Key:   "fetchNamesrvAddrByAddressServer",
		Value: isTrue(func(b *Broker) bool { return b.Broker.FetchNamesrvAddrByAddressServer }),
		Todo:  "set namesrvAddr (or -n) to the name server list instead",
	},
	{
		// Java sends CommitLog bytes to a slave in frames of a 12-byte header and at most haTransferBatchSize
		// bytes; both Java's HAClient and rocketd's slave read into a 4 MiB buffer. A larger frame never
		// completes there: the slave stalls, drops the link after haHousekeepingInterval, reconnects and gets
		// the same frame again. A value <= 0 sends empty frames forever (Java) and so cannot work either.
		Key: "haTransferBatchSize",
		Value: func(b *Broker) (string, bool) {
			v := b.Store.HaTransferBatchSize
			return strconv.Itoa(v), v <= 0 || v > MaxHaTransferBatchSize
		},
		Todo: "a slave (Java's or rocketd's) reads replication frames into a 4 MiB buffer, so a batch above " +
			strconv.Itoa(MaxHaTransferBatchSize) + " bytes (4 MiB minus the 12-byte frame header) never completes " +
			"and replication stalls; set it between 1 and " + strconv.Itoa(MaxHaTransferBatchSize) + " (default 32768)",
	},
	{
		Key:   "useTLS",
		Value: isTrue(func(b *Broker) bool { return b.Client.UseTLS }),
		Todo:  "remove the key (or set it to false); TLS to the name server is not implemented",
	},
}

var namesrvUnsupported = []Unsupported[Namesrv]{
	{
		Key:   "clusterTest",
		Value: isTrue(func(n *Namesrv) bool { return n.Namesrv.ClusterTest }),
		Todo:  "remove the key (or set it to false); cluster-test route lookup is not implemented",
	},
}

// ErrUnsupported marks a setting that rocketd does not implement yet.
var ErrUnsupported = errors.New("not supported yet by rocketd")

func checkUnsupported[C any](c *C, rows []Unsupported[C]) error {
	var errs []error
	for _, r := range rows {
		if v, bad := r.Value(c); bad {
			errs = append(errs, fmt.Errorf("%s=%s is %w: %s", r.Key, v, ErrUnsupported, r.Todo))
		}
	}
	return errors.Join(errs...)
}

// CheckSupported returns an error naming every setting in b that rocketd does
// not implement yet (nil when there is none). mqbroker refuses to start on it.
func (b *Broker) CheckSupported() error { return checkUnsupported(b, brokerUnsupported) }

// CheckSupported returns an error naming every setting in n that rocketd does
// not implement yet (nil when there is none). mqnamesrv refuses to start on it.
func (n *Namesrv) CheckSupported() error { return checkUnsupported(n, namesrvUnsupported) }
