package io.rocketd.compat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.rebalance.AllocateMessageQueueAveragely;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.protocol.RequestCode;
import org.apache.rocketmq.remoting.RPCHook;
import org.apache.rocketmq.remoting.protocol.RemotingCommand;

/**
 * A Java 4.9.8 clustering push consumer for the master/slave tests (store/interop): it prints one line per
 * delivered message, {@code MSG <brokerName> <queueId> <queueOffset> <uniqKey>}, and {@code READY} once
 * started, and {@code PULL <brokerAddr>} before each PULL_MESSAGE request (an RPC hook: the broker the client
 * chose, which follows the previous pull's suggestWhichBrokerId); it shuts down (committing its offsets) when stdin closes or reads "stop".
 *
 * <p>Usage: HaConsumer namesrvAddr topic group
 */
public final class HaConsumer {
    private HaConsumer() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: HaConsumer namesrvAddr topic group");
            System.exit(2);
        }
        RPCHook pulls = new RPCHook() {
            @Override
            public void doBeforeRequest(String remoteAddr, RemotingCommand request) {
                if (request.getCode() == RequestCode.PULL_MESSAGE) {
                    synchronized (System.out) {
                        System.out.println("PULL " + remoteAddr);
                        System.out.flush();
                    }
                }
            }

            @Override
            public void doAfterResponse(String remoteAddr, RemotingCommand request, RemotingCommand response) {
            }
        };
        DefaultMQPushConsumer c = new DefaultMQPushConsumer(args[2], pulls, new AllocateMessageQueueAveragely());
        c.setNamesrvAddr(args[0]);
        c.setInstanceName("ha-" + System.nanoTime());
        c.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        c.setPersistConsumerOffsetInterval(1000);
        c.subscribe(args[1], "*");
        c.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
            StringBuilder sb = new StringBuilder();
            for (MessageExt m : msgs) {
                sb.append("MSG ").append(m.getBrokerName()).append(' ').append(m.getQueueId()).append(' ')
                    .append(m.getQueueOffset()).append(' ').append(m.getMsgId()).append('\n');
            }
            synchronized (System.out) {
                System.out.print(sb);
                System.out.flush();
            }
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        c.start();
        synchronized (System.out) {
            System.out.println("READY");
            System.out.flush();
        }
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null && !line.trim().equals("stop")) {
            // wait
        }
        c.shutdown();
        System.exit(0);
    }
}
