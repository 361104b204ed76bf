package broker

import (
	"context"
	"maps"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/rocketd/rocketd/remoting"
	"github.com/rocketd/rocketd/remoting/code"
	"github.com/rocketd/rocketd/remoting/header"
)

// The raw-extFields reader of PULL_MESSAGE headers gives what the map decoder gives, errors included, for
// requests as clients send them and for malformed ones. The requests travel over TCP through a route
// registered WithRawExt, as the broker's pull route is.
func TestPullHeaderRawMatchesMap(t *testing.T) {
	base := pullExt("group-a", "TopicA", 3, 12345, 0x6, 15000)
	with := func(mod func(map[string]string)) map[string]string {
		m := maps.Clone(base)
		mod(m)
		return m
	}
	cases := map[string]map[string]string{
		"java client": base,
		"bname":       with(func(m map[string]string) { m["bname"] = "broker-a" }),
		"sql92": with(func(m map[string]string) {
			m["subscription"] = `a > 5 AND b = 'x"y' AND c = '\u00e9\t'`
			m["expressionType"] = "SQL92"
		}),
		"tags":              with(func(m map[string]string) { m["subscription"] = "TagA || TagB" }),
		"no subscription":   with(func(m map[string]string) { delete(m, "subscription"); delete(m, "expressionType") }),
		"unknown key":       with(func(m map[string]string) { m["zz"] = "1"; m["lite"] = "true" }),
		"missing queueId":   with(func(m map[string]string) { delete(m, "queueId") }),
		"missing group":     with(func(m map[string]string) { delete(m, "consumerGroup") }),
		"bad queueId":       with(func(m map[string]string) { m["queueId"] = "abc" }),
		"int overflow":      with(func(m map[string]string) { m["maxMsgNums"] = "2147483648" }),
		"plus sign":         with(func(m map[string]string) { m["queueOffset"] = "+7" }),
		"space in number":   with(func(m map[string]string) { m["commitOffset"] = " 7" }),
		"negative":          with(func(m map[string]string) { m["queueId"] = "-1"; m["queueOffset"] = "-9223372036854775808" }),
		"empty strings":     with(func(m map[string]string) { m["topic"] = ""; m["subscription"] = "" }),
		"unicode group":     with(func(m map[string]string) { m["consumerGroup"] = "组-\U0001F600" }),
		"missing subVer":    with(func(m map[string]string) { delete(m, "subVersion") }),
		"missing suspend":   with(func(m map[string]string) { delete(m, "suspendTimeoutMillis") }),
		"empty extFields":   {},
		"long subscription": with(func(m map[string]string) { m["subscription"] = string(make([]byte, 5000)) }),
	}
	b := &Broker{}
	type outcome struct {
		raw, viaMap header.PullMessageRequestHeader
		rawErr      string
		mapErr      string
		wasRaw      bool
	}
	got := make(chan outcome, 1)
	r := remoting.NewRouter(nil)
	r.Handle(code.PullMessage, nil, func(c *remoting.Conn, req *remoting.Command) (*remoting.Command, error) {
		var o outcome
		o.wasRaw = req.HasRawExt()
		h, err := b.decodePullHeader(req)
		o.raw = h
		if err != nil {
			o.rawErr = err.Error()
		}
		require.NoError(t, req.LoadExtFields())
		if err := o.viaMap.Decode(req.ExtFields); err != nil {
			o.mapErr = err.Error()
		}
		got <- o
		return remoting.NewResponse(req, 0, ""), nil
	}, remoting.WithRawExt())
	s := &remoting.Server{Router: r}
	require.NoError(t, s.Listen("127.0.0.1:0"))
	t.Cleanup(func() { _ = s.Close() })
	cl := &remoting.Client{}
	t.Cleanup(func() { _ = cl.Close() })
	for name, ext := range cases {
		_, err := cl.InvokeSync(context.Background(), s.Addr().String(), remoting.NewRequest(code.PullMessage, ext, nil), 5*time.Second)
		require.NoError(t, err, name)
		o := <-got
		require.True(t, o.wasRaw || len(ext) == 0, "%s: the route must hand over raw extFields", name)
		require.Equal(t, o.mapErr, o.rawErr, name)
		require.Equal(t, o.viaMap, o.raw, name)
	}
}

// The pull response header written as ext pairs is byte-for-byte what the map encoder writes.
func TestPullResponseHeaderBytes(t *testing.T) {
	for _, rh := range []header.PullMessageResponseHeader{
		{},
		{SuggestWhichBrokerID: 1, NextBeginOffset: 32, MinOffset: 0, MaxOffset: 2_000_000},
		{SuggestWhichBrokerID: -1, NextBeginOffset: -5, MinOffset: 1 << 62, MaxOffset: -1 << 63},
	} {
		for _, st := range []remoting.SerializeType{remoting.JSON, remoting.RocketMQ} {
			req := remoting.NewRequest(code.PullMessage, nil, nil)
			a := remoting.NewResponse(req, code.Success, "FOUND")
			b := remoting.NewResponse(req, code.Success, "FOUND")
			a.SerializeType, b.SerializeType = st, st
			a.ExtFields = map[string]string{}
			rh.Encode(a.ExtFields)
			setPullResponseHeader(b, &rh)
			fa, err := a.Encode()
			require.NoError(t, err)
			fb, err := b.Encode()
			require.NoError(t, err)
			require.Equal(t, string(fa), string(fb), "%+v serialize type %d", rh, st)
		}
	}
}
