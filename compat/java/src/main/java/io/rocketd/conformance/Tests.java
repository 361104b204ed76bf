package io.rocketd.conformance;

import static io.rocketd.conformance.Ctx.body;
import static io.rocketd.conformance.Ctx.check;
import static io.rocketd.conformance.Ctx.eq;
import static io.rocketd.conformance.Ctx.msg;

import io.rocketd.conformance.Ctx.Collector;
import io.rocketd.conformance.Suite.Test;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.rocketmq.client.QueryResult;
import org.apache.rocketmq.client.consumer.DefaultLitePullConsumer;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.MessageSelector;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.ConsumeOrderlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.consumer.listener.MessageListenerOrderly;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.LocalTransactionState;
import org.apache.rocketmq.client.producer.SendCallback;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.client.producer.TransactionListener;
import org.apache.rocketmq.client.producer.TransactionMQProducer;
import org.apache.rocketmq.client.producer.TransactionSendResult;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;
import org.apache.rocketmq.common.protocol.body.ConsumerConnection;
import org.apache.rocketmq.common.protocol.body.ConsumerRunningInfo;
import org.apache.rocketmq.common.protocol.heartbeat.MessageModel;

/** The tests, in run order. Names are stable: the known-failures file refers to them. */
final class Tests {
    private Tests() {
    }

    static List<Test> all() {
        List<Test> t = new ArrayList<Test>();
        t.add(new Test("producer_sync", 30_000, Tests::producerSync));
        t.add(new Test("producer_async", 30_000, Tests::producerAsync));
        t.add(new Test("producer_oneway", 30_000, Tests::producerOneway));
        t.add(new Test("producer_batch", 30_000, Tests::producerBatch));
        t.add(new Test("producer_orderly_selector", 45_000, Tests::producerOrderly));
        t.add(new Test("producer_delay_level", 30_000, Tests::producerDelay));
        t.add(new Test("producer_compressed_body", 30_000, Tests::producerCompressed));
        t.add(new Test("producer_auto_create_topic", 30_000, Tests::producerAutoCreate));
        t.add(new Test("request_reply", 30_000, Tests::requestReply));
        t.add(new Test("query_message_by_key", 30_000, Tests::queryByKey));
        t.add(new Test("view_message_by_id", 30_000, Tests::viewById));
        t.add(new Test("push_concurrently_clustering", 60_000, Tests::pushClustering));
        t.add(new Test("push_orderly", 45_000, Tests::pushOrderly));
        t.add(new Test("push_broadcasting", 45_000, Tests::pushBroadcasting));
        t.add(new Test("push_tag_selector", 30_000, Tests::pushTags));
        t.add(new Test("push_sql92_selector", 30_000, Tests::pushSql));
        t.add(new Test("push_retry_reconsume_later", 60_000, Tests::pushRetry));
        t.add(new Test("push_dlq", 75_000, Tests::pushDlq));
        t.add(new Test("push_offset_resume", 45_000, Tests::pushOffsetResume));
        t.add(new Test("push_new_group_from_timestamp_reads_all", 45_000, Tests::pushFromTimestamp));
        t.add(new Test("lite_pull_subscribe", 45_000, Tests::litePullSubscribe));
        t.add(new Test("lite_pull_assign_seek_commit", 30_000, Tests::litePullAssign));
        t.add(new Test("never_written_queue_offsets", 30_000, Tests::neverWrittenQueue));
        t.add(new Test("tx_commit", 30_000, Tests::txCommit));
        t.add(new Test("tx_rollback", 30_000, Tests::txRollback));
        t.add(new Test("tx_check_back", 60_000, Tests::txCheckBack));
        t.add(new Test("tx_check_immunity_does_not_block", 60_000, Tests::txImmunityNotBlocking));
        t.add(new Test("admin_consumer_connection_and_running_info", 30_000, Tests::consumerRunningInfo));
        t.add(new Test("timer_random_due", 60_000, TimerTests::timerRandomDue));
        return t;
    }

    // ---------------------------------------------------------------- producer

    static void producerSync(Ctx c) throws Exception {
        String topic = c.topic(4);
        DefaultMQProducer p = c.producer();
        Set<Integer> queues = new java.util.HashSet<Integer>();
        for (int i = 0; i < 8; i++) {
            SendResult r = p.send(msg(topic, "TagA", "k" + i, "sync-" + i));
            eq(SendStatus.SEND_OK, r.getSendStatus(), "send status");
            check(r.getMsgId() != null && r.getOffsetMsgId() != null, "message ids set: " + r);
            eq(topic, r.getMessageQueue().getTopic(), "send result topic");
            queues.add(r.getMessageQueue().getQueueId());
        }
        check(queues.size() == 4, "round robin over 4 queues, used " + queues);
        Collector col = c.drain(topic, 8, 15_000);
        eq(8, col.size(), "messages read back");
        MessageExt m = col.byKey("k3");
        eq("sync-3", body(m), "body");
        eq("TagA", m.getTags(), "tags");
        eq(topic, m.getTopic(), "topic");
        check(m.getBornTimestamp() > 0 && m.getStoreTimestamp() >= m.getBornTimestamp() - 5000, "timestamps " + m);
    }

