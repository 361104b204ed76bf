package bench

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func fakeSend(tps float64, p99 time.Duration) *SendResult {
	r := &SendResult{Elapsed: time.Second, Msgs: int64(tps), Bytes: int64(tps) * 1024}
	for i := 0; i < 100; i++ {
		r.Lat.Record(p99 / 2)
	}
	r.Lat.Record(p99)
	return r
}

func TestResultsPrint(t *testing.T) {
	res := &Results{Sizes: []int{1024}, InFlights: []int{64}, SyncInFl: []int{64}, Backlog: 10, BacklogSize: 128}
	var out bytes.Buffer
	res.Print(&out) // nothing measured: no panic, dashes
	require.Contains(t, out.String(), "rocketd/java: tps=- p99=- p999=- rss=- start=-")

	res.Rocketd = &Report{Name: "rocketd", ColdStart: 20 * time.Millisecond, PeakRSS: 100 << 20,
		Sends: []SendRow{{1024, 64, fakeSend(40000, 4*time.Millisecond)}}}
	res.Java = &Report{Name: "java", ColdStart: 4 * time.Second, PeakRSS: 1000 << 20,
		Sends: []SendRow{{1024, 64, fakeSend(20000, 8*time.Millisecond)}}}
	out.Reset()
	res.Print(&out)
	require.Contains(t, out.String(), "rocketd/java: tps=2 p99=0.5 p999=0.5 rss=0.1 start=0.005")
	require.Contains(t, out.String(), "tps>=2x MET; p99<=1/2 MET")

	b, err := json.Marshal(res)
	require.NoError(t, err)
	require.Contains(t, string(b), `"p99_us":`)
}
