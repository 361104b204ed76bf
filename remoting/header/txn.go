package header

import "strconv"

// Transaction headers: END_TRANSACTION (37), the broker-to-producer CHECK_TRANSACTION_STATE (39) and
// RESUME_CHECK_HALF_MESSAGE (323). Java: EndTransactionRequestHeader, CheckTransactionStateRequestHeader,
// ResumeCheckHalfMessageRequestHeader.

// Values of EndTransactionRequestHeader.CommitOrRollback (MessageSysFlag transaction types).
const (
	TransactionNotType      int32 = 0  // unknown: the broker keeps the half message and checks back later
	TransactionCommitType   int32 = 8  // commit
	TransactionRollbackType int32 = 12 // roll back
)

// EndTransactionRequestHeader is the END_TRANSACTION request (Java producers send it oneway).
type EndTransactionRequestHeader struct {
	ProducerGroup        string // producerGroup, required
	TranStateTableOffset int64  // tranStateTableOffset, required: the half message's queue offset
	CommitLogOffset      int64  // commitLogOffset, required: the half message's commit-log offset
	CommitOrRollback     int32  // commitOrRollback, required: 0, 8 or 12
	FromTransactionCheck bool   // fromTransactionCheck, default false: true when answering a check
	MsgID                string // msgId, required: the client msgId (UNIQ_KEY)
	TransactionID        string // transactionId, optional
	BrokerName           string // bname, optional
}

func (h *EndTransactionRequestHeader) Decode(ext map[string]string) error {
	d := dec{ext: ext}
	*h = EndTransactionRequestHeader{
		ProducerGroup:        d.str("producerGroup"),
		TranStateTableOffset: d.i64("tranStateTableOffset"),
		CommitLogOffset:      d.i64("commitLogOffset"),
		CommitOrRollback:     d.i32("commitOrRollback"),
		FromTransactionCheck: d.boolOr("fromTransactionCheck", false),
		MsgID:                d.str("msgId"),
		TransactionID:        d.optStr("transactionId"),
		BrokerName:           d.optStr("bname"),
	}
	if d.err == nil {
		switch h.CommitOrRollback {
		case TransactionNotType, TransactionCommitType, TransactionRollbackType:
		default:
			// Java's checkFields text is "commitOrRollback field wrong".
			d.fail(malformed("commitOrRollback", strconv.Itoa(int(h.CommitOrRollback)), "0, 8 or 12 (commitOrRollback field wrong)"))
		}
	}
	return d.err
}

func (h *EndTransactionRequestHeader) Encode(ext map[string]string) {
	putStr(ext, "producerGroup", h.ProducerGroup)
	putI64(ext, "tranStateTableOffset", h.TranStateTableOffset)
	putI64(ext, "commitLogOffset", h.CommitLogOffset)
	putI32(ext, "commitOrRollback", h.CommitOrRollback)
	putBool(ext, "fromTransactionCheck", h.FromTransactionCheck)
	putStr(ext, "msgId", h.MsgID)
	putOptStr(ext, "transactionId", h.TransactionID)
	putOptStr(ext, "bname", h.BrokerName)
}

// CheckTransactionStateRequestHeader is CHECK_TRANSACTION_STATE, sent oneway by the broker to one producer
// of the half message's group; the body is the half message record.
type CheckTransactionStateRequestHeader struct {
	TranStateTableOffset int64  // tranStateTableOffset, required
	CommitLogOffset      int64  // commitLogOffset, required
	MsgID                string // msgId, optional: UNIQ_KEY
	TransactionID        string // transactionId, optional: UNIQ_KEY
	OffsetMsgID          string // offsetMsgId, optional
	BrokerName           string // bname, optional
}

func (h *CheckTransactionStateRequestHeader) Decode(ext map[string]string) error {
	d := dec{ext: ext}
	*h = CheckTransactionStateRequestHeader{
		TranStateTableOffset: d.i64("tranStateTableOffset"),
		CommitLogOffset:      d.i64("commitLogOffset"),
		MsgID:                d.optStr("msgId"),
		TransactionID:        d.optStr("transactionId"),
		OffsetMsgID:          d.optStr("offsetMsgId"),
		BrokerName:           d.optStr("bname"),
	}
	return d.err
}

func (h *CheckTransactionStateRequestHeader) Encode(ext map[string]string) {
	putI64(ext, "tranStateTableOffset", h.TranStateTableOffset)
	putI64(ext, "commitLogOffset", h.CommitLogOffset)
	putOptStr(ext, "msgId", h.MsgID)
	putOptStr(ext, "transactionId", h.TransactionID)
	putOptStr(ext, "offsetMsgId", h.OffsetMsgID)
	putOptStr(ext, "bname", h.BrokerName)
}

// ResumeCheckHalfMessageRequestHeader is the RESUME_CHECK_HALF_MESSAGE request (mqadmin).
type ResumeCheckHalfMessageRequestHeader struct {
	MsgID string // msgId, optional
}

func (h *ResumeCheckHalfMessageRequestHeader) Decode(ext map[string]string) error {
	*h = ResumeCheckHalfMessageRequestHeader{MsgID: ext["msgId"]}
	return nil
}

func (h *ResumeCheckHalfMessageRequestHeader) Encode(ext map[string]string) {
	putOptStr(ext, "msgId", h.MsgID)
}