    static void producerAsync(Ctx c) throws Exception {
        String topic = c.topic(4);
        DefaultMQProducer p = c.producer();
        int n = 10;
        CountDownLatch done = new CountDownLatch(n);
        List<String> errors = new CopyOnWriteArrayList<String>();
        for (int i = 0; i < n; i++) {
            p.send(msg(topic, "", "k" + i, "async-" + i), new SendCallback() {
                @Override
                public void onSuccess(SendResult r) {
                    if (r.getSendStatus() != SendStatus.SEND_OK) {
                        errors.add(String.valueOf(r));
                    }
                    done.countDown();
                }

                @Override
                public void onException(Throwable e) {
                    errors.add(e.toString());
                    done.countDown();
                }
            });
        }
        check(done.await(c.ms(15_000), TimeUnit.MILLISECONDS), "async callbacks: " + done.getCount() + " missing");
        check(errors.isEmpty(), "async send errors: " + errors);
        eq(n, c.drain(topic, n, 15_000).size(), "messages read back");
    }

    static void producerOneway(Ctx c) throws Exception {
        String topic = c.topic(2);
        DefaultMQProducer p = c.producer();
        for (int i = 0; i < 5; i++) {
            p.sendOneway(msg(topic, "", "k" + i, "oneway-" + i));
        }
        eq(5, c.drain(topic, 5, 15_000).size(), "oneway messages read back");
    }

    static void producerBatch(Ctx c) throws Exception {
        String topic = c.topic(4);
        DefaultMQProducer p = c.producer();
        List<Message> batch = new ArrayList<Message>();
        for (int i = 0; i < 10; i++) {
            Message m = msg(topic, "B", "k" + i, "batch-" + i);
            m.putUserProperty("idx", Integer.toString(i));
            batch.add(m);
        }
        SendResult r = p.send(batch);
        eq(SendStatus.SEND_OK, r.getSendStatus(), "batch send status");
        eq(10, r.getMsgId().split(",").length, "ids in batch send result " + r.getMsgId());
        Collector col = c.drain(topic, 10, 15_000);
        eq(10, col.size(), "batch messages read back");
        List<MessageExt> got = col.snapshot();
        long prev = -1;
        for (MessageExt m : got) {
            eq(r.getMessageQueue().getQueueId(), m.getQueueId(), "a batch lands in one queue");
            check(m.getQueueOffset() > prev, "queue offsets increase");
            prev = m.getQueueOffset();
            eq("batch-" + m.getUserProperty("idx"), body(m), "user property travels with the body");
        }
    }

    static void producerOrderly(Ctx c) throws Exception {
        String topic = c.topic(4);
        DefaultMQProducer p = c.producer();
        int orders = 4;
        int perOrder = 10;
        for (int i = 0; i < perOrder; i++) {
            for (int o = 0; o < orders; o++) {
                Message m = msg(topic, "O", "o" + o + "-" + i, o + ":" + i);
                SendResult r = p.send(m, (mqs, msg, arg) -> mqs.get((Integer) arg % mqs.size()), o);
                eq(SendStatus.SEND_OK, r.getSendStatus(), "send status");
                eq(o, r.getMessageQueue().getQueueId(), "selected queue");
            }
        }
        // Each order is read back from its own queue, in send order.
        Map<Integer, List<Integer>> seen = new ConcurrentHashMap<Integer, List<Integer>>();
        DefaultMQPushConsumer pc = c.pushConsumer(c.name("OG"));
        pc.subscribe(topic, "*");
        pc.registerMessageListener((MessageListenerOrderly) (msgs, ctx) -> {
            for (MessageExt m : msgs) {
                String[] parts = body(m).split(":");
                int o = Integer.parseInt(parts[0]);
                if (m.getQueueId() != o) {
                    seen.computeIfAbsent(-1, k -> new CopyOnWriteArrayList<Integer>()).add(o);
                }
                seen.computeIfAbsent(o, k -> new CopyOnWriteArrayList<Integer>()).add(Integer.parseInt(parts[1]));
            }
            return ConsumeOrderlyStatus.SUCCESS;
        });
        pc.start();
        check(c.await(30_000, () -> {
            int n = 0;
            for (List<Integer> l : seen.values()) {
                n += l.size();
            }
            c.progress = "consumed " + n;
            return n >= orders * perOrder;
        }), "orderly consumption incomplete: " + seen);
        check(!seen.containsKey(-1), "messages in the wrong queue: " + seen.get(-1));
        for (int o = 0; o < orders; o++) {
            List<Integer> l = seen.get(o);
            for (int i = 0; i < perOrder; i++) {
                eq(i, l.get(i), "order " + o + " sequence " + l);
            }
        }
    }

    static void producerDelay(Ctx c) throws Exception {
        String topic = c.topic(2);
        DefaultMQProducer p = c.producer();
        Collector col = new Collector();
        DefaultMQPushConsumer pc = c.pushConsumer(c.name("DLG"));
        pc.subscribe(topic, "*");
        Map<String, Long> arrived = new ConcurrentHashMap<String, Long>();
        pc.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
            for (MessageExt m : msgs) {
                arrived.put(m.getKeys(), System.currentTimeMillis());
                col.add(m);
            }
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        pc.start();
        Message m = msg(topic, "D", "delayed", "delay-level-2");
        m.setDelayTimeLevel(2); // 5 s with the default messageDelayLevel
        long sent = System.currentTimeMillis();
        eq(SendStatus.SEND_OK, p.send(m).getSendStatus(), "send status");
        p.send(msg(topic, "D", "plain", "no delay"));
        check(c.await(25_000, () -> col.size() >= 2), "delayed message not delivered within 25 s; got " + col.keys);
        MessageExt d = col.byKey("delayed");
        eq(topic, d.getTopic(), "delivered on the original topic");
        eq("delay-level-2", body(d), "body");
        long waited = arrived.get("delayed") - sent;
        check(waited >= 4000, "delivered after " + waited + " ms, want >= ~5 s");
        check(arrived.get("plain") < arrived.get("delayed"), "the undelayed message comes first");
    }

