package acl

import (
	"testing"

	"github.com/rocketd/rocketd/remoting/code"
)

// BenchmarkCheckSignedSend is the ACL cost of one signed SEND_MESSAGE_V2 (signature and permission check).
func BenchmarkCheckSignedSend(b *testing.B) {
	v := &Validator{}
	s, err := load(b.TempDir(), "/nonexistent/plain_acl.yml")
	if err != nil {
		b.Fatal(err)
	}
	a, err := compileAccount(AccountConfig{AccessKey: "rocketmq2", SecretKey: "12345678", DefaultTopicPerm: "PUB"})
	if err != nil {
		b.Fatal(err)
	}
	s.accounts[a.accessKey] = a
	v.cur.Store(s)
	req := signed(code.SendMessageV2, "rocketmq2", "12345678", map[string]string{"a": "pg", "b": "TopicTest",
		"c": "TBW102", "d": "4", "e": "1", "f": "0", "g": "1700000000000", "h": "0", "i": "TAGS\x01A\x02KEYS\x01k"},
		make([]byte, 1024))
	b.ReportAllocs()
	for b.Loop() {
		if err := v.Check("192.0.2.1:1234", req); err != nil {
			b.Fatal(err)
		}
	}
}
