package io.rocketd.conformance;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;

/**
 * Timer soak (rocketd issue #18) with the unmodified 4.9.8 client: COUNT messages with TIMER_DELIVER_MS spread
 * over SPREAD ms; a clean broker restart at a third of the spread and a kill -9 (then a start) at two thirds.
 * Checks that none is lost, none arrives early and, outside the two restarts, the median delivery lag is within
 * 100 ms and none is more than 3 s late; prints the lag percentiles and how many were later than 100 ms, the target (by the delivered
 * message's store time: after a restart the client waits 3 s after a failed pull, so its
 * arrivals then measure the client's reconnection). Duplicates are counted (allowed after the kill).
 *
 * <pre>
 * TimerSoak -n NAMESRV -count N -spread MS -restart CMD -kill CMD
 * </pre>
 * CMD runs with bash -c (compat/java/timer-soak.sh passes rocketd.sh restart-broker / kill-broker).
 */
public final class TimerSoak {
    private TimerSoak() {
    }

    public static void main(String[] args) throws Exception {
        String ns = null;
        String restart = null;
        String kill = null;
        int count = 1000;
        long spread = 20_000;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "-n": ns = args[++i]; break;
                case "-count": count = Integer.parseInt(args[++i]); break;
                case "-spread": spread = Long.parseLong(args[++i]); break;
                case "-restart": restart = args[++i]; break;
                case "-kill": kill = args[++i]; break;
                default:
                    System.err.println("usage: TimerSoak -n NAMESRV -count N -spread MS -restart CMD -kill CMD");
                    System.exit(2);
            }
        }
        Ctx.Shared shared = new Ctx.Shared(ns);
        shared.start();
        Ctx c = new Ctx(shared, "timer_soak", 1.0);
        int rc = 1;
        try {
            rc = run(c, count, spread, restart, kill);
        } finally {
            c.closeAll();
            shared.close();
        }
        System.exit(rc);
    }

    static int run(Ctx c, int n, long spread, String restart, String kill) throws Exception {
        TimerTests.requireTimer(c);
        String topic = c.topic(4);
        DefaultMQProducer p = c.producer();
        p.setSendMsgTimeout(10_000);
        TimerTests.Arrivals a = new TimerTests.Arrivals();
        DefaultMQPushConsumer pc = c.pushConsumer(c.name("TSG"));
        pc.subscribe(topic, "*");
        pc.registerMessageListener(a);
        pc.start();

        Map<String, Long> due = new ConcurrentHashMap<String, Long>();
        long start = System.currentTimeMillis();
        ExecutorService ex = Executors.newFixedThreadPool(8);
        List<Future<?>> fs = new ArrayList<Future<?>>();
        for (int w = 0; w < 8; w++) {
            final int first = w;
            fs.add(ex.submit(() -> {
                for (int i = first; i < n; i += 8) {
                    String key = "s" + i;
                    long d = System.currentTimeMillis() + 1000 + ThreadLocalRandom.current().nextLong(spread); // >= 1 s ahead
                    Message m = new Message(topic, "TagS", key, ("soak " + i).getBytes(StandardCharsets.UTF_8));
                    m.putUserProperty("TIMER_DELIVER_MS", Long.toString(d));
                    SendResult r = p.send(m);
                    if (r.getSendStatus() != SendStatus.SEND_OK) {
                        throw new IllegalStateException("send " + key + ": " + r.getSendStatus());
                    }
                    due.put(key, d);
                }
                return null;
            }));
        }
        for (Future<?> f : fs) {
            f.get();
        }
        ex.shutdown();
        System.out.printf("timer soak: sent %d messages in %d ms, due over %d ms%n", n, System.currentTimeMillis() - start, spread + 1000);

        long[][] windows = new long[2][];
        sleepUntil(start + 1000 + spread / 3);
        windows[0] = bounce(restart, "clean restart");
        sleepUntil(start + 1000 + 2 * spread / 3);
        windows[1] = bounce(kill, "kill -9 and start");

        long deadline = start + 1000 + spread + 60_000;
        while (a.at.size() < n && System.currentTimeMillis() < deadline) {
            Thread.sleep(200);
        }
        Thread.sleep(1000);
        int lost = 0, early = 0, late = 0, bug = 0, excused = 0, dups = 0;
        List<Long> brokerLags = new ArrayList<Long>();
        List<Long> clientLags = new ArrayList<Long>();
        for (Map.Entry<String, Long> e : due.entrySet()) {
            String key = e.getKey();
            long d = e.getValue();
            MessageExt m = a.msg.get(key);
            if (m == null) {
                lost++;
                System.out.println("LOST " + key + " due " + d);
                continue;
            }
            dups += a.count.get(key) - 1;
            long arrive = a.at.get(key);
            if (arrive < d || m.getStoreTimestamp() < d) {
                early++;
                System.out.println("EARLY " + key + " due " + d + " stored " + m.getStoreTimestamp() + " arrived " + arrive);
            }
            if (in(windows, d)) {
                excused++;
                continue;
            }
            long lag = m.getStoreTimestamp() - d;
            brokerLags.add(lag);
            if (arrive < windows[0][0]) { // before the first restart: the client's steady state
                clientLags.add(arrive - d);
            }
            if (lag > TimerTests.LATE_MS) {
                late++;
                System.out.println("LATE " + key + " delivered " + lag + " ms after its due time");
            }
            if (lag > TimerTests.BUG_MS) {
                bug++;
            }
        }
        Collections.sort(brokerLags);
        Collections.sort(clientLags);
        System.out.printf("timer soak: %d messages: lost %d, early %d, later than %d ms %d and than %d ms %d (of %d not due during a restart), duplicates %d%n",
            n, lost, early, TimerTests.LATE_MS, late, TimerTests.BUG_MS, bug, n - excused, dups);
        System.out.printf("timer soak: delivery lag (store time - due) p50 %d ms, p99 %d ms, max %d ms; arrival at the consumer before the first restart p50 %d ms, p99 %d ms%n",
            pct(brokerLags, 50), pct(brokerLags, 99), pct(brokerLags, 100), pct(clientLags, 50), pct(clientLags, 99));
        boolean ok = lost == 0 && early == 0 && bug == 0 && pct(brokerLags, 50) <= TimerTests.LATE_MS;
        System.out.println(ok ? "timer soak: PASS" : "timer soak: FAIL");
        return ok ? 0 : 1;
    }

    static long pct(List<Long> s, int p) {
        if (s.isEmpty()) {
            return -1;
        }
        return s.get(Math.min(s.size() - 1, s.size() * p / 100));
    }

    static boolean in(long[][] windows, long t) {
        for (long[] w : windows) {
            if (w != null && t >= w[0] && t <= w[1]) {
                return true;
            }
        }
        return false;
    }

    static void sleepUntil(long t) throws InterruptedException {
        long d = t - System.currentTimeMillis();
        if (d > 0) {
            Thread.sleep(d);
        }
    }

    /** Runs cmd; returns the window of due times it excuses: from its start to 3 s after it returned. */
    static long[] bounce(String cmd, String what) throws Exception {
        long from = System.currentTimeMillis();
        Process pr = new ProcessBuilder("bash", "-c", cmd).inheritIO().start();
        int rc = pr.waitFor();
        if (rc != 0) {
            throw new IllegalStateException(what + ": '" + cmd + "' exited " + rc);
        }
        long to = System.currentTimeMillis();
        System.out.printf("timer soak: %s took %d ms%n", what, to - from);
        return new long[] {from, to + 3000};
    }
}
