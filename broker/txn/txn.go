// Package txn is the broker side of transactional messages: half (prepared) messages in
// RMQ_SYS_TRANS_HALF_TOPIC, their resolution by END_TRANSACTION (commit writes the real message, both write
// an op record to RMQ_SYS_TRANS_OP_HALF_TOPIC with tag "d" and the half queue offset as body), and the check
// service that asks a producer of the half message's PGROUP about unresolved ones (CHECK_TRANSACTION_STATE,
// oneway, body = the half record with its real topic and queue restored).
//
// Java: broker/transaction/queue/TransactionalMessageBridge, TransactionalMessageServiceImpl,
// DefaultTransactionalMessageCheckListener, TransactionalMessageCheckService, processor/EndTransactionProcessor.
// Same on-disk state: half and op records, check progress as consumer offsets of CID_RMQ_SYS_TRANS on both
// queues in consumerOffset.json, TRANSACTION_CHECK_TIMES on re-put copies, TRANS_CHECK_MAX_TIME_TOPIC for the
// ones checked too often. Differences, deliberate:
//   - a check run reads every op record from the committed op offset first (Java reads 32 at a time while it
//     walks); the outcome is the same, without Java's read-ahead heuristics.
//   - resolutions are also remembered in memory by UNIQ_KEY: a half message (or a re-put copy of it) whose
//     transaction was already committed or rolled back is never checked again, and a second commit of the same
//     transaction is answered without writing the message twice.
package txn

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"strconv"
	"sync"
	"time"

	"github.com/rocketd/rocketd/compat"
	"github.com/rocketd/rocketd/remoting"
	"github.com/rocketd/rocketd/remoting/code"
	"github.com/rocketd/rocketd/remoting/header"
	"github.com/rocketd/rocketd/store"
	"github.com/rocketd/rocketd/store/commitlog"
)

// Topics and group (TopicValidator, MixAll, TransactionalMessageUtil).
const (
	HalfTopic         = "RMQ_SYS_TRANS_HALF_TOPIC"
	OpTopic           = "RMQ_SYS_TRANS_OP_HALF_TOPIC"
	CheckMaxTimeTopic = "TRANS_CHECK_MAX_TIME_TOPIC"
	Group             = "CID_RMQ_SYS_TRANS"
	RemoveTag         = "d"
)

// Store is what the service needs from the message store.
type Store interface {
	GetMessage(group, topic string, queueID int32, offset int64, maxMsgNums int, filter store.MessageFilter) *store.GetMessageResult
	PutMessage(ctx context.Context, msg *store.Message) store.PutResult
	LookMessageByOffset(phyOffset int64) ([]byte, error)
	GetMinOffsetInQueue(topic string, queueID int32) int64
	GetMaxOffsetInQueue(topic string, queueID int32) int64
}

// Offsets keeps the check progress (the consumer offset manager).
type Offsets interface {
	Query(group, topic string, queueID int32) (int64, bool)
	Commit(group, topic string, queueID int32, offset int64)
}

// Producers finds a live producer connection of a group.
type Producers interface {
	AvailableChannel(group string) *remoting.Conn
}

// Options configure a Service. Durations of zero take Java's defaults.
type Options struct {
	Store     Store
	Offsets   Offsets
	Producers Producers
	StoreHost netip.AddrPort // born/store host of op records
	// Timeout is transactionTimeOut: a half message is first checked this long after it was born.
	Timeout time.Duration
	// Interval is transactionCheckInterval.
	Interval time.Duration
	// CheckMax is transactionCheckMax.
	CheckMax int
	// Reserved is fileReservedTime: older half messages are given up.
	Reserved time.Duration
	// Settings, when set, is read before every pass for Timeout, Interval and CheckMax (UPDATE_BROKER_CONFIG
	// changes them at run time, as Java reads its BrokerConfig each time); values <= 0 keep the fields above.
	Settings func() (timeout, interval time.Duration, checkMax int)
	// EnsureTopic creates a system topic (TRANS_CHECK_MAX_TIME_TOPIC) with 1 queue and perm 6.
	EnsureTopic func(name string)
	Log         *slog.Logger
}

