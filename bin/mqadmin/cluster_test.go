package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/rocketd/rocketd/conformance/rocketdtest"
	"github.com/rocketd/rocketd/remoting/admin"
)

// mqadmin runs one command against ns and returns stdout, failing the test on a non-zero status.
func mqadmin(t *testing.T, ns string, args ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	status := run(context.Background(), append(args, "-n", ns), &out, &errOut)
	require.Equal(t, 0, status, "mqadmin %v: %s%s", args, out.String(), errOut.String())
	return out.String()
}

// The commands end to end against rocketd in the test process (the layouts themselves are judged against
// Java's mqadmin by compat/java/mqadmin-compare.sh).
func TestCommandsAgainstRocketd(t *testing.T) {
	c := rocketdtest.Start(t)
	ns := c.NamesrvAddr()

	out := mqadmin(t, ns, "updateTopic", "-c", "DefaultCluster", "-t", "AdminT", "-r", "2", "-w", "2")
	require.Equal(t, "create topic to "+c.BrokerAddr()+" success.\n"+
		"TopicConfig [topicName=AdminT, readQueueNums=2, writeQueueNums=2, perm=RW-, topicFilterType=SINGLE_TAG, topicSysFlag=0, order=false]", out)
	require.Eventually(t, func() bool {
		var o, e bytes.Buffer
		return run(context.Background(), []string{"topicRoute", "-t", "AdminT", "-n", ns}, &o, &e) == 0
	}, 10*time.Second, 50*time.Millisecond)
	require.Contains(t, mqadmin(t, ns, "topicList"), "AdminT\n")
	require.Equal(t, "DefaultCluster\n", mqadmin(t, ns, "topicClusterList", "-t", "AdminT"))
	require.Contains(t, mqadmin(t, ns, "clusterList"), "DefaultCluster    broker-a                0     "+c.BrokerAddr())

	send := mqadmin(t, ns, "sendMessage", "-t", "AdminT", "-p", "hello", "-k", "K1", "-c", "TagA", "-b", "broker-a", "-i", "1")
	require.Regexp(t, regexp.MustCompile(`(?m)^broker-a\s+1\s+SEND_OK\s+[0-9A-F]{32}$`), send)
	uniq := strings.Fields(strings.Split(send, "\n")[1])[3]

	require.Eventually(t, func() bool {
		var o, e bytes.Buffer
		return run(context.Background(), []string{"queryMsgByKey", "-t", "AdminT", "-k", "K1", "-n", ns}, &o, &e) == 0 &&
			strings.Contains(o.String(), uniq)
	}, 10*time.Second, 50*time.Millisecond, "the index has the key")
	byUniq := mqadmin(t, ns, "queryMsgByUniqueKey", "-t", "AdminT", "-i", uniq)
	require.Contains(t, byUniq, "Tags:                [TagA]\n")
	require.Contains(t, byUniq, "Keys:                [K1]\n")
	require.Contains(t, byUniq, "Queue ID:            1\n")
	require.Contains(t, byUniq, "WARN: No Consumer")

	cq := mqadmin(t, ns, "queryCq", "-t", "AdminT", "-q", "1", "-i", "0")
	require.Contains(t, cq, "max: 1, min: 0\n")
	require.Contains(t, cq, "idx: 0\nConsumeQueueData{physicOffset=0, physicSize=")
	// 2598919 is Java String.hashCode("TagA").
	require.Contains(t, cq, "tagsCode=2598919, extendDataJson='null', bitMap='null', eval=false, msg='null'}")

	status := mqadmin(t, ns, "topicStatus", "-t", "AdminT")
	require.Regexp(t, regexp.MustCompile(`(?m)^broker-a\s+1\s+0\s+1\s+\d{4}-`), status)

	byOffset := mqadmin(t, ns, "queryMsgByOffset", "-t", "AdminT", "-b", "broker-a", "-i", "1", "-o", "0")
	require.Contains(t, byOffset, "Properties:          {")
	require.Contains(t, byOffset, "MIN_OFFSET=0")

	consume := mqadmin(t, ns, "consumeMessage", "-t", "AdminT", "-b", "broker-a", "-i", "1")
	require.Contains(t, consume, "Consume ok\nMSGID: "+uniq+" MessageExt [brokerName=broker-a, queueId=1,")
	require.Contains(t, consume, "BODY: hello\n")

	require.Equal(t, "create or update kv config to namespace success.\n", mqadmin(t, ns, "updateKvConfig", "-s", "NS", "-k", "k", "-v", "v"))
	require.Equal(t, "delete kv config from namespace success.\n", mqadmin(t, ns, "deleteKvConfig", "-s", "NS", "-k", "k"))
	require.Contains(t, mqadmin(t, ns, "wipeWritePerm", "-b", "broker-a"), "wipe write perm of broker[broker-a] in name server["+ns+"] OK, ")
	require.Contains(t, mqadmin(t, ns, "addWritePerm", "-b", "broker-a"), "add write perm of broker[broker-a] in name server["+ns+"] OK, ")
	require.Contains(t, mqadmin(t, ns, "getBrokerConfig", "-b", c.BrokerAddr()), "brokerName                                        =  broker-a\n")
	require.Contains(t, mqadmin(t, ns, "brokerStatus", "-b", c.BrokerAddr()), "brokerVersionDesc               : V4_9_8\n")

	require.Contains(t, mqadmin(t, ns, "updateSubGroup", "-b", c.BrokerAddr(), "-g", "AdminG"), "create subscription group to "+c.BrokerAddr()+" success.\n")
	require.Equal(t, "delete subscription group [AdminG] from broker ["+c.BrokerAddr()+"] success.\n",
		mqadmin(t, ns, "deleteSubGroup", "-b", c.BrokerAddr(), "-g", "AdminG"))

	// An order topic records its queue layout in the name server's ORDER_TOPIC_CONFIG namespace.
	order := mqadmin(t, ns, "updateTopic", "-b", c.BrokerAddr(), "-t", "AdminO", "-r", "2", "-w", "2", "-o", "true")
	require.True(t, strings.HasPrefix(order, "set broker orderConf. isOrder=true, orderConf=[broker-a:2]create topic to "), order)

	// resetOffsetByTime for a group with no online client commits the offsets itself.
	cl, err := admin.New(ns, 0)
	require.NoError(t, err)
	defer cl.Close()
	for q := int32(0); q < 2; q++ {
		require.NoError(t, cl.UpdateConsumerOffset(context.Background(), c.BrokerAddr(), "OffG", admin.MessageQueue{Topic: "AdminT", BrokerName: "broker-a", QueueID: q}, 0))
	}
	reset := mqadmin(t, ns, "resetOffsetByTime", "-g", "OffG", "-t", "AdminT", "-s", "now")
	require.Contains(t, reset, "rollback consumer offset by specified consumerGroup[OffG], topic[AdminT], force[true], timestamp(string)[now], timestamp(long)[-1]\n")
	require.Regexp(t, regexp.MustCompile(`(?m)^broker-a\s+1\s+1\s+0\s+1\s+1\s*$`), reset)

	// queryMsgById -s true sends the message again, keeping its id.
	resent := mqadmin(t, ns, "queryMsgById", "-i", strings.TrimSpace(strings.Split(strings.Split(byOffset, "OffsetID:")[1], "\n")[0]), "-s", "true")
	require.Contains(t, resent, "SendResult [sendStatus=SEND_OK, msgId="+uniq+", ")

	// A group that never consumed: Java's message, status 1.
	var o, e bytes.Buffer
	require.Equal(t, 1, run(context.Background(), []string{"consumerProgress", "-g", "NoSuchGroup", "-n", ns}, &o, &e))
	require.Contains(t, e.String(), "mqadmin consumerProgress: CODE: 17  DESC: No topic route info in name server for the topic: %RETRY%NoSuchGroup")

	require.Equal(t, "delete topic [AdminT] from cluster [DefaultCluster] success.\ndelete topic [AdminT] from NameServer success.\n",
		mqadmin(t, ns, "deleteTopic", "-c", "DefaultCluster", "-t", "AdminT"))
	require.NotContains(t, mqadmin(t, ns, "topicList"), "AdminT\n")
}
