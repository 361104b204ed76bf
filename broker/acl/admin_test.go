package acl

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/rocketd/rocketd/remoting/code"
)

func sp(s string) *string { return &s }

var timestampRE = regexp.MustCompile(`timestamp: \d+`)

func readBlanked(t *testing.T, file string) string {
	t.Helper()
	b, err := os.ReadFile(file)
	require.NoError(t, err)
	return timestampRE.ReplaceAllString(string(b), "timestamp: T")
}

func TestUpdateAccountOnEmptyFileWritesJavaHashMapOrder(t *testing.T) {
	v, file := openTest(t, "")
	require.NoError(t, v.UpdateAccount(AccountUpdate{AccessKey: sp("newuser01"), SecretKey: sp("12345678"),
		DefaultTopicPerm: sp("PUB"), TopicPerms: []string{"t1=SUB"}}))
	// A new document is a java.util.HashMap: jshell prints [dataVersion, accounts] for these keys.
	require.Equal(t, `dataVersion:
- counter: 1
  timestamp: T
accounts:
- accessKey: newuser01
  secretKey: '12345678'
  admin: false
  defaultTopicPerm: PUB
  topicPerms:
  - t1=SUB
`, readBlanked(t, file))
	// Applied at once, not after the next poll.
	req := signed(code.SendMessageV2, "newuser01", "12345678", map[string]string{"b": "x"}, nil)
	require.NoError(t, v.Check(remote, req))

	ok, err := v.UpdateGlobalWhiteAddrs([]string{"10.1.1.*", "*"}, "")
	require.NoError(t, err)
	require.True(t, ok)
	require.Contains(t, readBlanked(t, file), "globalWhiteRemoteAddresses:\n- 10.1.1.*\n- '*'\n")
	require.Contains(t, readBlanked(t, file), "- counter: 2\n")

	ok, err = v.DeleteAccount("newuser01")
	require.NoError(t, err)
	require.True(t, ok)
	require.Contains(t, readBlanked(t, file), "accounts: []\n")
	ok, err = v.DeleteAccount("newuser01")
	require.NoError(t, err)
	require.False(t, ok, "deleting an unknown key fails")
}

func TestUpdateAccountKeepsOrderAndMovesItLast(t *testing.T) {
	v, file := openTest(t, testACL)
	require.NoError(t, v.UpdateAccount(AccountUpdate{AccessKey: sp("rocketmq2"), SecretKey: sp("12345678"),
		DefaultTopicPerm: sp("PUB"), Admin: true}))
	got := readBlanked(t, file)
	require.Regexp(t, `(?s)^globalWhiteRemoteAddresses:\n- 10.10.103.\*\naccounts:\n- accessKey: adminuser\n.*- accessKey: rocketmq2\n  secretKey: '12345678'\n  whiteRemoteAddress: null\n  admin: true\n  defaultTopicPerm: PUB\n  defaultGroupPerm: SUB\n  topicPerms:\n  - topicPub=PUB\n`, got)
	require.Contains(t, got, "dataVersion:\n- counter: 1\n")

	err := v.UpdateAccount(AccountUpdate{AccessKey: sp("short"), SecretKey: sp("x")})
	require.EqualError(t, err, "The accessKey=short and secretKey=x cannot be null and length should longer than 6")
	err = v.UpdateAccount(AccountUpdate{AccessKey: sp("longenough"), SecretKey: sp("longenough"), TopicPerms: []string{"a=NOPE"}})
	require.ErrorContains(t, err, "Parse resource permission error for a=NOPE.")

	// A .yaml file is refused by Java's (inverted) check; a file outside the home too.
	other := filepath.Join(filepath.Dir(file), "other.yaml")
	require.NoError(t, os.WriteFile(other, nil, 0o644))
	ok, err := v.UpdateGlobalWhiteAddrs([]string{"1.1.1.1"}, other)
	require.NoError(t, err)
	require.False(t, ok)
	outside := filepath.Join(t.TempDir(), "x.yml")
	require.NoError(t, os.WriteFile(outside, nil, 0o644))
	ok, err = v.UpdateGlobalWhiteAddrs([]string{"1.1.1.1"}, outside)
	require.NoError(t, err)
	require.False(t, ok)
}

func TestVersions(t *testing.T) {
	v, file := openTest(t, testACL)
	require.NoError(t, v.UpdateAccount(AccountUpdate{AccessKey: sp("newuser01"), SecretKey: sp("12345678")}))
	version, all := v.Versions()
	require.Regexp(t, `^\{"counter":1,"timestamp":\d{13}\}$`, version)
	require.Regexp(t, `^\{"`+regexp.QuoteMeta(file)+`":\{"counter":1,"timestamp":\d{13}\}\}$`, all)
}

func TestJavaSplit(t *testing.T) {
	require.Nil(t, JavaSplit("", false, ","))
	require.Equal(t, []string{""}, JavaSplit("", true, ","))
	require.Equal(t, []string{"a", "b"}, JavaSplit("a,b,,", true, ","))
	require.Equal(t, []string{"", "a"}, JavaSplit(",a", true, ","))
}

func TestScalarQuoting(t *testing.T) {
	for in, want := range map[string]string{
		"rocketmq2": "rocketmq2", "12345678": "'12345678'", "*": "'*'", "192.168.0.*": "192.168.0.*",
		"PUB|SUB": "PUB|SUB", "": "''", "yes": "'yes'", "1.5": "'1.5'", "null": "'null'", "a: b": "'a: b'",
		"it's": "it's", "'q": "'''q'", "127.0.0.1": "127.0.0.1", "-x": "-x", "- x": "'- x'",
	} {
		require.Equal(t, want, scalar(in), in)
	}
}

func FuzzDumpRoundTrip(f *testing.F) {
	f.Add([]byte(testACL))
	f.Add([]byte("a: [1, '2', {b: c}, [x, y], [], {}]\nd: ~\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := parseDoc(data)
		if err != nil || doc == nil {
			return
		}
		m, ok := doc.(*ymap)
		if !ok {
			return
		}
		out := dump(m)
		again, err := parseDoc(out)
		if err != nil {
			t.Fatalf("dump wrote unreadable YAML %q from %q: %v", out, data, err)
		}
		if string(dump(again.(*ymap))) != string(out) {
			t.Fatalf("dump is not stable:\n%s\n---\n%s", out, dump(again.(*ymap)))
		}
	})
}
