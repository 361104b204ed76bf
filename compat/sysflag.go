package compat

// MessageSysFlag bits of the CommitLog SYSFLAG field (store.md §5). The values are part of the on-disk format.
const (
	CompressedFlag          int32 = 0x1
	MultiTagsFlag           int32 = 0x2
	TransactionNotType      int32 = 0x0
	TransactionPreparedType int32 = 0x4
	TransactionCommitType   int32 = 0x8
	TransactionRollbackType int32 = 0xC
	BornHostV6Flag          int32 = 0x10
	StoreHostAddressV6Flag  int32 = 0x20
	NeedUnwrapFlag          int32 = 0x40
	InnerBatchFlag          int32 = 0x80
	CompressionTypeMask     int32 = 0x700
	CompressionLZ4          int32 = 0x100
	CompressionZSTD         int32 = 0x200
	CompressionZLIB         int32 = 0x300
)

// TransactionValue returns the transaction type bits (flag & 0xC).
func TransactionValue(sysFlag int32) int32 { return sysFlag & TransactionRollbackType }

// ResetTransactionValue replaces the transaction type bits of sysFlag with typ.
func ResetTransactionValue(sysFlag, typ int32) int32 {
	return (sysFlag &^ TransactionRollbackType) | (typ & TransactionRollbackType)
}
