package io.rocketd.conformance;

import static io.rocketd.conformance.Ctx.check;
import static io.rocketd.conformance.Ctx.eq;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.exception.MQBrokerException;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;

/**
 * Timer messages (rocketd issue #18): the unmodified 4.9.8 client sets RocketMQ 5.x's TIMER_DELIVER_MS,
 * TIMER_DELAY_SEC or TIMER_DELAY_MS as user properties. Skipped against a broker without the feature (the
 * Java 4.9.8 reference has no timerWheelEnable key and delivers such messages at once).
 */
final class TimerTests {
    private TimerTests() {
    }

    /** The target: delivered within 100 ms after the due time (counted and printed). */
    static final long LATE_MS = 100;
    /**
     * What the tests assert for every message: later than this is a defect (a lost wake-up or a missed slot), not
     * scheduling noise on a loaded machine; the median must be within LATE_MS. Speed targets are measured by
     * benchmarks (BENCHMARKS.md): a load spike on a shared 2-core machine stalls a process for up to a second or so.
     */
    static final long BUG_MS = 3000;

    static void requireTimer(Ctx c) {
        if (!c.brokerFlag("timerWheelEnable")) {
            throw new Suite.Skip("broker without timer messages (no timerWheelEnable=true; Java 4.9.8 has none)");
        }
    }

    /** Arrival time and message of each key, first delivery only; the number of deliveries. */
    static final class Arrivals implements MessageListenerConcurrently {
        final Map<String, Long> at = new ConcurrentHashMap<String, Long>();
        final Map<String, MessageExt> msg = new ConcurrentHashMap<String, MessageExt>();
        final Map<String, Integer> count = new ConcurrentHashMap<String, Integer>();

        @Override
        public ConsumeConcurrentlyStatus consumeMessage(List<MessageExt> msgs,
            org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyContext ctx) {
            long now = System.currentTimeMillis();
            for (MessageExt m : msgs) {
                at.putIfAbsent(m.getKeys(), now);
                msg.putIfAbsent(m.getKeys(), m);
                count.merge(m.getKeys(), 1, Integer::sum);
            }
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        }
    }

    static void timerRandomDue(Ctx c) throws Exception {
        requireTimer(c);
        String topic = c.topic(4);
        DefaultMQProducer p = c.producer();
        Arrivals a = new Arrivals();
        DefaultMQPushConsumer pc = c.pushConsumer(c.name("TMG"));
        pc.subscribe(topic, "*");
        pc.registerMessageListener(a);
        pc.start();

        int n = 300;
        long spread = 6000;
        Random rnd = new Random();
        Map<String, Long> due = new ConcurrentHashMap<String, Long>();
        Map<String, long[]> relative = new ConcurrentHashMap<String, long[]>(); // key -> {sent before, sent after}
        Map<String, String> ids = new ConcurrentHashMap<String, String>();
        long start = System.currentTimeMillis();
        for (int i = 0; i < n; i++) {
            String key = "t" + i;
            Message m = new Message(topic, "TagT", key, ("timer " + i).getBytes(StandardCharsets.UTF_8));
            long delay = 1000 + (long) rnd.nextInt((int) spread);
            long before = System.currentTimeMillis();
            switch (i % 3) {
                case 0:
                    due.put(key, start + delay);
                    m.putUserProperty("TIMER_DELIVER_MS", Long.toString(start + delay));
                    break;
                case 1:
                    m.putUserProperty("TIMER_DELAY_MS", Long.toString(delay));
                    break;
                default:
                    m.putUserProperty("TIMER_DELAY_SEC", Long.toString(1 + delay / 1000));
                    break;
            }
            SendResult r = p.send(m);
            eq(SendStatus.SEND_OK, r.getSendStatus(), "send status of " + key);
            ids.put(key, r.getMsgId());
            if (i % 3 != 0) {
                long d = i % 3 == 1 ? delay : (1 + delay / 1000) * 1000;
                relative.put(key, new long[] {before + d, System.currentTimeMillis() + d});
            }
        }
        c.progress = "sent " + n;
        check(c.await(spread + 20_000, () -> a.at.size() >= n), "timer messages delivered: " + a.at.size() + " of " + n);
        Thread.sleep(500);
        List<Long> lags = new ArrayList<Long>();
        for (int i = 0; i < n; i++) {
            String key = "t" + i;
            MessageExt m = a.msg.get(key);
            long out = Long.parseLong(m.getProperty("TIMER_OUT_MS"));
            if (i % 3 == 0) {
                eq(due.get(key), out, "TIMER_OUT_MS of " + key);
            } else {
                long[] w = relative.get(key);
                check(out >= w[0] && out <= w[1], "TIMER_OUT_MS " + out + " of " + key + " within the send window " + w[0] + ".." + w[1]);
            }
            long lag = a.at.get(key) - out;
            check(lag >= 0, key + " arrived " + (-lag) + " ms early");
            check(m.getStoreTimestamp() >= out, key + " stored " + (out - m.getStoreTimestamp()) + " ms early");
            check(lag <= BUG_MS, key + " arrived " + lag + " ms after its due time");
            lags.add(lag);
            eq(1, a.count.get(key), "deliveries of " + key);
            eq(ids.get(key), m.getMsgId(), "msgId (UNIQ_KEY) of " + key);
            eq(topic, m.getTopic(), "topic of " + key);
            eq("TagT", m.getTags(), "tag of " + key);
            eq(topic, m.getProperty("REAL_TOPIC"), "REAL_TOPIC of " + key);
        }
        Collections.sort(lags);
        check(lags.get(n / 2) <= LATE_MS, "median delivery lag " + lags.get(n / 2) + " ms");
        long over = lags.stream().filter(l -> l > LATE_MS).count();
        c.progress = "lag p50 " + lags.get(n / 2) + " ms, p99 " + lags.get(n * 99 / 100) + " ms, max " + lags.get(n - 1) + " ms, "
            + over + " later than " + LATE_MS + " ms";
        System.out.println("  timer_random_due: " + c.progress);

        // Beyond timerMaxDelaySec: MESSAGE_ILLEGAL (13), not retried by the client.
        Message far = new Message(topic, "TagT", "far", "far".getBytes(StandardCharsets.UTF_8));
        far.putUserProperty("TIMER_DELAY_SEC", Long.toString(4L * 24 * 3600));
        try {
            p.send(far);
            check(false, "a timer message beyond timerMaxDelaySec was accepted");
        } catch (MQBrokerException e) {
            eq(13, e.getResponseCode(), "response code of a too far timer message (" + e.getErrorMessage() + ")");
            check(e.getErrorMessage().contains("timerMaxDelaySec"), "remark names timerMaxDelaySec: " + e.getErrorMessage());
        }
    }
}