// Service owns the transaction state.
type Service struct {
	opts Options
	log  *slog.Logger

	mu       sync.Mutex
	resolved map[string]time.Time // UNIQ_KEY -> when it was committed / rolled back
	checkMu  sync.Mutex           // one check run at a time

	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// New makes a service; Start runs the check loop.
func New(opts Options) *Service {
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 6 * time.Second
	}
	if opts.Interval <= 0 {
		opts.Interval = 60 * time.Second
	}
	if opts.CheckMax <= 0 {
		opts.CheckMax = 15
	}
	if opts.Reserved <= 0 {
		opts.Reserved = 72 * time.Hour
	}
	if opts.EnsureTopic == nil {
		opts.EnsureTopic = func(string) {}
	}
	return &Service{opts: opts, log: opts.Log.With("component", "transaction"), resolved: map[string]time.Time{}}
}

// Start runs a check every Interval.
func (s *Service) Start() {
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			_, interval, _ := s.settings()
			t := time.NewTimer(interval)
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
				s.Check(ctx)
			}
		}
	}()
}

// settings returns the current Timeout, Interval and CheckMax.
func (s *Service) settings() (timeout, interval time.Duration, checkMax int) {
	timeout, interval, checkMax = s.opts.Timeout, s.opts.Interval, s.opts.CheckMax
	if s.opts.Settings != nil {
		t, i, c := s.opts.Settings()
		if t > 0 {
			timeout = t
		}
		if i > 0 {
			interval = i
		}
		if c > 0 {
			checkMax = c
		}
	}
	return
}

// Stop ends the check loop.
func (s *Service) Stop() {
	if s.cancel != nil {
		s.cancel()
		s.wg.Wait()
	}
}

// PrepareHalf turns a transactional send into its half message (Java parseHalfMessageInner): REAL_TOPIC and
// REAL_QID added, transaction bits reset to NOT_TYPE, topic RMQ_SYS_TRANS_HALF_TOPIC queue 0, properties
// re-encoded (so WAIT, when the client sent it, is stored as Java stores it).
func PrepareHalf(m *store.Message) {
	props := m.Properties
	if props == nil {
		props = map[string]string{}
	}
	props[compat.PropertyRealTopic] = m.Topic
	props[compat.PropertyRealQueueID] = strconv.Itoa(int(m.QueueID))
	m.Properties = props
	m.PropertiesString = compat.EncodeProperties(props)
	m.SysFlag = compat.ResetTransactionValue(m.SysFlag, compat.TransactionNotType)
	m.Topic = HalfTopic
	m.QueueID = 0
}

// half is a decoded half message record.
type half struct {
	rec   commitlog.Record
	props map[string]string
}

// halfCopy is a copy of hm for RMQ_SYS_TRANS_HALF_TOPIC queue queueID with the properties in set added or
// replaced (Java renewHalfMessageInner): the stored properties string is re-encoded, WAIT=false in memory only.
func (hm *half) halfCopy(queueID int32, set map[string]string) *store.Message {
	props := make(map[string]string, len(hm.props)+len(set)+1)
	for k, v := range hm.props {
		props[k] = v
	}
	for k, v := range set {
		props[k] = v
	}
	propStr := compat.EncodeProperties(props)
	props[compat.PropertyWaitStoreMsgOK] = "false"
	return &store.Message{
		Topic: HalfTopic, QueueID: queueID, Flag: hm.rec.Flag, Body: hm.rec.Body, Properties: props,
		PropertiesString: propStr, SysFlag: hm.rec.SysFlag, BornTimestamp: hm.rec.BornTimestamp,
		BornHost: commitlog.DecodeHost(hm.rec.BornHost), StoreHost: commitlog.DecodeHost(hm.rec.StoreHost),
		ReconsumeTimes: hm.rec.ReconsumeTimes,
	}
}

