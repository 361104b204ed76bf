package acl

import (
	"testing"

	"github.com/rocketd/rocketd/remoting"
	"github.com/rocketd/rocketd/remoting/code"
)

// FuzzParseFile: any file content either fails with an error or compiles; never a panic.
func FuzzParseFile(f *testing.F) {
	f.Add([]byte(testACL))
	f.Add([]byte("globalWhiteRemoteAddresses: ['1050::5:600:300c:1-10', '192.168.1.{1,2}', '10.*']\n"))
	f.Add([]byte("accounts:\n  - {accessKey: abcdefgh, secretKey: abcdefgh, whiteRemoteAddress: '1.2.3.4-', topicPerms: ['a=b=c']}\n"))
	f.Add([]byte("dataVersion: [{counter: 1, timestamp: 2}]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fc, err := ParseFile(data)
		if err != nil {
			return
		}
		for _, g := range fc.GlobalWhiteRemoteAddresses {
			if m, err := compileAddr(g); err == nil {
				m.match("127.0.0.1")
				m.match("::1")
				m.match(g)
			}
		}
		for _, a := range fc.Accounts {
			if acct, err := compileAccount(a); err == nil {
				acct.white.match("10.0.0.1")
			}
		}
	})
}

// FuzzCheck: any request is decided without a panic, and a request signed with the right secret is never
// refused for its signature.
func FuzzCheck(f *testing.F) {
	f.Add(int32(code.SendMessageV2), "rocketmq2", "12345678", "topicPub", "g", []byte("body"), "192.0.2.1:1")
	f.Add(int32(code.HeartBeat), "rocketmq2", "12345678", "t", "g", []byte(`{"consumerDataSet":[{"groupName":"g","subscriptionDataSet":[{"topic":"t"}]}]}`), "[::1]:9")
	f.Add(int32(code.PullMessage), "nobody", "x", "", "", []byte(nil), "garbage")
	f.Fuzz(func(t *testing.T, c int32, ak, sk, topic, group string, body []byte, addr string) {
		v := &Validator{}
		s, err := load(t.TempDir(), "/nonexistent/plain_acl.yml")
		if err != nil {
			t.Fatal(err)
		}
		a, err := compileAccount(AccountConfig{AccessKey: "rocketmq2", SecretKey: "12345678", DefaultTopicPerm: "PUB|SUB", DefaultGroupPerm: "SUB"})
		if err != nil {
			t.Fatal(err)
		}
		s.accounts[a.accessKey] = a
		v.cur.Store(s)
		ext := map[string]string{"topic": topic, "b": topic, "a": group, "group": group, "consumerGroup": group,
			"clientID": "c", "queueId": "0", "commitOffset": "0"}
		req := signed(c, ak, sk, ext, body)
		_ = v.Check(addr, req)
		req = signed(c, "rocketmq2", "12345678", ext, body)
		if err := v.Check(addr, req); err != nil {
			if d, ok := err.(*Denied); ok && d.Frame == frameSignature {
				t.Fatalf("correctly signed request refused: %v", err)
			}
		}
		_ = v.Check(addr, remoting.NewRequest(c, nil, body))
	})
}
