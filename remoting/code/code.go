// Package code holds the RocketMQ 4.9.8 request and response code tables.
//
// The tables are data: requests.tsv and responses.tsv list every code of RequestCode.java, ResponseCode.java
// and RemotingSysResponseCode.java at tag rocketmq-all-4.9.8. `go generate` turns them into the plain int32
// constants of zz_generated.go (SendMessageV2, GetRouteinfoByTopic, Success, PullNotFound, ...), which
// compare with a command's Code field without casts. A test regenerates the file in memory and fails when
// it differs from the checked-in one, and another fails when compat/MATRIX.md misses a request code.
package code

//go:generate go run gen.go

import (
	"sort"
	"strconv"
)

// Values returned by ServedBy: which 4.9.8 process answers a request code.
const (
	ServedByNamesrv = "namesrv" // the NameServer's default processor
	ServedByBroker  = "broker"  // a broker processor (the admin processor forwards 307 and 309 to a client)
	ServedByClient  = "client"  // the broker sends it to a producer or consumer, which answers
	ServedByNone    = "none"    // no 4.9.8 handler: a broker replies REQUEST_CODE_NOT_SUPPORTED
)

type requestInfo struct {
	code     int32
	name     string
	servedBy string
	tag      string
}

type responseInfo struct {
	code int32
	name string
}

func findRequest(c int32) (requestInfo, bool) {
	i := sort.Search(len(requestTable), func(i int) bool { return requestTable[i].code >= c })
	if i < len(requestTable) && requestTable[i].code == c {
		return requestTable[i], true
	}
	return requestInfo{}, false
}

func findResponse(c int32) (responseInfo, bool) {
	i := sort.Search(len(responseTable), func(i int) bool { return responseTable[i].code >= c })
	if i < len(responseTable) && responseTable[i].code == c {
		return responseTable[i], true
	}
	return responseInfo{}, false
}

func unknown(c int32) string { return "UNKNOWN(" + strconv.FormatInt(int64(c), 10) + ")" }

// RequestName returns the Java name of request code c, or "UNKNOWN(<c>)".
func RequestName(c int32) string {
	if r, ok := findRequest(c); ok {
		return r.name
	}
	return unknown(c)
}

// ResponseName returns the Java name of response code c, or "UNKNOWN(<c>)".
func ResponseName(c int32) string {
	if r, ok := findResponse(c); ok {
		return r.name
	}
	return unknown(c)
}

// IsRequest reports whether c is a request code RocketMQ 4.9.8 defines.
func IsRequest(c int32) bool {
	_, ok := findRequest(c)
	return ok
}

// IsResponse reports whether c is a response code RocketMQ 4.9.8 defines.
func IsResponse(c int32) bool {
	_, ok := findResponse(c)
	return ok
}

// ServedBy returns which 4.9.8 process answers request code c: ServedByNamesrv, ServedByBroker,
// ServedByClient or ServedByNone. A code 4.9.8 does not define has no handler either, so it is ServedByNone.
func ServedBy(c int32) string {
	if r, ok := findRequest(c); ok {
		return r.servedBy
	}
	return ServedByNone
}

// Tag returns the usage tag of request code c from requests.tsv (essential, txn, orderly, ha, acl, admin,
// reply, sql92, cluster, unused), or "" for a code 4.9.8 does not define.
func Tag(c int32) string {
	r, _ := findRequest(c)
	return r.tag
}

// AllRequests returns every 4.9.8 request code in ascending order. The slice is the caller's to keep.
func AllRequests() []int32 {
	out := make([]int32, len(requestTable))
	for i, r := range requestTable {
		out[i] = r.code
	}
	return out
}

// AllResponses returns every 4.9.8 response code in ascending order. The slice is the caller's to keep.
func AllResponses() []int32 {
	out := make([]int32, len(responseTable))
	for i, r := range responseTable {
		out[i] = r.code
	}
	return out
}
