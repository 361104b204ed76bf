package acl

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"slices"
)

// Content is what a request's signature covers, as Java's PlainAccessValidator rebuilds it: the extFields
// values sorted by key (Java's TreeMap; the keys are ASCII, so byte order), Signature and _UNIQUE_KEY_QUERY
// left out, concatenated without separators, then the body.
func Content(ext map[string]string, body []byte) []byte {
	keys := make([]string, 0, len(ext))
	n := len(body)
	for k, v := range ext {
		if k == signatureField || k == uniqueKeyQuery {
			continue
		}
		keys = append(keys, k)
		n += len(v)
	}
	slices.Sort(keys)
	out := make([]byte, 0, n)
	for _, k := range keys {
		out = append(out, ext[k]...)
	}
	return append(out, body...)
}

// Sign is Java's AclSigner.calSignature: Base64(HMAC-SHA1(secretKey, data)), standard alphabet, padded.
func Sign(data []byte, secretKey string) string {
	mac := hmac.New(sha1.New, []byte(secretKey))
	mac.Write(data)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// signatureOK compares the expected and the received signature in constant time.
func signatureOK(data []byte, secretKey, got string) bool {
	want := Sign(data, secretKey)
	return hmac.Equal([]byte(want), []byte(got))
}
