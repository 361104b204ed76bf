package io.rocketd.conformance;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.rocketmq.client.consumer.DefaultLitePullConsumer;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.TransactionMQProducer;
import org.apache.rocketmq.common.TopicConfig;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;
import org.apache.rocketmq.common.protocol.body.ClusterInfo;
import org.apache.rocketmq.common.protocol.route.BrokerData;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;

/** Per-test context: unique names, clients closed after the test, bounded waits, assertions. */
final class Ctx {
    /** State shared by all tests: the name server, an admin client and the broker's address. */
    static final class Shared {
        final String ns;
        final String runId = Long.toString(System.currentTimeMillis() % 100_000_000L, 36);
        final AtomicInteger seq = new AtomicInteger();
        DefaultMQAdminExt admin;
        String brokerAddr;
        String brokerName;
        String cluster;
        Properties brokerConfig;

        Shared(String ns) {
            this.ns = ns;
        }

        void start() throws Exception {
            admin = new DefaultMQAdminExt(5000);
            admin.setNamesrvAddr(ns);
            admin.setInstanceName("conformance-admin-" + runId);
            admin.setAdminExtGroup("conformance_admin_" + runId);
            admin.start();
            ClusterInfo ci = admin.examineBrokerClusterInfo();
            for (Map.Entry<String, BrokerData> e : ci.getBrokerAddrTable().entrySet()) {
                brokerName = e.getKey();
                brokerAddr = e.getValue().getBrokerAddrs().get(0L);
                cluster = e.getValue().getCluster();
                if (brokerAddr != null) {
                    break;
                }
            }
            if (brokerAddr == null) {
                throw new IllegalStateException("no master broker registered at " + ns + ": " + ci.getBrokerAddrTable());
            }
            brokerConfig = admin.getBrokerConfig(brokerAddr);
        }

        void close() {
            if (admin != null) {
                admin.shutdown();
            }
        }
    }

    final Shared s;
    final String test;
    final double scale;
    private final Deque<Runnable> closers = new ArrayDeque<Runnable>();
    volatile String progress = "";

    Ctx(Shared s, String test, double scale) {
        this.s = s;
        this.test = test;
        this.scale = scale;
    }

    String progress() {
        return progress.isEmpty() ? "" : " (" + progress + ")";
    }

    /** A name unique to this run and test: prefix_test_run_seq (only [a-zA-Z0-9_-]). */
    String name(String prefix) {
        return prefix + "_" + test + "_" + s.runId + "_" + s.seq.incrementAndGet();
    }

    synchronized void onClose(Runnable r) {
        closers.push(r);
    }

    synchronized void closeAll() {
        while (!closers.isEmpty()) {
            try {
                closers.pop().run();
            } catch (Throwable ignored) {
                // best effort
            }
        }
    }

    // ---- clients ----

    String topic(int queues) throws Exception {
        String t = name("T");
        createTopic(t, queues);
        return t;
    }

    void createTopic(String t, int queues) throws Exception {
        TopicConfig tc = new TopicConfig(t, queues, queues, 6);
        s.admin.createAndUpdateTopicConfig(s.brokerAddr, tc);
        long deadline = System.currentTimeMillis() + ms(10_000);
        Exception last = null;
        while (System.currentTimeMillis() < deadline) {
            try {
                if (!s.admin.examineTopicRouteInfo(t).getQueueDatas().isEmpty()) {
                    return;
                }
            } catch (Exception e) {
                last = e;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("topic " + t + " has no route after creation: " + last);
    }

    DefaultMQProducer producer() throws Exception {
        DefaultMQProducer p = new DefaultMQProducer(name("PG"));
        p.setNamesrvAddr(s.ns);
        p.setInstanceName(name("pi"));
        p.setSendMsgTimeout(5000);
        p.start();
        onClose(p::shutdown);
        return p;
    }

    TransactionMQProducer txProducer(org.apache.rocketmq.client.producer.TransactionListener l) throws Exception {
        TransactionMQProducer p = new TransactionMQProducer(name("TXG"));
        p.setNamesrvAddr(s.ns);
        p.setInstanceName(name("ti"));
        p.setSendMsgTimeout(5000);
        p.setTransactionListener(l);
        p.start();
        onClose(p::shutdown);
        return p;
    }

    /** A push consumer, not started: the caller subscribes and registers a listener. */
    DefaultMQPushConsumer pushConsumer(String group) {
        DefaultMQPushConsumer c = new DefaultMQPushConsumer(group);
        c.setNamesrvAddr(s.ns);
        c.setInstanceName(name("ci"));
        c.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        c.setConsumeThreadMin(2);
        c.setConsumeThreadMax(4);
        onClose(c::shutdown);
        return c;
    }

    DefaultLitePullConsumer litePull(String group) {
        DefaultLitePullConsumer c = new DefaultLitePullConsumer(group);
        c.setNamesrvAddr(s.ns);
        c.setInstanceName(name("li"));
        c.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        c.setPollTimeoutMillis(500);
        onClose(c::shutdown);
        return c;
    }

    /** Reads every message of a topic from the start with a lite pull consumer in assign mode. */
    Collector drain(String topic, int atLeast, long timeoutMs) throws Exception {
        DefaultLitePullConsumer c = litePull(name("DG"));
        c.start();
        Collection<MessageQueue> mqs = c.fetchMessageQueues(topic);
        c.assign(mqs);
        Collector col = new Collector();
        long deadline = System.currentTimeMillis() + ms(timeoutMs);
        while (col.size() < atLeast && System.currentTimeMillis() < deadline) {
            for (MessageExt m : c.poll(300)) {
                col.add(m);
            }
            progress = "drained " + col.size() + "/" + atLeast;
        }
        return col;
    }

    static Message msg(String topic, String tags, String key, String body) {
        Message m = new Message(topic, tags, key, body.getBytes(StandardCharsets.UTF_8));
        return m;
    }

    long ms(long base) {
        return (long) (base * scale);
    }

    /** Polls cond every 100 ms until true or timeoutMs passed. */
    boolean await(long timeoutMs, Cond cond) throws Exception {
        long deadline = System.currentTimeMillis() + ms(timeoutMs);
        while (System.currentTimeMillis() < deadline) {
            if (cond.ok()) {
                return true;
            }
            Thread.sleep(100);
        }
        return cond.ok();
    }

    interface Cond {
        boolean ok() throws Exception;
    }

    boolean brokerFlag(String key) {
        return "true".equalsIgnoreCase(s.brokerConfig.getProperty(key, "").trim());
    }

    // ---- assertions ----

    static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    static void eq(Object want, Object got, String what) {
        if (want == null ? got != null : !want.equals(got)) {
            throw new AssertionError(what + ": want " + want + ", got " + got);
        }
    }

    static String body(MessageExt m) {
        return new String(m.getBody(), StandardCharsets.UTF_8);
    }

    /** Thread-safe record of received messages, by key. */
    static final class Collector {
        final List<MessageExt> all = Collections.synchronizedList(new ArrayList<MessageExt>());
        final Set<String> keys = ConcurrentHashMap.newKeySet();

        void add(MessageExt m) {
            all.add(m);
            keys.add(m.getKeys() == null ? m.getMsgId() : m.getKeys());
        }

        int size() {
            return keys.size();
        }

        List<MessageExt> snapshot() {
            synchronized (all) {
                return new ArrayList<MessageExt>(all);
            }
        }

        MessageExt byKey(String key) {
            for (MessageExt m : snapshot()) {
                if (key.equals(m.getKeys())) {
                    return m;
                }
            }
            return null;
        }
    }
}