    static void producerCompressed(Ctx c) throws Exception {
        String topic = c.topic(1);
        DefaultMQProducer p = c.producer();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; sb.length() < 64 * 1024; i++) {
            sb.append("line ").append(i).append(" of a body the client compresses (over 4 KiB)\n");
        }
        String big = sb.toString();
        eq(SendStatus.SEND_OK, p.send(msg(topic, "Z", "big", big)).getSendStatus(), "send status");
        Collector col = c.drain(topic, 1, 15_000);
        MessageExt m = col.byKey("big");
        check(m != null, "compressed message not read back");
        eq(big, body(m), "body after decompression");
        check((m.getSysFlag() & 0x1) != 0, "stored with the COMPRESSED sysFlag bit (sysFlag " + m.getSysFlag() + ")");
    }

    static void producerAutoCreate(Ctx c) throws Exception {
        if (!c.brokerFlag("autoCreateTopicEnable")) {
            throw new Suite.Skip("broker has autoCreateTopicEnable=false");
        }
        String topic = c.name("AUTO");
        DefaultMQProducer p = c.producer();
        SendResult r = p.send(msg(topic, "", "k", "auto"));
        eq(SendStatus.SEND_OK, r.getSendStatus(), "send to a topic that does not exist yet");
        check(c.await(15_000, () -> {
            try {
                return !c.s.admin.examineTopicRouteInfo(topic).getQueueDatas().isEmpty();
            } catch (Exception e) {
                return false;
            }
        }), "the auto-created topic has no route");
        // The client asks for defaultTopicQueueNums (4) queues, taken from TBW102's route.
        eq(4, c.s.admin.examineTopicRouteInfo(topic).getQueueDatas().get(0).getWriteQueueNums(), "write queues");
        eq(1, c.drain(topic, 1, 15_000).size(), "messages read back");
    }

    static void requestReply(Ctx c) throws Exception {
        String topic = c.topic(1);
        DefaultMQProducer replier = c.producer();
        DefaultMQPushConsumer pc = c.pushConsumer(c.name("RRG"));
        pc.subscribe(topic, "*");
        List<String> errors = new CopyOnWriteArrayList<String>();
        pc.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
            for (MessageExt m : msgs) {
                try {
                    Message reply = org.apache.rocketmq.client.utils.MessageUtil.createReplyMessage(m,
                        ("reply to " + body(m)).getBytes(java.nio.charset.StandardCharsets.UTF_8));
                    replier.send(reply);
                } catch (Exception e) {
                    errors.add(e.toString());
                }
            }
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        pc.start();
        DefaultMQProducer requester = c.producer();
        Message answer = null;
        long deadline = System.currentTimeMillis() + c.ms(20_000);
        Exception last = null;
        while (answer == null && System.currentTimeMillis() < deadline) {
            try {
                answer = requester.request(msg(topic, "RQ", "req", "ping"), 3000);
            } catch (org.apache.rocketmq.client.exception.RequestTimeoutException e) {
                last = e; // the consumer may not own the queue yet
            }
        }
        check(answer != null, "no reply: " + last + " " + errors);
        eq("reply to ping", new String(answer.getBody(), java.nio.charset.StandardCharsets.UTF_8), "reply body");
        check(errors.isEmpty(), "replier errors: " + errors);
    }

    // ---------------------------------------------------------------- lookup

    static void queryByKey(Ctx c) throws Exception {
        String topic = c.topic(2);
        DefaultMQProducer p = c.producer();
        String key = c.name("key");
        long begin = System.currentTimeMillis() - 60_000;
        SendResult r = p.send(msg(topic, "Q", key, "find me"));
        p.send(msg(topic, "Q", "other", "not me"));
        AtomicReference<QueryResult> res = new AtomicReference<QueryResult>();
        check(c.await(15_000, () -> {
            try {
                QueryResult q = p.queryMessage(topic, key, 32, begin, System.currentTimeMillis() + 60_000);
                res.set(q);
                return !q.getMessageList().isEmpty();
            } catch (Exception e) {
                c.progress = e.toString();
                return false;
            }
        }), "queryMessage found nothing for key " + key);
        List<MessageExt> l = res.get().getMessageList();
        eq(1, l.size(), "messages for the key");
        eq("find me", body(l.get(0)), "body");
        eq(r.getMsgId(), l.get(0).getMsgId(), "the found message's id is the unique id");
        eq(key, l.get(0).getKeys(), "keys");
    }

    static void viewById(Ctx c) throws Exception {
        String topic = c.topic(2);
        DefaultMQProducer p = c.producer();
        Message m = msg(topic, "V", c.name("vk"), "view me");
        m.putUserProperty("color", "blue");
        SendResult r = p.send(m);
        MessageExt byOffset = p.viewMessage(r.getOffsetMsgId());
        eq("view me", body(byOffset), "viewMessage(offsetMsgId) body");
        eq("blue", byOffset.getUserProperty("color"), "user property");
        eq(topic, byOffset.getTopic(), "topic");
        eq(r.getMessageQueue().getQueueId(), byOffset.getQueueId(), "queue id");
        eq(r.getQueueOffset(), byOffset.getQueueOffset(), "queue offset");
        AtomicReference<MessageExt> byUniq = new AtomicReference<MessageExt>();
        check(c.await(15_000, () -> {
            try {
                byUniq.set(p.viewMessage(topic, r.getMsgId()));
                return byUniq.get() != null;
            } catch (Exception e) {
                c.progress = e.toString();
                return false;
            }
        }), "viewMessage(topic, uniqId) found nothing" + c.progress());
        eq("view me", body(byUniq.get()), "viewMessage(topic, uniqId) body");
    }

    // ---------------------------------------------------------------- push consumer

    static DefaultMQPushConsumer collecting(Ctx c, String group, String topic, String expr, Collector col) throws Exception {
        DefaultMQPushConsumer pc = c.pushConsumer(group);
        pc.subscribe(topic, expr);
        pc.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
            for (MessageExt m : msgs) {
                col.add(m);
            }
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        return pc;
    }

    /** Queues of topic the consumer currently owns (the %RETRY% queue is counted apart). */
    static int assigned(DefaultMQPushConsumer pc, String topic) {
        int n = 0;
        for (MessageQueue mq : pc.getDefaultMQPushConsumerImpl().getRebalanceImpl().getProcessQueueTable().keySet()) {
            n += mq.getTopic().equals(topic) ? 1 : 0;
        }
        return n;
    }

    static void pushClustering(Ctx c) throws Exception {
        String topic = c.topic(4);
        String group = c.name("CG");
        Collector a = new Collector();
        Collector b = new Collector();
        DefaultMQPushConsumer ca = collecting(c, group, topic, "*", a);
        DefaultMQPushConsumer cb = collecting(c, group, topic, "*", b);
        ca.start();
        cb.start();
        // Both members see each other (GET_CONSUMER_LIST_BY_GROUP) and split the 4 queues.
        check(c.await(30_000, () -> {
            c.progress = "assigned " + assigned(ca, topic) + "+" + assigned(cb, topic);
            return assigned(ca, topic) > 0 && assigned(cb, topic) > 0 && assigned(ca, topic) + assigned(cb, topic) == 4;
        }), "rebalance did not split the queues" + c.progress());
        DefaultMQProducer p = c.producer();
        int n = 20;
        for (int i = 0; i < n; i++) {
            p.send(msg(topic, "", "k" + i, "m" + i));
        }
        check(c.await(20_000, () -> {
            Set<String> u = new java.util.HashSet<String>(a.keys);
            u.addAll(b.keys);
            c.progress = "a=" + a.size() + " b=" + b.size();
            return u.size() == n;
        }), "not every message consumed" + c.progress());
        check(a.size() > 0 && b.size() > 0, "both members consume" + c.progress());
        ConsumerConnection cc = c.s.admin.examineConsumerConnectionInfo(group);
        eq(2, cc.getConnectionSet().size(), "consumer connections");
        eq(MessageModel.CLUSTERING, cc.getMessageModel(), "message model");
        // Offsets reach the broker (UPDATE_CONSUMER_OFFSET): consumeStats shows no lag.
        check(c.await(15_000, () -> {
            long lag = c.s.admin.examineConsumeStats(group).computeTotalDiff();
            c.progress = "lag " + lag;
            return lag == 0;
        }), "committed offsets do not reach the broker" + c.progress());
    }

    static void pushOffsetResume(Ctx c) throws Exception {
        String topic = c.topic(2);
        String group = c.name("RSG");
        DefaultMQProducer p = c.producer();
        for (int i = 0; i < 6; i++) {
            p.send(msg(topic, "", "a" + i, "first"));
        }
        Collector first = new Collector();
        DefaultMQPushConsumer c1 = collecting(c, group, topic, "*", first);
        c1.start();
        check(c.await(20_000, () -> first.size() == 6), "first consumer got " + first.keys);
        c1.shutdown(); // persists its offsets to the broker
        check(c.await(10_000, () -> c.s.admin.examineConsumeStats(group).computeTotalDiff() == 0), "offsets committed on shutdown");
        for (int i = 0; i < 4; i++) {
            p.send(msg(topic, "", "b" + i, "second"));
        }
        Collector second = new Collector();
        collecting(c, group, topic, "*", second).start();
        check(c.await(20_000, () -> second.size() >= 4), "second consumer got " + second.keys);
        Thread.sleep(c.ms(1000));
        for (String k : second.keys) {
            check(k.startsWith("b"), "a consumed message was delivered again after restart: " + second.keys);
        }
    }

    static void pushFromTimestamp(Ctx c) throws Exception {
        String topic = c.topic(1);
        DefaultMQProducer p = c.producer();
        for (int i = 0; i < 3; i++) {
            p.send(msg(topic, "", "old" + i, "old"));
        }
        Thread.sleep(c.ms(1500));
        long cut = System.currentTimeMillis();
        Thread.sleep(c.ms(500));
        for (int i = 0; i < 3; i++) {
            p.send(msg(topic, "", "new" + i, "new"));
        }
        Collector col = new Collector();
        DefaultMQPushConsumer pc = collecting(c, c.name("TSG"), topic, "*", col);
        pc.setConsumeFromWhere(org.apache.rocketmq.common.consumer.ConsumeFromWhere.CONSUME_FROM_TIMESTAMP);
        pc.setConsumeTimestamp(org.apache.rocketmq.common.UtilAll.timeMillisToHumanString3(cut));
        pc.start();
        // Java 4.9.8: a group with no stored offset on a queue whose first message (offset 0) is still in
        // memory is answered offset 0 by QUERY_CONSUMER_OFFSET, so CONSUME_FROM_TIMESTAMP (and LAST_OFFSET)
        // only apply once the queue's head has left the page cache: a new group reads the whole queue.
        check(c.await(20_000, () -> col.size() >= 6), "consumer got " + col.keys);
        Thread.sleep(c.ms(1000));
        eq(6, col.size(), "a new group reads from offset 0 despite CONSUME_FROM_TIMESTAMP: " + col.keys);
    }

    static void pushOrderly(Ctx c) throws Exception {
        String topic = c.topic(2);
        DefaultMQProducer p = c.producer();
        for (int i = 0; i < 20; i++) {
            p.send(msg(topic, "", "k" + i, Integer.toString(i)), (mqs, m, arg) -> mqs.get(0), null);
        }
        List<Integer> seen = new CopyOnWriteArrayList<Integer>();
        AtomicInteger concurrent = new AtomicInteger();
        AtomicInteger maxConcurrent = new AtomicInteger();
        DefaultMQPushConsumer pc = c.pushConsumer(c.name("ORG"));
        pc.subscribe(topic, "*");
        pc.setConsumeMessageBatchMaxSize(1);
        pc.registerMessageListener((MessageListenerOrderly) (msgs, ctx) -> {
            int now = concurrent.incrementAndGet();
            maxConcurrent.accumulateAndGet(now, Math::max);
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            for (MessageExt m : msgs) {
                seen.add(Integer.parseInt(body(m)));
            }
            concurrent.decrementAndGet();
            return ConsumeOrderlyStatus.SUCCESS;
        });
        pc.start();
        check(c.await(30_000, () -> seen.size() >= 20), "orderly consumer got " + seen);
        for (int i = 0; i < 20; i++) {
            eq(i, seen.get(i), "order " + seen);
        }
        eq(1, maxConcurrent.get(), "one queue is consumed by one thread at a time");
    }

    static void pushBroadcasting(Ctx c) throws Exception {
        String topic = c.topic(2);
        String group = c.name("BG");
        Collector a = new Collector();
        Collector b = new Collector();
        DefaultMQPushConsumer ca = collecting(c, group, topic, "*", a);
        DefaultMQPushConsumer cb = collecting(c, group, topic, "*", b);
        ca.setMessageModel(MessageModel.BROADCASTING);
        cb.setMessageModel(MessageModel.BROADCASTING);
        ca.start();
        cb.start();
        check(c.await(20_000, () -> assigned(ca, topic) == 2 && assigned(cb, topic) == 2), "each member takes every queue");
        DefaultMQProducer p = c.producer();
        for (int i = 0; i < 10; i++) {
            p.send(msg(topic, "", "k" + i, "m" + i));
        }
        check(c.await(20_000, () -> a.size() == 10 && b.size() == 10), "broadcast: a=" + a.size() + " b=" + b.size());
        eq(MessageModel.BROADCASTING, c.s.admin.examineConsumerConnectionInfo(group).getMessageModel(), "model");
    }

    static void pushTags(Ctx c) throws Exception {
        String topic = c.topic(2);
        Collector col = new Collector();
        collecting(c, c.name("TG"), topic, "TagA || TagB", col).start();
        DefaultMQProducer p = c.producer();
        String[] tags = {"TagA", "TagB", "TagC"};
        for (int i = 0; i < 9; i++) {
            p.send(msg(topic, tags[i % 3], "k" + i, tags[i % 3]));
        }
        check(c.await(20_000, () -> col.size() >= 6), "tag filter: got " + col.keys);
        Thread.sleep(c.ms(1000));
        eq(6, col.size(), "messages of TagA and TagB only: " + col.keys);
        for (MessageExt m : col.snapshot()) {
            check(!"TagC".equals(m.getTags()), "TagC delivered");
        }
    }

    static void pushSql(Ctx c) throws Exception {
        if (!c.brokerFlag("enablePropertyFilter")) {
            throw new Suite.Skip("broker has enablePropertyFilter=false (start it with enablePropertyFilter=true)");
        }
        String topic = c.topic(2);
        Collector col = new Collector();
        DefaultMQPushConsumer pc = c.pushConsumer(c.name("SG"));
        pc.subscribe(topic, MessageSelector.bySql("a > 4 AND color = 'red'"));
        pc.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
            for (MessageExt m : msgs) {
                col.add(m);
            }
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        pc.start();
        DefaultMQProducer p = c.producer();
        for (int i = 0; i < 10; i++) {
            Message m = msg(topic, "S", "k" + i, "sql-" + i);
            m.putUserProperty("a", Integer.toString(i));
            m.putUserProperty("color", i % 2 == 0 ? "red" : "blue");
            p.send(m);
        }
        // a in 5..9 and even: 6, 8.
        check(c.await(20_000, () -> col.size() >= 2), "SQL92 filter: got " + col.keys);
        Thread.sleep(c.ms(1000));
        eq(new java.util.TreeSet<String>(java.util.Arrays.asList("k6", "k8")), new java.util.TreeSet<String>(col.keys), "matching keys");
    }

    static void pushRetry(Ctx c) throws Exception {
        String topic = c.topic(2);
        String group = c.name("RG");
        List<String> deliveries = new CopyOnWriteArrayList<String>();
        AtomicReference<MessageExt> retried = new AtomicReference<MessageExt>();
        DefaultMQPushConsumer pc = c.pushConsumer(group);
        pc.subscribe(topic, "*");
        pc.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
            MessageExt m = msgs.get(0);
            deliveries.add(m.getKeys() + "#" + m.getReconsumeTimes());
            if (m.getReconsumeTimes() == 0) {
                ctx.setDelayLevelWhenNextConsume(1); // 1 s
                return ConsumeConcurrentlyStatus.RECONSUME_LATER;
            }
            retried.set(m);
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        pc.start();
        DefaultMQProducer p = c.producer();
        SendResult r = p.send(msg(topic, "R", "retry-me", "again"));
        check(c.await(50_000, () -> {
            c.progress = "deliveries " + deliveries;
            return retried.get() != null;
        }), "not redelivered after RECONSUME_LATER" + c.progress());
        MessageExt m = retried.get();
        eq(1, m.getReconsumeTimes(), "reconsumeTimes");
        eq(topic, m.getTopic(), "the client restores the original topic");
        eq("again", body(m), "body");
        eq(r.getMsgId(), m.getMsgId(), "the unique message id is kept");
        eq(topic, m.getProperty("RETRY_TOPIC"), "RETRY_TOPIC property holds the original topic");
    }

    static void pushDlq(Ctx c) throws Exception {
        String topic = c.topic(1);
        String group = c.name("DQG");
        String key = c.name("dlq");
        List<Integer> times = new CopyOnWriteArrayList<Integer>();
        DefaultMQPushConsumer pc = c.pushConsumer(group);
        pc.subscribe(topic, "*");
        pc.setMaxReconsumeTimes(1);
        pc.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
            times.add(msgs.get(0).getReconsumeTimes());
            ctx.setDelayLevelWhenNextConsume(1);
            return ConsumeConcurrentlyStatus.RECONSUME_LATER;
        });
        pc.start();
        DefaultMQProducer p = c.producer();
        long begin = System.currentTimeMillis() - 60_000;
        p.send(msg(topic, "X", key, "poison"));
        String dlq = "%DLQ%" + group;
        AtomicReference<List<MessageExt>> found = new AtomicReference<List<MessageExt>>();
        check(c.await(65_000, () -> {
            c.progress = "deliveries " + times;
            if (times.size() < 2) {
                return false;
            }
            try {
                found.set(p.queryMessage(dlq, key, 32, begin, System.currentTimeMillis() + 60_000).getMessageList());
                return !found.get().isEmpty();
            } catch (Exception e) {
                c.progress += " query: " + e.getMessage();
                return false;
            }
        }), "message not in " + dlq + c.progress());
        eq(java.util.Arrays.asList(0, 1), new ArrayList<Integer>(times.subList(0, 2)), "deliveries before the DLQ");
        MessageExt m = found.get().get(0);
        eq("poison", body(m), "DLQ body");
        eq(dlq, m.getTopic(), "DLQ topic");
        Thread.sleep(c.ms(2500));
        eq(2, times.size(), "no delivery after the DLQ: " + times);
        eq(6, c.s.admin.examineTopicRouteInfo(dlq).getQueueDatas().get(0).getPerm(), "DLQ topic perm (4.9.8: read+write)");
    }

    // ---------------------------------------------------------------- lite pull

    static void litePullSubscribe(Ctx c) throws Exception {
        String topic = c.topic(4);
        DefaultMQProducer p = c.producer();
        for (int i = 0; i < 12; i++) {
            p.send(msg(topic, i % 2 == 0 ? "even" : "odd", "k" + i, "m" + i));
        }
        DefaultLitePullConsumer lc = c.litePull(c.name("LG"));
        lc.subscribe(topic, "even");
        lc.start();
        Collector col = new Collector();
        long deadline = System.currentTimeMillis() + c.ms(35_000);
        while (col.size() < 6 && System.currentTimeMillis() < deadline) {
            for (MessageExt m : lc.poll(500)) {
                col.add(m);
            }
            c.progress = "polled " + col.size();
        }
        eq(6, col.size(), "even-tag messages polled: " + col.keys);
        for (MessageExt m : col.snapshot()) {
            eq("even", m.getTags(), "tag");
        }
        eq(4, lc.assignment().size(), "one member owns every queue");
    }

    static void litePullAssign(Ctx c) throws Exception {
        String topic = c.topic(1);
        DefaultMQProducer p = c.producer();
        for (int i = 0; i < 10; i++) {
            p.send(msg(topic, "", "k" + i, Integer.toString(i)));
        }
        DefaultLitePullConsumer lc = c.litePull(c.name("LAG"));
        lc.setAutoCommit(false);
        lc.start();
        Collection<MessageQueue> mqs = lc.fetchMessageQueues(topic);
        eq(1, mqs.size(), "queues");
        MessageQueue mq = mqs.iterator().next();
        lc.assign(mqs);
        lc.seek(mq, 4);
        List<Integer> got = new ArrayList<Integer>();
        long deadline = System.currentTimeMillis() + c.ms(15_000);
        while (got.size() < 6 && System.currentTimeMillis() < deadline) {
            for (MessageExt m : lc.poll(300)) {
                got.add(Integer.parseInt(body(m)));
            }
        }
        eq(java.util.Arrays.asList(4, 5, 6, 7, 8, 9), got, "messages after seek(4)");
        lc.commitSync();
        check(c.await(15_000, () -> {
            Long off = lc.committed(mq);
            c.progress = "committed " + off;
            return off != null && off == 10;
        }), "committed offset" + c.progress());
        Long ts = lc.offsetForTimestamp(mq, 0L);
        eq(0L, ts, "offsetForTimestamp(0)");
    }

    /**
     * A queue of an existing topic that was never written reads as an empty queue (Java creates its consume queue
     * on lookup): min and max offset 0, so DefaultMQPullConsumer.minOffset is 0 and DefaultLitePullConsumer
     * seekToBegin positions at 0 and later reads the first message sent to that queue.
     */
    @SuppressWarnings("deprecation")
    static void neverWrittenQueue(Ctx c) throws Exception {
        String topic = c.topic(4);
        DefaultMQProducer p = c.producer();
        SendResult first = p.send(msg(topic, "", "k0", "q0"), (mqs, m, arg) -> mqs.get(0), null);
        eq(0, first.getMessageQueue().getQueueId(), "selected queue");
        MessageQueue empty = new MessageQueue(topic, first.getMessageQueue().getBrokerName(), 2);

        org.apache.rocketmq.client.consumer.DefaultMQPullConsumer pull =
            new org.apache.rocketmq.client.consumer.DefaultMQPullConsumer(c.name("PLG"));
        pull.setNamesrvAddr(c.s.ns);
        pull.setInstanceName(c.name("pl"));
        pull.start();
        c.onClose(pull::shutdown);
        eq(0L, pull.minOffset(empty), "DefaultMQPullConsumer.minOffset of a never-written queue");
        eq(0L, pull.maxOffset(empty), "DefaultMQPullConsumer.maxOffset of a never-written queue");
        eq(0L, pull.searchOffset(empty, System.currentTimeMillis()), "searchOffset of a never-written queue");
        eq(0L, c.s.admin.minOffset(empty), "admin minOffset of a never-written queue");

        DefaultLitePullConsumer lc = c.litePull(c.name("SBG"));
        lc.setAutoCommit(false);
        lc.start();
        lc.assign(java.util.Collections.singletonList(empty));
        lc.seekToBegin(empty);
        SendResult later = p.send(msg(topic, "", "k2", "q2"), (mqs, m, arg) -> mqs.get(2), null);
        eq(2, later.getMessageQueue().getQueueId(), "selected queue");
        List<String> got = new ArrayList<String>();
        long deadline = System.currentTimeMillis() + c.ms(15_000);
        while (got.isEmpty() && System.currentTimeMillis() < deadline) {
            for (MessageExt m : lc.poll(300)) {
                got.add(body(m) + "@" + m.getQueueOffset());
            }
        }
        eq(java.util.Arrays.asList("q2@0"), got, "messages read after seekToBegin on a queue that was empty");
    }

    // ---------------------------------------------------------------- transactions

    static final class TxListener implements TransactionListener {
        final Map<String, LocalTransactionState> local = new ConcurrentHashMap<String, LocalTransactionState>();
        final Map<String, LocalTransactionState> check = new ConcurrentHashMap<String, LocalTransactionState>();
        final List<String> checked = new CopyOnWriteArrayList<String>();

        @Override
        public LocalTransactionState executeLocalTransaction(Message msg, Object arg) {
            return local.getOrDefault(msg.getKeys(), LocalTransactionState.COMMIT_MESSAGE);
        }

        @Override
        public LocalTransactionState checkLocalTransaction(MessageExt msg) {
            checked.add(msg.getKeys());
            return check.getOrDefault(msg.getKeys(), LocalTransactionState.UNKNOW);
        }
    }

    static void txCommit(Ctx c) throws Exception {
        String topic = c.topic(2);
        TxListener l = new TxListener();
        TransactionMQProducer p = c.txProducer(l);
        Collector col = new Collector();
        collecting(c, c.name("TXC"), topic, "*", col).start();
        TransactionSendResult r = p.sendMessageInTransaction(msg(topic, "T", "commit-me", "committed"), null);
        eq(SendStatus.SEND_OK, r.getSendStatus(), "half message send status");
        eq(LocalTransactionState.COMMIT_MESSAGE, r.getLocalTransactionState(), "local state");
        check(c.await(20_000, () -> col.size() >= 1), "committed message not delivered");
        MessageExt m = col.byKey("commit-me");
        eq(topic, m.getTopic(), "topic");
        eq("committed", body(m), "body");
        eq(r.getMsgId(), m.getMsgId(), "unique id");
        eq("true", m.getProperty("TRAN_MSG"), "TRAN_MSG property");
    }

    static void txRollback(Ctx c) throws Exception {
        String topic = c.topic(1);
        TxListener l = new TxListener();
        l.local.put("roll-me", LocalTransactionState.ROLLBACK_MESSAGE);
        TransactionMQProducer p = c.txProducer(l);
        Collector col = new Collector();
        collecting(c, c.name("TXR"), topic, "*", col).start();
        TransactionSendResult r = p.sendMessageInTransaction(msg(topic, "T", "roll-me", "rolled back"), null);
        eq(LocalTransactionState.ROLLBACK_MESSAGE, r.getLocalTransactionState(), "local state");
        p.sendMessageInTransaction(msg(topic, "T", "sentinel", "committed after"), null);
        check(c.await(20_000, () -> col.keys.contains("sentinel")), "the committed sentinel was not delivered");
        Thread.sleep(c.ms(1000));
        check(!col.keys.contains("roll-me"), "a rolled-back message was delivered");
    }

    /**
     * A half message whose CHECK_IMMUNITY_TIME_IN_SECONDS is far away is not checked, and does not hold back the
     * check-back of an undecided transaction sent after it (the broker re-queues the immune one).
     */
    static void txImmunityNotBlocking(Ctx c) throws Exception {
        String topic = c.topic(1);
        TxListener l = new TxListener();
        l.local.put("immune", LocalTransactionState.UNKNOW);
        l.local.put("behind", LocalTransactionState.UNKNOW);
        l.check.put("behind", LocalTransactionState.COMMIT_MESSAGE);
        TransactionMQProducer p = c.txProducer(l);
        Collector col = new Collector();
        collecting(c, c.name("TXI"), topic, "*", col).start();
        Message immune = msg(topic, "T", "immune", "immune");
        immune.putUserProperty("CHECK_IMMUNITY_TIME_IN_SECONDS", "3600");
        eq(LocalTransactionState.UNKNOW, p.sendMessageInTransaction(immune, null).getLocalTransactionState(), "local state");
        eq(LocalTransactionState.UNKNOW,
            p.sendMessageInTransaction(msg(topic, "T", "behind", "behind"), null).getLocalTransactionState(), "local state");
        String interval = c.s.brokerConfig.getProperty("transactionCheckInterval", "?");
        check(c.await(55_000, () -> {
            c.progress = "checked " + l.checked;
            return col.keys.contains("behind");
        }), "the transaction behind an immune half message was not checked back (broker transactionCheckInterval="
            + interval + ")" + c.progress());
        check(!l.checked.contains("immune"), "the immune half message was checked: " + l.checked);
        check(!col.keys.contains("immune"), "the immune half message was delivered");
    }

    static void txCheckBack(Ctx c) throws Exception {
        String topic = c.topic(1);
        TxListener l = new TxListener();
        l.local.put("check-me", LocalTransactionState.UNKNOW);
        l.check.put("check-me", LocalTransactionState.COMMIT_MESSAGE);
        TransactionMQProducer p = c.txProducer(l);
        Collector col = new Collector();
        collecting(c, c.name("TXK"), topic, "*", col).start();
        long sent = System.currentTimeMillis();
        TransactionSendResult r = p.sendMessageInTransaction(msg(topic, "T", "check-me", "checked"), null);
        eq(LocalTransactionState.UNKNOW, r.getLocalTransactionState(), "local state");
        Thread.sleep(c.ms(2000));
        check(col.size() == 0, "an undecided transaction was delivered");
        String interval = c.s.brokerConfig.getProperty("transactionCheckInterval", "?");
        check(c.await(55_000, () -> {
            c.progress = "checked " + l.checked;
            return col.keys.contains("check-me");
        }), "not delivered after the check-back (broker transactionCheckInterval=" + interval + ")" + c.progress());
        check(l.checked.contains("check-me"), "checkLocalTransaction called");
        eq("checked", body(col.byKey("check-me")), "body");
        check(System.currentTimeMillis() - sent >= 5000, "checked only after transactionTimeOut");
    }

    // ---------------------------------------------------------------- admin through a client

    static void consumerRunningInfo(Ctx c) throws Exception {
        String topic = c.topic(2);
        String group = c.name("RIG");
        Collector col = new Collector();
        DefaultMQPushConsumer pc = collecting(c, group, topic, "*", col);
        pc.start();
        check(c.await(15_000, () -> assigned(pc, topic) == 2), "queues assigned");
        ConsumerConnection cc = c.s.admin.examineConsumerConnectionInfo(group);
        eq(1, cc.getConnectionSet().size(), "connections");
        String clientId = cc.getConnectionSet().iterator().next().getClientId();
        eq(pc.getDefaultMQPushConsumerImpl().getmQClientFactory().getClientId(), clientId, "client id");
        eq(2, cc.getSubscriptionTable().size(), "subscriptions (topic and %RETRY%group): " + cc.getSubscriptionTable().keySet());
        ConsumerRunningInfo ri = c.s.admin.getConsumerRunningInfo(group, clientId, false);
        check(ri != null, "running info");
        int own = 0;
        for (MessageQueue mq : ri.getMqTable().keySet()) {
            own += mq.getTopic().equals(topic) ? 1 : 0;
        }
        eq(2, own, "running info mqTable queues of the topic: " + ri.getMqTable().keySet());
        eq("CONSUME_PASSIVELY", ri.getProperties().getProperty("PROP_CONSUME_TYPE"), "running info PROP_CONSUME_TYPE");
        check(ri.getProperties().getProperty("PROP_CONSUMER_START_TIMESTAMP") != null, "running info start timestamp");
        eq(2, ri.getSubscriptionSet().size(), "running info subscriptions " + ri.getSubscriptionSet());
    }
}
