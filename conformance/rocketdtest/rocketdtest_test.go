package rocketdtest_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/rocketd/rocketd/conformance/rocketdtest"
	"github.com/rocketd/rocketd/remoting"
	"github.com/rocketd/rocketd/remoting/code"
)

// Start gives a registered broker, applies broker.conf keys, and removes everything when the test ends.
func TestStartRegistersAndCleansUp(t *testing.T) {
	var dir string
	t.Run("cluster", func(t *testing.T) {
		c := rocketdtest.Start(t, rocketdtest.WithBrokerConfig("brokerName", "broker-x"),
			rocketdtest.WithBrokerConfig("defaultTopicQueueNums", "3"))
		dir = c.Dir()
		require.Equal(t, "broker-x", c.BrokerName())
		require.Equal(t, 3, c.BrokerConfig().Broker.DefaultTopicQueueNums)
		cl := &remoting.Client{}
		defer cl.Close()
		resp, err := cl.InvokeSync(context.Background(), c.NamesrvAddr(), remoting.NewRequest(code.GetBrokerClusterInfo, nil, nil), 5*time.Second)
		require.NoError(t, err)
		require.Equal(t, code.Success, resp.Code)
		require.Contains(t, string(resp.Body), c.BrokerAddr())
		require.Contains(t, string(resp.Body), "broker-x")

		require.NoError(t, c.RestartBroker())
		resp, err = cl.InvokeSync(context.Background(), c.BrokerAddr(), remoting.NewRequest(code.GetBrokerRuntimeInfo, nil, nil), 5*time.Second)
		require.NoError(t, err, "the restarted broker keeps its port")
		require.Equal(t, code.Success, resp.Code)
	})
	_, err := os.Stat(dir)
	require.True(t, os.IsNotExist(err), "the temporary store is removed: %v", err)
}

// Keys the broker does not know, or values of the wrong type, are refused with the key's name.
func TestUnknownOrBadKeysRefused(t *testing.T) {
	_, err := rocketdtest.New(rocketdtest.WithDir(t.TempDir()), rocketdtest.WithBrokerConfig("brokerNmae", "x"))
	require.ErrorContains(t, err, "brokerNmae")
	_, err = rocketdtest.New(rocketdtest.WithDir(t.TempDir()), rocketdtest.WithBrokerConfig("defaultTopicQueueNums", "many"))
	require.ErrorContains(t, err, "defaultTopicQueueNums")
}