func decodeHalf(raw []byte) (*half, error) {
	rec, err := commitlog.Decode(raw, false)
	if err != nil {
		return nil, err
	}
	return &half{rec: rec, props: compat.DecodeProperties(string(rec.Properties))}, nil
}

func (s *Service) isResolved(uniq string) bool {
	if uniq == "" {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.resolved[uniq]
	return ok
}

// markResolved records uniq; false when it was already resolved.
func (s *Service) markResolved(uniq string) bool {
	if uniq == "" {
		return true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.resolved[uniq]; ok {
		return false
	}
	now := time.Now()
	s.resolved[uniq] = now
	// Forget resolutions no copy can still refer to.
	if len(s.resolved)%1024 == 0 {
		keep := time.Duration(s.opts.CheckMax+2)*s.opts.Interval + s.opts.Timeout
		for k, at := range s.resolved {
			if now.Sub(at) > keep {
				delete(s.resolved, k)
			}
		}
	}
	return true
}

func (s *Service) unmarkResolved(uniq string) {
	s.mu.Lock()
	delete(s.resolved, uniq)
	s.mu.Unlock()
}

// End handles END_TRANSACTION (Java EndTransactionProcessor). It returns nil when no answer is due (type 0,
// unknown types), otherwise the response code and remark.
func (s *Service) End(h *header.EndTransactionRequestHeader) (respCode int32, remark string, answer bool) {
	switch h.CommitOrRollback {
	case header.TransactionCommitType, header.TransactionRollbackType:
	default:
		return 0, "", false
	}
	raw, err := s.opts.Store.LookMessageByOffset(h.CommitLogOffset)
	if err != nil {
		return code.SystemError, "Find prepared transaction message failed", true
	}
	hm, err := decodeHalf(raw)
	if err != nil || string(hm.rec.Topic) != HalfTopic {
		return code.SystemError, "Find prepared transaction message failed", true
	}
	if hm.props[compat.PropertyProducerGroup] != h.ProducerGroup {
		return code.SystemError, "The producer group wrong", true
	}
	if hm.rec.QueueOffset != h.TranStateTableOffset {
		return code.SystemError, "The transaction state table offset wrong", true
	}
	if hm.rec.PhysicalOffset != h.CommitLogOffset {
		return code.SystemError, "The commit log offset wrong", true
	}
	uniq := hm.props[compat.PropertyUniqClientMessageIDKeyIdx]
	first := s.markResolved(uniq)
	if h.CommitOrRollback == header.TransactionCommitType && first {
		m, err := CommitMessage(hm)
		if err != nil {
			s.unmarkResolved(uniq)
			return code.SystemError, err.Error(), true
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		res := s.opts.Store.PutMessage(ctx, m)
		cancel()
		if !res.OK() {
			s.unmarkResolved(uniq)
			return putFailure(res)
		}
	}
	if err := s.writeOp(hm); err != nil {
		s.log.Error("writing the transaction op record failed; the half message will be checked again", "offset", h.CommitLogOffset, "err", err)
	}
	return code.Success, "", true
}

func putFailure(res store.PutResult) (int32, string, bool) {
	switch res.Status {
	case store.CreateMappedFileFailed:
		return code.SystemError, "Create mapped file failed.", true
	case store.MessageIllegal, store.PropertiesSizeExceeded:
		return code.MessageIllegal, "The message is illegal, maybe msg body or properties length not matched.", true
	case store.ServiceNotAvailable:
		return code.ServiceNotAvailable, "service not available now.", true
	case store.OSPageCacheBusy:
		return code.SystemError, "OS page cache busy, please try another machine", true
	default:
		return code.SystemError, "UNKNOWN_ERROR DEFAULT", true
	}
}

// CommitMessage is the real message of a half message (Java endMessageTransaction): topic and queue from
// REAL_TOPIC / REAL_QID, transaction type COMMIT, PREPAREDTRANSACTIONOFFSET = the half's commit-log offset.
// The stored properties are the half's, as Java stores them (REAL_TOPIC, REAL_QID and TRAN_MSG included);
// the in-memory map loses them (a DELAY still applies).
func CommitMessage(hm *half) (*store.Message, error) {
	topic, ok1 := hm.props[compat.PropertyRealTopic]
	qs, ok2 := hm.props[compat.PropertyRealQueueID]
	qid, err := strconv.Atoi(qs)
	if !ok1 || !ok2 || err != nil {
		return nil, fmt.Errorf("the half message at %d has no valid REAL_TOPIC / REAL_QID", hm.rec.PhysicalOffset)
	}
	props := make(map[string]string, len(hm.props))
	for k, v := range hm.props {
		props[k] = v
	}
	propStr := string(hm.rec.Properties)
	delete(props, compat.PropertyRealTopic)
	delete(props, compat.PropertyRealQueueID)
	delete(props, compat.PropertyTransactionPrepared)
	return &store.Message{
		Topic: topic, QueueID: int32(qid), Flag: hm.rec.Flag, Body: append([]byte(nil), hm.rec.Body...),
		Properties: props, PropertiesString: propStr,
		SysFlag:       compat.ResetTransactionValue(hm.rec.SysFlag, compat.TransactionCommitType),
		BornTimestamp: hm.rec.BornTimestamp, BornHost: commitlog.DecodeHost(hm.rec.BornHost),
		StoreHost: commitlog.DecodeHost(hm.rec.StoreHost), ReconsumeTimes: hm.rec.ReconsumeTimes,
		PreparedTransactionOffset: hm.rec.PhysicalOffset,
	}, nil
}

// writeOp appends the op record that marks the half message at its queue offset as resolved.
func (s *Service) writeOp(hm *half) error {
	props := map[string]string{compat.PropertyTags: RemoveTag, compat.PropertyWaitStoreMsgOK: "false"}
	m := &store.Message{
		Topic: OpTopic, QueueID: hm.rec.QueueID, Body: []byte(strconv.FormatInt(hm.rec.QueueOffset, 10)),
		Properties:       props,
		PropertiesString: compat.EncodeProperties(map[string]string{compat.PropertyTags: RemoveTag, compat.PropertyWaitStoreMsgOK: "true"}),
		BornTimestamp:    time.Now().UnixMilli(), BornHost: s.opts.StoreHost, StoreHost: s.opts.StoreHost,
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if res := s.opts.Store.PutMessage(ctx, m); !res.OK() {
		return fmt.Errorf("put op record: %s %v", res.Status, res.Err)
	}
	return nil
}

// ErrNoMessage is Resume's error when phyOffset names no readable record (Java's exception path, remark
// "Exception was thrown when putting message back to RMQ_SYS_TRANS_HALF_TOPIC.").
var ErrNoMessage = errors.New("txn: no message at that commit log offset")

// Resume is RESUME_CHECK_HALF_MESSAGE: the record at phyOffset (typically in TRANS_CHECK_MAX_TIME_TOPIC) is
// written back to the half queue with TRANSACTION_CHECK_TIMES=0, so it is checked again.
func (s *Service) Resume(phyOffset int64) error {
	raw, err := s.opts.Store.LookMessageByOffset(phyOffset)
	if err != nil {
		return fmt.Errorf("%w: %d: %v", ErrNoMessage, phyOffset, err)
	}
	hm, err := decodeHalf(raw)
	if err != nil {
		return fmt.Errorf("%w: %d: %v", ErrNoMessage, phyOffset, err)
	}
	m := hm.halfCopy(0, map[string]string{compat.PropertyTransactionCheckTimes: "0"})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if res := s.opts.Store.PutMessage(ctx, m); res.Status != store.PutOK {
		return fmt.Errorf("put: %s %v", res.Status, res.Err)
	}
	if uniq := hm.props[compat.PropertyUniqClientMessageIDKeyIdx]; uniq != "" {
		s.unmarkResolved(uniq)
	}
	return nil
}
