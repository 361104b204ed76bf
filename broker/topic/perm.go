package topic

// Permission bits of a topic, a QueueData and brokerPermission (Java common.constant.PermName).
const (
	PermPriority int32 = 1 << 3 // 8
	PermRead     int32 = 1 << 2 // 4
	PermWrite    int32 = 1 << 1 // 2
	PermInherit  int32 = 1      // 1: may serve as a template for auto-created topics
)

// IsReadable reports whether perm has PermRead.
func IsReadable(perm int32) bool { return perm&PermRead == PermRead }

// IsWriteable reports whether perm has PermWrite.
func IsWriteable(perm int32) bool { return perm&PermWrite == PermWrite }

// IsInherited reports whether perm has PermInherit.
func IsInherited(perm int32) bool { return perm&PermInherit == PermInherit }

// PermString renders perm like Java's PermName.perm2String: "RWX" with '-' for missing bits.
func PermString(perm int32) string {
	b := []byte("---")
	if IsReadable(perm) {
		b[0] = 'R'
	}
	if IsWriteable(perm) {
		b[1] = 'W'
	}
	if IsInherited(perm) {
		b[2] = 'X'
	}
	return string(b)
}
