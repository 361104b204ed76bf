package offset

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/rocketd/rocketd/broker/subgroup"
	"github.com/rocketd/rocketd/broker/topic"
)

// TestJavaReadsOurFiles writes topics.json, subscriptionGroup.json, consumerOffset.json (pretty, legacy and
// standard) and lmqConsumerOffset.json with rocketd, then lets the Java 4.9.8 classes decode them
// (compat/fastjson/testdata/java/Rd.java.txt). Needs a JDK and ROCKETD_JAVA_CP (see that directory's README).
func TestJavaReadsOurFiles(t *testing.T) {
	cp := os.Getenv("ROCKETD_JAVA_CP")
	if cp == "" {
		t.Skip("set ROCKETD_JAVA_CP to a classpath with the RocketMQ 4.9.8 broker classes to run")
	}
	if _, err := exec.LookPath("javac"); err != nil {
		t.Skip("no javac")
	}
	dir := t.TempDir()
	tm, err := topic.Open(filepath.Join(dir, "topics.json"), topic.DefaultOptions())
	require.NoError(t, err)
	tc := topic.NewWithQueues("TopicTest", 4, 4, 6)
	tc.TopicFilterType, tc.Order, tc.TopicSysFlag = topic.MultiTag, true, 2
	require.NoError(t, tm.Put(tc))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "topics_compact.json"), tm.SerializeWrapper(true), 0o644))
	sm, err := subgroup.Open(filepath.Join(dir, "subscriptionGroup.json"))
	require.NoError(t, err)
	g := subgroup.New("groupA")
	g.RetryMaxTimes, g.BrokerID = 3, 1
	require.NoError(t, sm.Put(g))
	om, err := Open(filepath.Join(dir, "consumerOffset.json"))
	require.NoError(t, err)
	om.Commit("groupA", "TopicTest", 0, 120)
	om.Commit("groupA", "TopicTest", 1, 118)
	om.Commit("CID_RMQ_SYS_TRANS", "RMQ_SYS_TRANS_HALF_TOPIC", 0, 7)
	require.NoError(t, om.Persist())
	require.NoError(t, os.WriteFile(filepath.Join(dir, "offset_standard.json"), om.Encode(false), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "offset_legacy.json"), om.Encode(true), 0o644))
	lm, err := OpenLmq(filepath.Join(dir, "lmqConsumerOffset.json"))
	require.NoError(t, err)
	lm.Commit("%LMQ%g", "%LMQ%t", 0, 5)
	lm.Commit("g", "t", 1, 6)
	require.NoError(t, lm.Persist())

	src, err := os.ReadFile(filepath.Join(javaDir, "Rd.java.txt"))
	require.NoError(t, err)
	jdir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(jdir, "Rd.java"), src, 0o644))
	out, err := exec.Command("javac", "-cp", cp, "-d", jdir, filepath.Join(jdir, "Rd.java")).CombinedOutput()
	require.NoError(t, err, string(out))
	out, err = exec.Command("java", "-cp", jdir+string(os.PathListSeparator)+cp, "Rd", dir).CombinedOutput()
	require.NoError(t, err, string(out))
	got := string(out)
	for _, want := range []string{
		"topics.json: DataVersion[timestamp=" + itoa(tm.DataVersion().Timestamp) + ", counter=1] n=9 TopicTest=TopicConfig [topicName=TopicTest, readQueueNums=4, writeQueueNums=4, perm=RW-, topicFilterType=MULTI_TAG, topicSysFlag=2, order=true] TBW102=TopicConfig [topicName=TBW102, readQueueNums=8, writeQueueNums=8, perm=RWX",
		"topics_compact.json: DataVersion[timestamp=" + itoa(tm.DataVersion().Timestamp) + ", counter=1] n=9",
		"subscriptionGroup.json: n=8 groupA=SubscriptionGroupConfig [groupName=groupA, consumeEnable=true, consumeFromMinEnable=true, consumeBroadcastEnable=true, retryQueueNums=1, retryMaxTimes=3, brokerId=1, whichBrokerWhenConsumeSlowly=1, notifyConsumerIdsChangedEnable=true]",
		"as SubscriptionGroupWrapper (slave sync): DataVersion[timestamp=" + itoa(sm.DataVersion().Timestamp) + ", counter=1] n=8",
		"consumerOffset.json: {RMQ_SYS_TRANS_HALF_TOPIC@CID_RMQ_SYS_TRANS={0=7}, TopicTest@groupA={0=120, 1=118}} key class=Integer val=118",
		"offset_standard.json: {RMQ_SYS_TRANS_HALF_TOPIC@CID_RMQ_SYS_TRANS={0=7}, TopicTest@groupA={0=120, 1=118}} key class=Integer val=118",
		"offset_legacy.json: {RMQ_SYS_TRANS_HALF_TOPIC@CID_RMQ_SYS_TRANS={0=7}, TopicTest@groupA={0=120, 1=118}} key class=Integer val=118",
		"lmqConsumerOffset.json: {t@g={1=6}} lmq={%LMQ%t@%LMQ%g=5} q=5",
	} {
		require.True(t, strings.Contains(got, want), "Java output lacks %q:\n%s", want, got)
	}
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }
