package io.rocketd.conformance;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.PosixParser;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.common.MixAll;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.protocol.body.ClusterInfo;
import org.apache.rocketmq.common.protocol.route.BrokerData;
import org.apache.rocketmq.srvutil.ServerUtil;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;
import org.apache.rocketmq.tools.command.SubCommand;

/**
 * Runs the same Java 4.9.8 mqadmin sub-commands (in-process, through their public SubCommand classes, with
 * the same arguments mqadmin would parse) against two clusters - the Java reference and rocketd - after the
 * same scenario on each, normalises what legitimately differs (addresses, ports, ids, times, paths, rates)
 * and compares the outputs field by field. Prints a PASS/FAIL table; exit status 1 when a command differs.
 *
 * <pre>MqadminCompare -ref NAMESRV -rd NAMESRV -out DIR [-only REGEX] [-known FILE] [-go MQADMIN]</pre>
 *
 * With -go, every step of a command the Go mqadmin implements (GO_COMMANDS) also runs that binary with the same
 * arguments right after the Java command, on each cluster; rows "go LABEL" compare its output with the Java
 * mqadmin's on the same cluster (same normalisation), on the reference and on rocketd.
 *
 * A command named in the known-differences file ("label  #issue  reason", label as in the table) that differs
 * prints KNOWN and does not fail the run; one that matches prints PASS with a note to remove the line.
 */
public final class MqadminCompare {
    private MqadminCompare() {
    }

    static final String PKG = "org.apache.rocketmq.tools.command.";
    static final Map<String, String> CLASSES = new LinkedHashMap<String, String>();

    static {
        CLASSES.put("clusterList", "cluster.ClusterListSubCommand");
        CLASSES.put("topicList", "topic.TopicListSubCommand");
        CLASSES.put("topicRoute", "topic.TopicRouteSubCommand");
        CLASSES.put("topicStatus", "topic.TopicStatusSubCommand");
        CLASSES.put("updateTopic", "topic.UpdateTopicSubCommand");
        CLASSES.put("deleteTopic", "topic.DeleteTopicSubCommand");
        CLASSES.put("updateSubGroup", "consumer.UpdateSubGroupSubCommand");
        CLASSES.put("consumerProgress", "consumer.ConsumerProgressSubCommand");
        CLASSES.put("consumerConnection", "connection.ConsumerConnectionSubCommand");
        CLASSES.put("producerConnection", "connection.ProducerConnectionSubCommand");
        CLASSES.put("brokerStatus", "broker.BrokerStatusSubCommand");
        CLASSES.put("queryMsgById", "message.QueryMsgByIdSubCommand");
        CLASSES.put("queryMsgByKey", "message.QueryMsgByKeySubCommand");
        CLASSES.put("printMsg", "message.PrintMessageSubCommand");
        CLASSES.put("resetOffsetByTime", "offset.ResetOffsetByTimeCommand");
        CLASSES.put("getBrokerConfig", "broker.GetBrokerConfigCommand");
        CLASSES.put("updateBrokerConfig", "broker.UpdateBrokerConfigSubCommand");
        CLASSES.put("statsAll", "stats.StatsAllSubCommand");
        CLASSES.put("cloneGroupOffset", "offset.CloneGroupOffsetCommand");
        CLASSES.put("brokerConsumeStats", "broker.BrokerConsumeStatsSubCommad");
        CLASSES.put("consumerStatus", "consumer.ConsumerStatusSubCommand");
        CLASSES.put("producer", "producer.ProducerSubCommand");
        CLASSES.put("topicClusterList", "topic.TopicClusterSubCommand");
        CLASSES.put("updateTopicPerm", "topic.UpdateTopicPermSubCommand");
        CLASSES.put("deleteSubGroup", "consumer.DeleteSubscriptionGroupCommand");
        CLASSES.put("updateKvConfig", "namesrv.UpdateKvConfigCommand");
        CLASSES.put("deleteKvConfig", "namesrv.DeleteKvConfigCommand");
        CLASSES.put("wipeWritePerm", "namesrv.WipeWritePermSubCommand");
        CLASSES.put("addWritePerm", "namesrv.AddWritePermSubCommand");
        CLASSES.put("queryCq", "queue.QueryConsumeQueueCommand");
        CLASSES.put("getNamesrvConfig", "namesrv.GetNamesrvConfigCommand");
        CLASSES.put("cleanExpiredCQ", "broker.CleanExpiredCQSubCommand");
        CLASSES.put("queryMsgByUniqueKey", "message.QueryMsgByUniqueKeySubCommand");
        CLASSES.put("sendMessage", "message.SendMessageCommand");
        CLASSES.put("printMsg", "message.PrintMessageSubCommand");
        CLASSES.put("printMsgByQueue", "message.PrintMessageByQueueCommand");
        CLASSES.put("consumeMessage", "message.ConsumeMessageCommand");
        CLASSES.put("updateNamesrvConfig", "namesrv.UpdateNamesrvConfigCommand");
        CLASSES.put("queryMsgByOffset", "message.QueryMsgByOffsetSubCommand");
        CLASSES.put("cleanUnusedTopic", "broker.CleanUnusedTopicCommand");
    }

    /** Commands the Go mqadmin (bin/mqadmin) implements: with -go, each step of these runs it too. */
    static final java.util.Set<String> GO_COMMANDS = new TreeSet<String>(Arrays.asList(
        "clusterList", "topicList", "topicRoute", "topicStatus", "topicClusterList", "updateTopic", "deleteTopic",
        "updateTopicPerm", "updateSubGroup", "deleteSubGroup", "consumerProgress", "consumerConnection",
        "producerConnection", "brokerStatus", "getBrokerConfig", "updateBrokerConfig", "updateKvConfig",
        "deleteKvConfig", "wipeWritePerm", "addWritePerm", "queryCq", "getNamesrvConfig", "resetOffsetByTime",
        "cloneGroupOffset", "cleanExpiredCQ", "cleanUnusedTopic", "queryMsgById", "queryMsgByKey",
        "queryMsgByUniqueKey", "statsAll", "brokerConsumeStats", "sendMessage", "printMsg", "queryMsgByOffset",
        "consumerStatus", "printMsgByQueue", "consumeMessage", "updateNamesrvConfig"));
    static String goBinary;
    static final java.util.Set<String> READ_ONLY = new TreeSet<String>(Arrays.asList(
        "clusterList", "topicList", "topicRoute", "topicStatus", "topicClusterList", "consumerProgress",
        "consumerConnection", "producerConnection", "brokerStatus", "getBrokerConfig", "getNamesrvConfig", "queryCq",
        "queryMsgById", "queryMsgByKey", "queryMsgByUniqueKey", "queryMsgByOffset", "printMsg", "printMsgByQueue",
        "consumeMessage", "statsAll", "brokerConsumeStats", "consumerStatus"));
    /** -gate go: only the "go" rows decide the exit status (the Java-vs-rocketd rows are still printed). */
    static boolean gateGoOnly;
    static int goFail;

    /** One step: a label (unique), the sub-command and its arguments with ${...} placeholders. */
    static final class Step {
        final String label;
        final String[] args;
        /**
         * For a command that changes state: with -go, this Java command sets the same starting state before the Go
         * mqadmin runs the step and again before the Java one does.
         */
        String[] reset;

        Step(String label, String... args) {
            this.label = label;
            this.args = args;
        }

        Step resetWith(String... r) {
            this.reset = r;
            return this;
        }
    }

    static List<Step> steps() {
        List<Step> s = new ArrayList<Step>();
        s.add(new Step("updateTopic", "updateTopic", "-c", "${cluster}", "-t", "${topic}", "-r", "4", "-w", "4"));
        s.add(new Step("updateTopic(del)", "updateTopic", "-b", "${broker}", "-t", "${dtopic}", "-r", "2", "-w", "2"));
        s.add(new Step("updateTopic(empty)", "updateTopic", "-b", "${broker}", "-t", "${etopic}", "-r", "4", "-w", "4"));
        s.add(new Step("updateSubGroup", "updateSubGroup", "-c", "${cluster}", "-g", "${subgroup}", "-r", "3"));
        s.add(new Step("FIXTURE"));
        s.add(new Step("clusterList", "clusterList"));
        s.add(new Step("topicList", "topicList"));
        s.add(new Step("topicRoute", "topicRoute", "-t", "${topic}"));
        s.add(new Step("topicStatus", "topicStatus", "-t", "${topic}"));
        s.add(new Step("consumerProgress", "consumerProgress", "-g", "${group}"));
        s.add(new Step("consumerProgress -s", "consumerProgress", "-g", "${group}", "-s", "true"));
        s.add(new Step("consumerConnection", "consumerConnection", "-g", "${group}"));
        s.add(new Step("producerConnection", "producerConnection", "-g", "${pgroup}", "-t", "${topic}"));
        s.add(new Step("producer", "producer", "-b", "${broker}"));
        s.add(new Step("brokerStatus", "brokerStatus", "-b", "${broker}"));
        s.add(new Step("queryMsgById", "queryMsgById", "-i", "${offsetMsgId}"));
        s.add(new Step("queryMsgById -g -d", "queryMsgById", "-i", "${offsetMsgId}", "-g", "${group}", "-d", "${clientId}"));
        s.add(new Step("queryMsgByKey", "queryMsgByKey", "-t", "${topic}", "-k", "${key}"));
        s.add(new Step("queryMsgByUniqueKey", "queryMsgByUniqueKey", "-t", "${topic}", "-i", "${msgId}"));
        s.add(new Step("queryMsgByOffset", "queryMsgByOffset", "-t", "${topic}", "-b", "${brokerName}", "-i", "1", "-o", "0"));
        s.add(new Step("printMsg", "printMsg", "-t", "${topic}"));
        s.add(new Step("printMsgByQueue", "printMsgByQueue", "-t", "${topic}", "-a", "${brokerName}", "-i", "2", "-p", "true", "-d", "true", "-f", "true"));
        s.add(new Step("consumeMessage", "consumeMessage", "-t", "${topic}", "-b", "${brokerName}", "-i", "2", "-c", "1"));
        s.add(new Step("consumeMessage(all)", "consumeMessage", "-t", "${topic}", "-c", "100"));
        s.add(new Step("resetOffsetByTime", "resetOffsetByTime", "-g", "${group}", "-t", "${topic}", "-s", "${firstStore}"));
        s.add(new Step("updateBrokerConfig", "updateBrokerConfig", "-b", "${broker}", "-k", "flushConsumerOffsetHistoryInterval", "-v", "61000"));
        s.add(new Step("getBrokerConfig", "getBrokerConfig", "-b", "${broker}"));
        s.add(new Step("statsAll", "statsAll", "-t", "${topic}"));
        s.add(new Step("consumerStatus", "consumerStatus", "-g", "${group}", "-i", "${clientId}"));
        s.add(new Step("cloneGroupOffset", "cloneGroupOffset", "-s", "${group}", "-d", "${subgroup}", "-t", "${topic}", "-o", "true"));
        s.add(new Step("consumerProgress(clone)", "consumerProgress", "-g", "${subgroup}"));
        s.add(new Step("resetOffsetByTime(offline)", "resetOffsetByTime", "-g", "${subgroup}", "-t", "${topic}", "-s", "now")
            .resetWith("resetOffsetByTime", "-g", "${subgroup}", "-t", "${topic}", "-s", "0"));
        s.add(new Step("brokerConsumeStats", "brokerConsumeStats", "-b", "${broker}"));
        s.add(new Step("topicRoute -l", "topicRoute", "-t", "${topic}", "-l"));
        s.add(new Step("topicList -c", "topicList", "-c"));
        s.add(new Step("clusterList -m", "clusterList", "-m"));
        s.add(new Step("topicClusterList", "topicClusterList", "-t", "${topic}"));
        s.add(new Step("queryCq", "queryCq", "-t", "${topic}", "-q", "1", "-i", "0", "-c", "5"));
        s.add(new Step("queryCq -g", "queryCq", "-t", "${topic}", "-q", "1", "-i", "1", "-g", "${group}"));
        s.add(new Step("queryCq -g offline", "queryCq", "-t", "${topic}", "-q", "1", "-i", "1", "-g", "${subgroup}"));
        s.add(new Step("updateTopicPerm", "updateTopicPerm", "-c", "${cluster}", "-t", "${dtopic}", "-p", "4")
            .resetWith("updateTopicPerm", "-c", "${cluster}", "-t", "${dtopic}", "-p", "6"));
        s.add(new Step("updateKvConfig", "updateKvConfig", "-s", "MQC_NS_${run}", "-k", "k1", "-v", "v1"));
        s.add(new Step("deleteKvConfig", "deleteKvConfig", "-s", "MQC_NS_${run}", "-k", "k1"));
        s.add(new Step("wipeWritePerm", "wipeWritePerm", "-b", "${brokerName}"));
        s.add(new Step("addWritePerm", "addWritePerm", "-b", "${brokerName}"));
        s.add(new Step("deleteSubGroup", "deleteSubGroup", "-b", "${broker}", "-g", "${subgroup}"));
        s.add(new Step("sendMessage", "sendMessage", "-t", "${dtopic}", "-p", "hello", "-k", "K1", "-c", "T1", "-b", "${brokerName}", "-i", "1"));
        s.add(new Step("updateNamesrvConfig", "updateNamesrvConfig", "-k", "orderMessageEnable", "-v", "false"));
        s.add(new Step("getNamesrvConfig", "getNamesrvConfig"));
        s.add(new Step("updateTopic(order)", "updateTopic", "-b", "${broker}", "-t", "${otopic}", "-r", "2", "-w", "2", "-o", "true"));
        s.add(new Step("queryMsgById -s", "queryMsgById", "-i", "${offsetMsgId}", "-s", "true"));
        s.add(new Step("cleanExpiredCQ", "cleanExpiredCQ", "-b", "${broker}"));
        s.add(new Step("cleanUnusedTopic", "cleanUnusedTopic", "-c", "${cluster}"));
        // A topic whose queues were never written: Java answers GET_MIN_OFFSET 0 there (printMsg fails on -1).
        s.add(new Step("printMsg(empty topic)", "printMsg", "-t", "${etopic}"));
        s.add(new Step("deleteTopic", "deleteTopic", "-c", "${cluster}", "-t", "${dtopic}"));
        s.add(new Step("topicList(after delete)", "topicList"));
        return s;
    }

    public static void main(String[] args) throws Exception {
        String refNs = null;
        String rdNs = null;
        String out = "target/mqadmin-compare";
        Pattern only = null;
        Map<String, String> known = new LinkedHashMap<String, String>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "-known": known = Suite.readKnownLabels(args[++i]); break;
                case "-ref": refNs = args[++i]; break;
                case "-rd": rdNs = args[++i]; break;
                case "-out": out = args[++i]; break;
                case "-only": only = Pattern.compile(args[++i]); break;
                case "-go": goBinary = args[++i]; break;
                case "-gate": gateGoOnly = "go".equals(args[++i]); break;
                default:
                    System.err.println("usage: MqadminCompare -ref NS -rd NS [-out DIR] [-only REGEX] [-known FILE] [-go MQADMIN]");
                    System.exit(2);
            }
        }
        String run = Long.toString(System.currentTimeMillis() % 100_000_000L, 36);
        PrintStream console = System.out;
        Map<String, String> refOut = runSide("ref", refNs, run, new File(out, "ref"), console);
        Map<String, String> rdOut = runSide("rocketd", rdNs, run, new File(out, "rocketd"), console);
        System.setOut(console);

        int pass = 0;
        int fail = 0;
        int knownDiff = 0;
        StringBuilder details = new StringBuilder();
        console.printf("%-24s %-6s %s%n", "COMMAND", "RESULT", "NOTES");
        for (Step st : steps()) {
            if (st.args.length == 0 || (only != null && !only.matcher(st.label).find())) {
                continue;
            }
            String cmd = st.args[0];
            List<String> a = normalize(cmd, refOut.get(st.label), run);
            List<String> b = normalize(cmd, rdOut.get(st.label), run);
            write(new File(out, "ref/" + file(st.label) + ".norm"), String.join("\n", a));
            write(new File(out, "rocketd/" + file(st.label) + ".norm"), String.join("\n", b));
            List<String> diffs = compare(cmd, a, b);
            String why = known.get(st.label);
            if (diffs.isEmpty()) {
                pass++;
                console.printf("%-24s %-6s%s%n", st.label, "PASS", why == null ? "" : " listed as known (" + why + "): remove it from the list");
            } else if (why != null) {
                knownDiff++;
                console.printf("%-24s %-6s %s [%s]%n", st.label, "KNOWN", diffs.get(0) + (diffs.size() > 1 ? " (+" + (diffs.size() - 1) + " more)" : ""), why);
                details.append("---- ").append(st.label).append(" (known: ").append(why).append(")\n");
                for (String d : diffs) {
                    details.append("  ").append(d).append('\n');
                }
            } else {
                fail++;
                console.printf("%-24s %-6s %s%n", st.label, "FAIL", diffs.get(0) + (diffs.size() > 1 ? " (+" + (diffs.size() - 1) + " more)" : ""));
                details.append("---- ").append(st.label).append('\n');
                for (String d : diffs) {
                    details.append("  ").append(d).append('\n');
                }
            }
        }
        if (goBinary != null) {
            // The Go mqadmin against the Java mqadmin, on the same cluster, each side.
            for (Step st : steps()) {
                if (st.args.length == 0 || !GO_COMMANDS.contains(st.args[0])
                    || (only != null && !only.matcher(st.label).find())) {
                    continue;
                }
                String cmd = st.args[0];
                List<String> diffs = new ArrayList<String>();
                for (String[] side : new String[][] {{"ref", "java"}, {"rocketd", "java"}}) {
                    Map<String, String> o = side[0].equals("ref") ? refOut : rdOut;
                    List<String> a = normalize(cmd, errorLine(o.get(st.label)), run);
                    List<String> b = normalize(cmd, errorLine(o.get("go:" + st.label)), run);
                    write(new File(out, side[0] + "/" + file(st.label) + ".go.norm"), String.join("\n", b));
                    for (String d : compare(cmd, a, b)) {
                        diffs.add(side[0] + ": " + d.replace("ref only:", "java only:").replace("rocketd only:", "go only:")
                            .replace("missing on rocketd", "missing in go").replace("extra on rocketd", "extra in go"));
                    }
                }
                String label = "go " + st.label;
                String why = known.get(label);
                if (diffs.isEmpty()) {
                    pass++;
                    console.printf("%-24s %-6s%s%n", label, "PASS", why == null ? "" : " listed as known (" + why + "): remove it from the list");
                } else if (why != null) {
                    knownDiff++;
                    console.printf("%-24s %-6s %s [%s]%n", label, "KNOWN", diffs.get(0) + (diffs.size() > 1 ? " (+" + (diffs.size() - 1) + " more)" : ""), why);
                } else {
                    fail++;
                    goFail++;
                    console.printf("%-24s %-6s %s%n", label, "FAIL", diffs.get(0) + (diffs.size() > 1 ? " (+" + (diffs.size() - 1) + " more)" : ""));
                    details.append("---- ").append(label).append('\n');
                    for (String d : diffs) {
                        details.append("  ").append(d).append('\n');
                    }
                }
            }
        }
        write(new File(out, "differences.txt"), details.toString());
        console.println(pass + " passed, " + fail + " failed" + (knownDiff > 0 ? ", " + knownDiff + " known" : ""));
        console.println("outputs and differences: " + new File(out).getAbsolutePath());
        console.flush();
        Runtime.getRuntime().halt((gateGoOnly ? goFail : fail) > 0 ? 1 : 0);
    }

    /**
     * A failed command as one comparable line: Java's "ERROR: MQClientException: msg" and the Go mqadmin's
     * "ERROR: exit 1: mqadmin cmd: msg" both become "ERROR: msg".
     */
    static String errorLine(String text) {
        if (text == null) {
            return null;
        }
        return text.replaceAll("(?m)^ERROR: exit \\d+: mqadmin \\w+: ", "ERROR: ")
            .replaceAll("(?m)^ERROR: \\w+(Exception|Error): ", "ERROR: ");
    }

    static String file(String label) {
        return label.replaceAll("[^A-Za-z0-9]+", "_");
    }

    static void write(File f, String s) throws Exception {
        f.getParentFile().mkdirs();
        Files.write(f.toPath(), s.getBytes(StandardCharsets.UTF_8));
    }

    // ------------------------------------------------------------------ one side

    static Map<String, String> runSide(String side, String ns, String run, File dir, PrintStream console) throws Exception {
        dir.mkdirs();
        console.println("mqadmin-compare: " + side + " (namesrv " + ns + ")");
        Map<String, String> vars = new TreeMap<String, String>();
        DefaultMQAdminExt admin = new DefaultMQAdminExt(5000);
        admin.setNamesrvAddr(ns);
        admin.setInstanceName("mqc-" + side + "-" + run);
        admin.start();
        ClusterInfo ci = admin.examineBrokerClusterInfo();
        for (Map.Entry<String, BrokerData> e : ci.getBrokerAddrTable().entrySet()) {
            vars.put("broker", e.getValue().getBrokerAddrs().get(0L));
            vars.put("cluster", e.getValue().getCluster());
            vars.put("brokerName", e.getValue().getBrokerName());
        }
        vars.put("topic", "MQC_T_" + run);
        vars.put("dtopic", "MQC_D_" + run);
        vars.put("otopic", "MQC_O_" + run);
        vars.put("etopic", "MQC_E_" + run);
        vars.put("group", "MQC_G_" + run);
        vars.put("pgroup", "MQC_PG_" + run);
        vars.put("subgroup", "MQC_S_" + run);
        vars.put("key", "MQC_K_" + run + "_0");
        vars.put("run", run);
        Map<String, String> out = new LinkedHashMap<String, String>();
        DefaultMQProducer producer = null;
        DefaultMQPushConsumer consumer = null;
        try {
            for (Step st : steps()) {
                if (st.args.length == 0) {
                    producer = new DefaultMQProducer(vars.get("pgroup"));
                    producer.setNamesrvAddr(ns);
                    producer.setInstanceName("mqc-p-" + side + "-" + run);
                    producer.start();
                    consumer = new DefaultMQPushConsumer(vars.get("group"));
                    consumer.setNamesrvAddr(ns);
                    consumer.setInstanceName("mqc-c-" + side + "-" + run);
                    consumer.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
                    consumer.subscribe(vars.get("topic"), "*");
                    AtomicInteger consumed = new AtomicInteger();
                    consumer.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
                        consumed.addAndGet(msgs.size());
                        return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
                    });
                    consumer.start();
                    for (int i = 0; i < 8; i++) {
                        Message m = new Message(vars.get("topic"), "TagA", "MQC_K_" + run + "_" + i,
                            ("mqadmin compare " + i).getBytes(StandardCharsets.UTF_8));
                        SendResult r = producer.send(m, (mqs, msg, arg) -> mqs.get((Integer) arg % mqs.size()), i);
                        if (i == 0) {
                            vars.put("offsetMsgId", r.getOffsetMsgId());
                            vars.put("msgId", r.getMsgId());
                            vars.put("firstStore", Long.toString(admin.viewMessage(r.getOffsetMsgId()).getStoreTimestamp()));
                        }
                    }
                    // Delay levels 1 and 2 in use on both sides (brokerStatus lists scheduleMessageOffset_<level>).
                    for (int lvl = 1; lvl <= 2; lvl++) {
                        Message dm = new Message(vars.get("dtopic"), "D", ("delayed " + lvl).getBytes(StandardCharsets.UTF_8));
                        dm.setDelayTimeLevel(lvl);
                        producer.send(dm);
                    }
                    vars.put("clientId", consumer.getDefaultMQPushConsumerImpl().getmQClientFactory().getClientId());
                    long deadline = System.currentTimeMillis() + 30_000;
                    while (System.currentTimeMillis() < deadline) {
                        try {
                            if (consumed.get() >= 8 && admin.examineConsumeStats(vars.get("group")).computeTotalDiff() == 0) {
                                break;
                            }
                        } catch (Exception ignored) {
                            // not yet
                        }
                        Thread.sleep(200);
                    }
                    console.println("mqadmin-compare: " + side + " fixture: consumed " + consumed.get() + " of 8, vars " + vars);
                    continue;
                }
                String[] a = new String[st.args.length];
                for (int i = 0; i < a.length; i++) {
                    a[i] = subst(st.args[i], vars);
                }
                boolean withGo = goBinary != null && GO_COMMANDS.contains(a[0]);
                if (withGo && st.reset != null) {
                    String[] r = new String[st.reset.length];
                    for (int i = 0; i < r.length; i++) {
                        r[i] = subst(st.reset[i], vars);
                    }
                    runCommand(ns, r);
                    String goText = runGo(ns, a);
                    out.put("go:" + st.label, goText);
                    write(new File(dir, file(st.label) + ".go.txt"), "$ go mqadmin " + String.join(" ", a) + "\n" + goText);
                    runCommand(ns, r);
                }
                String text = runCommand(ns, a);
                out.put(st.label, text);
                write(new File(dir, file(st.label) + ".txt"), "$ mqadmin " + String.join(" ", a) + "\n" + text);
                if (withGo && st.reset == null) {
                    String goText = runGo(ns, a);
                    // A live consumer's progress and a server's timing move between the two calls: a read-only
                    // command whose outputs differ runs again (both tools) once.
                    if (READ_ONLY.contains(a[0]) && !Arrays.asList(a).contains("-s")
                        && !compare(a[0], normalize(a[0], errorLine(text), run), normalize(a[0], errorLine(goText), run)).isEmpty()) {
                        console.println("mqadmin-compare: " + side + " " + st.label + ": outputs differ, running both again");
                        text = runCommand(ns, a);
                        out.put(st.label, text);
                        write(new File(dir, file(st.label) + ".txt"), "$ mqadmin " + String.join(" ", a) + " (second run)\n" + text);
                        goText = runGo(ns, a);
                    }
                    out.put("go:" + st.label, goText);
                    write(new File(dir, file(st.label) + ".go.txt"), "$ go mqadmin " + String.join(" ", a) + "\n" + goText);
                }
            }
        } finally {
            if (consumer != null) {
                consumer.shutdown();
            }
            if (producer != null) {
                producer.shutdown();
            }
            admin.shutdown();
        }
        return out;
    }

    /** Runs the Go mqadmin binary with the same arguments (and -n); stdout, then stderr and a non-zero status. */
    static String runGo(String ns, String[] args) throws Exception {
        List<String> argv = new ArrayList<String>();
        argv.add(goBinary);
        argv.addAll(Arrays.asList(args));
        argv.add("-n");
        argv.add(ns);
        ProcessBuilder pb = new ProcessBuilder(argv);
        File errFile = File.createTempFile("mqadmin-go", ".err");
        pb.redirectError(errFile);
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] outBytes = readAll(p.getInputStream());
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new String(outBytes, StandardCharsets.UTF_8) + "ERROR: timed out after 60 s\n";
        }
        String text = new String(outBytes, StandardCharsets.UTF_8);
        String err = new String(Files.readAllBytes(errFile.toPath()), StandardCharsets.UTF_8);
        errFile.delete();
        if (p.exitValue() != 0) {
            text += "ERROR: exit " + p.exitValue() + ": " + err.trim() + "\n";
        }
        return text;
    }

    static byte[] readAll(java.io.InputStream in) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        for (int n; (n = in.read(buf)) > 0; ) {
            b.write(buf, 0, n);
        }
        return b.toByteArray();
    }

    static String subst(String s, Map<String, String> vars) {
        Matcher m = Pattern.compile("\\$\\{(\\w+)}").matcher(s);
        StringBuffer sb = new StringBuffer();
        while (m.find()) {
            String v = vars.get(m.group(1));
            m.appendReplacement(sb, Matcher.quoteReplacement(v == null ? "?" : v));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    static final ExecutorService POOL = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "mqadmin");
        t.setDaemon(true);
        return t;
    });

    /** Runs one sub-command as MQAdminStartup would (with -n), capturing what it prints. */
    static String runCommand(String ns, String[] args) throws Exception {
        SubCommand cmd = (SubCommand) Class.forName(PKG + CLASSES.get(args[0])).getDeclaredConstructor().newInstance();
        Options options = ServerUtil.buildCommandlineOptions(new Options());
        cmd.buildCommandlineOptions(options);
        List<String> argv = new ArrayList<String>(Arrays.asList(args).subList(1, args.length));
        argv.add("-n");
        argv.add(ns);
        CommandLine cl = new PosixParser().parse(options, argv.toArray(new String[0]));
        System.setProperty(MixAll.NAMESRV_ADDR_PROPERTY, ns);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream saved = System.out;
        PrintStream ps = new PrintStream(buf, true, "UTF-8");
        System.setOut(ps);
        try {
            Future<?> f = POOL.submit(() -> {
                cmd.execute(cl, options, null);
                return null;
            });
            try {
                f.get(60, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                f.cancel(true);
                ps.println("ERROR: timed out after 60 s");
            } catch (java.util.concurrent.ExecutionException e) {
                Throwable c = e.getCause();
                while (c.getCause() != null && c.getCause() != c) {
                    c = c.getCause();
                }
                ps.println("ERROR: " + c.getClass().getSimpleName() + ": " + c.getMessage());
            }
        } finally {
            ps.flush();
            System.setOut(saved);
        }
        return new String(buf.toByteArray(), StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------ normalising and comparing

    // Everything that differs between two clusters; a run's own names stay as they are.
    static final Pattern[] COMMON = {
        Pattern.compile("\\b\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}@[\\w#.:-]+"),
        Pattern.compile("/?\\b\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}:\\d+"),
        Pattern.compile("\\b\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\b"),
        Pattern.compile("\\b[0-9A-F]{32,56}\\b"),
        Pattern.compile("\\d{4}-\\d{2}-\\d{2}[ #]\\d{2}:\\d{2}:\\d{2}([,.:]\\d{3})?"),
        Pattern.compile("\\b1[5-9]\\d{11}\\b"),
        Pattern.compile("\\b20\\d{12}(\\d{3})?\\b"),
        Pattern.compile("@[0-9a-f]{4,8}\\b"),
        Pattern.compile("(spentTimeMills|cachedMsgSizeInMiB)=\\d+"),
        Pattern.compile("\\[ \\d+ days, \\d+ hours, \\d+ minutes, \\d+ seconds \\]"),
        Pattern.compile("(/[\\w.@%+-]+)+/?"),
        Pattern.compile("\\b\\d+(\\.\\d+)?( [KMGTPE]i)?B\\b"),
    };
    static final String[] COMMON_REPL = {"<CLIENTID>", "<ADDR>", "<IP>", "<MSGID>", "<TIME>", "<TS>", "<TIME>", "@<HASH>", "<MEASURED>", "<RUNTIME>", "<PATH>", "<BYTES>"};

    /** Commands whose numbers are rates or totals that depend on history and timing: masked. */
    static final java.util.Set<String> VOLATILE_NUMBERS = new TreeSet<String>(Arrays.asList(
        "clusterList", "statsAll"));

    static List<String> normalize(String cmd, String text, String run) {
        List<String> lines = new ArrayList<String>();
        if (text == null) {
            lines.add("<NOT RUN>");
            return lines;
        }
        boolean clusterModel = text.startsWith("#Cluster Name");
        for (String raw : text.split("\n")) {
            String l = raw.replaceAll("\\s+$", "");
            // Java prints the id and the SendResult without a separator.
            l = l.replaceAll("(originalMsgId=[0-9A-F]+)SendResult", "$1 SendResult");
            if (l.trim().isEmpty()) {
                continue;
            }
            // topicList on a shared reference lists other runs' topics: keep this run's and system names.
            // (topicList -c prints "cluster topic group": the topic is the second column.)
            if (cmd.equals("topicList") && !l.contains(run) && !l.startsWith("#")) {
                String[] f = l.trim().split("\\s+");
                String topicCol = clusterModel && f.length >= 2 ? f[1] : l.trim();
                if (!SYSTEM_TOPICS.matcher(topicCol).matches()) {
                    continue;
                }
            }
            // A Java consumer learns its %RETRY% topic's route either at start or at the next 30 s route poll,
            // depending on a race with its first heartbeat (which creates the topic): not a server property.
            // (consumerProgress shows the %RETRY% queue only once the consumer owns it and committed an offset.)
            if ((cmd.equals("consumerStatus") || cmd.equals("consumerProgress")) && l.trim().startsWith("%RETRY%")) {
                continue;
            }
            // brokerConsumeStats lists every group of the broker: keep this run's rows and the header.
            if (cmd.equals("brokerConsumeStats") && !l.contains(run) && !l.startsWith("#")) {
                continue;
            }
            for (int i = 0; i < COMMON.length; i++) {
                l = COMMON[i].matcher(l).replaceAll(Matcher.quoteReplacement(COMMON_REPL[i]));
            }
            // Doubles (tps, ratios) are rates: never stable between two runs.
            l = l.replaceAll("\\b\\d+\\.\\d+(E-?\\d+)?\\b", "<D>");
            if (VOLATILE_NUMBERS.contains(cmd)) {
                l = l.replaceAll("\\b\\d+\\b", "<N>");
            }
            // Column widths follow the longest value (ids, addresses): compare tokens, not padding.
            l = l.trim().replaceAll("\\s+", " ");
            // Commit log positions and topic counts depend on a shared reference's history.
            if (cmd.equals("queryCq")) {
                l = l.replaceAll("physicOffset=\\d+", "physicOffset=<N>");
            }
            if (cmd.equals("wipeWritePerm") || cmd.equals("addWritePerm")) {
                l = l.replaceAll("OK, \\d+$", "OK, <N>");
            }
            // A live consumer's queue state and committed offsets change from one call to the next (rebalance,
            // a reset just before): client state, not the server's.
            if (cmd.equals("consumerStatus")) {
                l = l.replaceAll("ProcessQueueInfo \\[.*\\]", "ProcessQueueInfo [<STATE>]");
                l = l.replaceAll("^(\\S+ \\S+ \\d+ )\\d+$", "$1<N>");
            }
            // A resent message goes to a queue the producer picks.
            if (cmd.equals("queryMsgById") && l.contains("SendResult [")) {
                l = l.replaceAll("queueId=\\d+", "queueId=<N>").replaceAll("queueOffset=\\d+", "queueOffset=<N>");
            }
            if (cmd.equals("printMsg") || cmd.equals("printMsgByQueue") || cmd.equals("consumeMessage")) {
                l = l.replaceAll("commitLogOffset=\\d+", "commitLogOffset=<N>");
            }
            if (cmd.equals("queryMsgById") || cmd.equals("queryMsgByKey") || cmd.equals("queryMsgByUniqueKey")
                || cmd.equals("queryMsgByOffset")) {
                l = l.replaceAll("(CommitLog Offset:\\s*)\\d+", "$1<N>");
            }
            lines.add(l);
        }
        return lines;
    }

    static final Pattern SYSTEM_TOPICS = Pattern.compile(
        // Topics a broker creates at start-up. Lazily created ones (RMQ_SYS_TRANS_HALF_TOPIC on the first
        // prepared message, %RETRY%/%DLQ% per group) depend on the cluster's history and are left out.
        "(TBW102|SCHEDULE_TOPIC_XXXX|RMQ_SYS_TRACE_TOPIC|OFFSET_MOVED_EVENT|BenchmarkTest|SELF_TEST_TOPIC|DefaultCluster(_REPLY_TOPIC)?|broker-a)"
            + "(\\s+.*)?");

    /** Key/value outputs (brokerStatus "k : v", getBrokerConfig "k = v"): compared as maps. */
    static Map<String, String> kv(List<String> lines, String sep) {
        Map<String, String> m = new TreeMap<String, String>();
        for (String l : lines) {
            int i = l.indexOf(sep);
            if (i > 0) {
                m.put(l.substring(0, i).trim(), l.substring(i + sep.length()).trim());
            } else {
                m.put(l.trim(), "<LINE>");
            }
        }
        return m;
    }

    /** brokerStatus keys whose values are measurements, not settings: compared by kind only. */
    static final Pattern MEASURED = Pattern.compile(
        "(msg(Put|Get)Total.*|.*Tps|.*QueueSize|.*WaitTimeMills|put.*|get.*|dispatch.*|pageCacheLockTimeMills|"
            + "commitLog(Min|Max)Offset|earliestMessageTimeStamp|bootTimestamp|runtime|remain.*|commitLogDirCapacity|"
            + ".*DiskRatio.*|scheduleMessageOffset_.*)");

    static String kind(String v) {
        // A double whose fraction starts like a timestamp ("214.2026...") was half-masked as <TIME>.
        String t = v.trim().replaceAll("\\b\\d+\\.<TIME>\\d*", "<D>");
        if (t.isEmpty() || t.matches("(<D>|<N>|<TS>|-?\\d+)( (<D>|<N>|<TS>|-?\\d+))*")) {
            return "number(s)";
        }
        return t.replaceAll("<D>|<TS>|\\d+", "N");
    }

    /** getBrokerConfig keys that name this instance's ports and paths: present on both, values not compared. */
    static final java.util.Set<String> INSTANCE_KEYS = new TreeSet<String>(Arrays.asList(
        "listenPort", "haListenPort", "namesrvAddr", "storePathRootDir", "storePathCommitLog", "rocketmqHome",
        "brokerIP1", "brokerIP2", "brokerConfigPath", "storePathIndex", "storeCheckpoint", "abortFile",
        "kvConfigPath", "configStorePath"));

    /**
     * getBrokerConfig keys rocketd has and Java 4.9.8 does not: RocketMQ 5.x settings rocketd implements (the timer
     * messages of #18, README "Scheduled messages"). Not reported as extra; every other key is still compared.
     */
    static final java.util.Set<String> ROCKETD_EXTENSION_KEYS = new TreeSet<String>(Arrays.asList(
        "timerWheelEnable", "timerMaxDelaySec", "timerPrecisionMs", "timerRollWindowSlot", "timerFlushIntervalMs",
        "mappedFileSizeTimerLog"));

    static List<String> compare(String cmd, List<String> a, List<String> b) {
        List<String> d = new ArrayList<String>();
        if (cmd.equals("brokerStatus") || cmd.equals("getBrokerConfig") || cmd.equals("getNamesrvConfig")) {
            String sep = cmd.equals("brokerStatus") ? ":" : "=";
            Map<String, String> ma = kv(a, sep);
            Map<String, String> mb = kv(b, sep);
            for (String k : ma.keySet()) {
                if (!mb.containsKey(k)) {
                    d.add("missing on rocketd: " + k + " (ref: " + ma.get(k) + ")");
                }
            }
            for (String k : mb.keySet()) {
                if (!ma.containsKey(k) && !(cmd.equals("getBrokerConfig") && ROCKETD_EXTENSION_KEYS.contains(k))) {
                    d.add("extra on rocketd: " + k + " = " + mb.get(k));
                }
            }
            for (String k : ma.keySet()) {
                if (!mb.containsKey(k)) {
                    continue;
                }
                String va = ma.get(k);
                String vb = mb.get(k);
                if (cmd.equals("brokerStatus") && MEASURED.matcher(k).matches()) {
                    va = kind(va);
                    vb = kind(vb);
                    if (k.startsWith("commitLogDirCapacity") || k.startsWith("remainHowManyData")) {
                        continue;
                    }
                    // The previous minute's distribution: null until a broker has been up for a minute.
                    if (k.equals("putMessageDistributeTime") && (ma.get(k).equals("null") || mb.get(k).equals("null"))) {
                        continue;
                    }
                }
                if ((cmd.equals("getBrokerConfig") || cmd.equals("getNamesrvConfig")) && INSTANCE_KEYS.contains(k)) {
                    continue;
                }
                if (!va.equals(vb)) {
                    d.add(k + ": ref " + va + " | rocketd " + vb);
                }
            }
            return d;
        }
        // Everything else: the same lines, in any order (sets and maps print in hash order).
        List<String> sa = new ArrayList<String>(a);
        List<String> sb = new ArrayList<String>(b);
        Collections.sort(sa);
        Collections.sort(sb);
        List<String> onlyA = new ArrayList<String>(sa);
        for (String l : sb) {
            onlyA.remove(l);
        }
        List<String> onlyB = new ArrayList<String>(sb);
        for (String l : sa) {
            onlyB.remove(l);
        }
        for (String l : onlyA) {
            d.add("ref only:     " + l.trim());
        }
        for (String l : onlyB) {
            d.add("rocketd only: " + l.trim());
        }
        return d;
    }
}
