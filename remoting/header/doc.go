// Package header holds the typed custom headers (a command's extFields) of RocketMQ 4.9.8, by family:
// send.go, reply.go, pull.go, offset.go, client.go, txn.go, namesrv.go and admin_*.go.
//
// Every header is a plain struct with
//
//	Decode(ext map[string]string) error // reads the fields it knows, ignores every other key
//	Encode(ext map[string]string)       // writes its fields as decimal / "true" / "false" strings
//
// written by hand per field, without reflection: SendMessageRequestHeaderV2.Decode sits on the hot path and
// allocates nothing.
//
// Decoding follows the Java header classes (common/.../protocol/header at rocketmq-all-4.9.8):
//
//   - A field marked @CFNotNull that has no Java default is required: when it is missing, Decode returns a
//     *FieldError whose text is Java's, "the custom field <name> is null" (errors.Is ErrMissingField).
//   - Fields Java initialises (primitives, `Boolean order = false`, `Integer bodyCrc32 = 0`) can never read
//     as null in Java, so a missing key leaves the Go zero value / the Java default and is not an error.
//   - Other boxed fields are optional: Opt[T] records whether the key was present. Optional strings are
//     plain strings; "" means absent and Encode leaves them out.
//   - Numbers parse like Java's Integer.parseInt / Long.parseLong: an optional sign, then decimal digits
//     only (no spaces, no "0x", Unicode decimal digits of the BMP are accepted as Java does), no
//     overflow. A bad value gives a *FieldError naming the field and the value (errors.Is ErrMalformedField).
//   - Booleans parse like Boolean.parseBoolean: "true" in any case is true, everything else is false.
//   - Unknown keys (bname where a header has none, AccessKey, Signature, MSG_REGION, ...) are ignored.
//
// Known difference from Java: the reflective Java decoder (every header except the send V2 and pull request
// headers) logs and swallows a missing required field or a malformed number, and the handler then usually
// fails with a NullPointerException, which the client sees as SYSTEM_ERROR. rocketd fails at decode time
// with a clearer remark; the response code a client sees is the same.
//
// Request codes whose request has no custom header (they carry a JSON body or nothing): HEART_BEAT (34),
// CHECK_CLIENT_CONFIG (46, body CheckClientRequestBody), LOCK_BATCH_MQ / UNLOCK_BATCH_MQ (41/42),
// GET_ALL_TOPIC_CONFIG (21), GET_ALL_CONSUMER_OFFSET (43), GET_ALL_DELAY_OFFSET (45),
// GET_ALL_SUBSCRIPTIONGROUP_CONFIG (201), GET_BROKER_RUNTIME_INFO (28), GET_BROKER_CLUSTER_INFO (106),
// GET_ALL_TOPIC_LIST_FROM_NAMESERVER (206), UPDATE_AND_CREATE_SUBSCRIPTIONGROUP (200), UPDATE_BROKER_CONFIG (25),
// GET_BROKER_CONFIG (26, its response has one: GetBrokerConfigResponseHeader), the system/unit topic lists
// (304, 305, 311-313), UPDATE/GET_NAMESRV_CONFIG (318/319), CLEAN_EXPIRED_CONSUMEQUEUE (306),
// CLEAN_UNUSED_TOPIC (316), DELETE_EXPIRED_COMMITLOG (329), GET_ALL_PRODUCER_INFO (328) and
// GET_BROKER_CLUSTER_ACL_INFO (52). Java's empty response headers (UnregisterClientResponseHeader,
// UpdateConsumerOffsetResponseHeader, GetConsumerListByGroupResponseHeader, GetAllTopicConfigResponseHeader)
// have no Go type: send an empty extFields map.
package header

// Header is what every request and response header in this package implements.
type Header interface {
	// Decode reads the header from a command's extFields. It resets the receiver first, so a value can be
	// reused across commands.
	Decode(ext map[string]string) error
	// Encode writes the header into ext; optional fields only when set.
	Encode(ext map[string]string)
}
