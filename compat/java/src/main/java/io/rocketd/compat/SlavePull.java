package io.rocketd.compat;

import org.apache.rocketmq.client.consumer.DefaultMQPullConsumer;
import org.apache.rocketmq.client.consumer.PullResult;
import org.apache.rocketmq.common.message.MessageQueue;
import org.apache.rocketmq.common.protocol.RequestCode;
import org.apache.rocketmq.remoting.RPCHook;
import org.apache.rocketmq.remoting.protocol.RemotingCommand;

/**
 * One pull with the Java 4.9.8 DefaultMQPullConsumer, for the master/slave tests (store/interop): it prints
 * {@code PULL <brokerAddr>} for each PULL_MESSAGE request (the broker the client chose) and then
 * {@code RESULT <pullStatus> <nextBeginOffset> <minOffset> <maxOffset>}.
 *
 * <p>Usage: SlavePull namesrvAddr group topic brokerName queueId offset
 */
public final class SlavePull {
    private SlavePull() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 6) {
            System.err.println("usage: SlavePull namesrvAddr group topic brokerName queueId offset");
            System.exit(2);
        }
        RPCHook pulls = new RPCHook() {
            @Override
            public void doBeforeRequest(String remoteAddr, RemotingCommand request) {
                if (request.getCode() == RequestCode.PULL_MESSAGE) {
                    System.out.println("PULL " + remoteAddr);
                }
            }

            @Override
            public void doAfterResponse(String remoteAddr, RemotingCommand request, RemotingCommand response) {
            }
        };
        DefaultMQPullConsumer c = new DefaultMQPullConsumer(args[1], pulls);
        c.setNamesrvAddr(args[0]);
        c.setInstanceName("slavepull-" + System.nanoTime());
        c.start();
        try {
            MessageQueue mq = new MessageQueue(args[2], args[3], Integer.parseInt(args[4]));
            PullResult r = c.pull(mq, "*", Long.parseLong(args[5]), 1);
            System.out.println("RESULT " + r.getPullStatus() + " " + r.getNextBeginOffset() + " " + r.getMinOffset()
                + " " + r.getMaxOffset());
        } finally {
            c.shutdown();
        }
        System.exit(0);
    }
}
