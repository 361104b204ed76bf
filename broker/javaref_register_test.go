package broker

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/rocketd/rocketd/conf"
	"github.com/rocketd/rocketd/remoting"
	"github.com/rocketd/rocketd/remoting/code"
)

// TestRegistrationPerCreateMatchesJava creates the same topics on the Java 4.9.8 broker and on rocketd, both
// registered with a recording name server, and compares what each create registers: Java's
// registerIncrementBrokerData sends exactly the created topic, once per name server, before answering.
// It needs the Java reference (make compat-register sets ROCKETD_JAVA_REF=1 after building it).
func TestRegistrationPerCreateMatchesJava(t *testing.T) {
	if os.Getenv("ROCKETD_JAVA_REF") == "" {
		t.Skip("needs the Java 4.9.8 reference: make compat-register")
	}
	topics := []string{"RegA", "RegB", "RegC"}
	perCreate := func(addr string, rec *registerRecorder) [][]string {
		var out [][]string
		cl := &remoting.Client{}
		defer cl.Close()
		for _, topic := range topics {
			before := len(rec.topicLists())
			resp, err := cl.InvokeSync(context.Background(), addr, remoting.NewRequest(code.UpdateAndCreateTopic, map[string]string{
				"topic": topic, "defaultTopic": "TBW102", "readQueueNums": "4", "writeQueueNums": "4", "perm": "6",
				"topicFilterType": "SINGLE_TAG", "order": "false"}, nil), 30*time.Second)
			require.NoError(t, err)
			require.Equal(t, code.Success, resp.Code, resp.Remark)
			// The registration is synchronous: it has arrived when the create is answered.
			out = append(out, rec.topicLists()[before:]...)
		}
		return out
	}

	// Java 4.9.8: its own name server plus the recorder.
	javaRec := &registerRecorder{}
	javaRecAddr := javaRec.start(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	nsPort := ln.Addr().(*net.TCPAddr).Port
	require.NoError(t, ln.Close())
	dir, err := os.Getwd()
	require.NoError(t, err)
	refSh := filepath.Join(filepath.Dir(dir), "compat", "java", "ref.sh")
	env := append(os.Environ(), "REF_WORK_DIR="+t.TempDir(), "REF_NAMESRV_PORT="+strconv.Itoa(nsPort),
		"REF_BROKER_CONF_EXTRA=namesrvAddr=127.0.0.1:"+strconv.Itoa(nsPort)+";"+javaRecAddr, "REF_START_TIMEOUT=120")
	ref := func(arg string) string {
		ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, refSh, arg)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "ref.sh %s: %s", arg, out)
		return string(out)
	}
	out := ref("start")
	t.Cleanup(func() { ref("stop") })
	var javaBroker string
	for _, l := range strings.Split(out, "\n") {
		if v, ok := strings.CutPrefix(l, "REF_BROKER_ADDR="); ok {
			javaBroker = v
		}
	}
	require.NotEmpty(t, javaBroker, out)
	require.Eventually(t, func() bool { return len(javaRec.topicLists()) > 0 }, 30*time.Second, 50*time.Millisecond, "Java's start registration")
	javaGot := perCreate(javaBroker, javaRec)

	// rocketd with a recorder of its own.
	rec := &registerRecorder{}
	recAddr := rec.start(t)
	tb := startTestBroker(t, func(c *conf.Broker) { c.Broker.NamesrvAddr = recAddr }, func(o *Options) { o.RegisterPeriod = time.Hour })
	require.Eventually(t, func() bool { return len(rec.topicLists()) > 0 }, 10*time.Second, 10*time.Millisecond, "rocketd's start registration")
	got := perCreate(tb.addr, rec)

	want := [][]string{{"RegA"}, {"RegB"}, {"RegC"}}
	require.Equal(t, want, javaGot, "Java 4.9.8: one registration holding only the created topic per create")
	require.Equal(t, javaGot, got, "rocketd registers what Java registers")
}
