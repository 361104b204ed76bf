package io.rocketd.compat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.rocketmq.common.DataVersion;
import org.apache.rocketmq.common.MQVersion;
import org.apache.rocketmq.common.TopicConfig;
import org.apache.rocketmq.common.TopicFilterType;
import org.apache.rocketmq.common.UtilAll;
import org.apache.rocketmq.common.constant.PermName;
import org.apache.rocketmq.common.namesrv.NamesrvUtil;
import org.apache.rocketmq.common.protocol.RequestCode;
import org.apache.rocketmq.common.protocol.body.RegisterBrokerBody;
import org.apache.rocketmq.common.protocol.body.TopicConfigSerializeWrapper;
import org.apache.rocketmq.common.protocol.header.GetTopicsByClusterRequestHeader;
import org.apache.rocketmq.common.protocol.header.namesrv.GetKVConfigRequestHeader;
import org.apache.rocketmq.common.protocol.header.namesrv.GetKVListByNamespaceRequestHeader;
import org.apache.rocketmq.common.protocol.header.namesrv.GetRouteInfoRequestHeader;
import org.apache.rocketmq.common.protocol.header.namesrv.PutKVConfigRequestHeader;
import org.apache.rocketmq.common.protocol.header.namesrv.QueryDataVersionRequestHeader;
import org.apache.rocketmq.common.protocol.header.namesrv.RegisterBrokerRequestHeader;
import org.apache.rocketmq.common.protocol.header.namesrv.UnRegisterBrokerRequestHeader;
import org.apache.rocketmq.remoting.CommandCustomHeader;
import org.apache.rocketmq.remoting.protocol.RemotingCommand;
import org.apache.rocketmq.remoting.protocol.SerializeType;

/**
 * Drives a real Java 4.9.8 NameServer through a fixed scenario on ONE connection (the NameServer
 * ties a registered broker to the channel that registered it) and records every request frame,
 * raw response frame and response body, plus a responses.tsv with the decoded header fields.
 *
 * <p>Usage: NamesrvFixtures namesrvAddr outDir
 */
public final class NamesrvFixtures {
    static final String CLUSTER = "DefaultCluster";
    static final String BROKER = "broker-a";
    static final String MASTER_ADDR = "127.0.0.1:10911";
    static final String MASTER_HA = "127.0.0.1:10912";
    static final String SLAVE_ADDR = "127.0.0.1:10921";
    static final String SLAVE_HA = "127.0.0.1:10922";
    static final long DV_TIMESTAMP = 1700000000000L;
    static final long DV_COUNTER = 7L;
    static final int NO_ANSWER_WAIT_MILLIS = 3000;

    private final RawClient client;
    private final Path out;
    private final Fixtures.Tsv tsv = new Fixtures.Tsv("step", "name", "req_code", "req_version", "req_serialization",
        "req_flag", "req_extFields_sorted", "req_body_len", "answered", "resp_code", "resp_flag", "resp_opaque",
        "resp_version", "resp_language", "resp_serialization", "resp_remark", "resp_extFields_sorted", "resp_body_len",
        "resp_header_len", "files", "description");
    private int step;

    private NamesrvFixtures(RawClient client, Path out) {
        this.client = client;
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: NamesrvFixtures namesrvAddr outDir");
            System.exit(2);
        }
        System.setProperty(RemotingCommand.REMOTING_VERSION_KEY, Integer.toString(MQVersion.CURRENT_VERSION));
        try (RawClient c = new RawClient(args[0], 3000)) {
            NamesrvFixtures f = new NamesrvFixtures(c, Paths.get(args[1]));
            f.run();
            f.tsv.writeTo(f.out.resolve("responses.tsv"));
        }
        System.out.println("wrote namesrv fixtures to " + args[1]);
    }

    private void run() throws Exception {
        byte[] regBody = registerBody();
        Fixtures.write(out.resolve("register_broker.request-body.json"), regBody);

        call("register_master", "REGISTER_BROKER brokerId=0 " + MASTER_ADDR + " with the fixed topic table (see README)",
            register(0L, MASTER_ADDR, MASTER_HA, regBody), 409, SerializeType.JSON);
        call("register_slave", "REGISTER_BROKER brokerId=1 " + SLAVE_ADDR + " same brokerName, same body",
            register(1L, SLAVE_ADDR, SLAVE_HA, regBody), 409, SerializeType.JSON);

        call("route_v317", "GET_ROUTEINFO_BY_TOPIC TopicTest, request version 317 (Go client 2.1.2)",
            route("TopicTest", null), 317, SerializeType.JSON);
        call("route_v409", "GET_ROUTEINFO_BY_TOPIC TopicTest, request version 409 (Java 4.9.8 client)",
            route("TopicTest", null), 409, SerializeType.JSON);
        call("route_v317_accept_standard", "GET_ROUTEINFO_BY_TOPIC TopicTest, version 317, acceptStandardJsonOnly=true",
            route("TopicTest", Boolean.TRUE), 317, SerializeType.JSON);
        call("route_v409_rocketmq", "GET_ROUTEINFO_BY_TOPIC TopicTest, version 409, request in ROCKETMQ serialization",
            route("TopicTest", null), 409, SerializeType.ROCKETMQ);
        call("route_order_topic_v409", "GET_ROUTEINFO_BY_TOPIC TopicOrder (order=true in the topic table), version 409",
            route("TopicOrder", null), 409, SerializeType.JSON);
        call("route_unknown_topic", "GET_ROUTEINFO_BY_TOPIC NoSuchTopic, version 409",
            route("NoSuchTopic", null), 409, SerializeType.JSON);
        call("route_unknown_topic_v317", "GET_ROUTEINFO_BY_TOPIC NoSuchTopic, version 317",
            route("NoSuchTopic", null), 317, SerializeType.JSON);

        call("cluster_info", "GET_BROKER_CLUSTER_INFO",
            RemotingCommand.createRequestCommand(RequestCode.GET_BROKER_CLUSTER_INFO, null), 409, SerializeType.JSON);
        call("all_topic_list", "GET_ALL_TOPIC_LIST_FROM_NAMESERVER",
            RemotingCommand.createRequestCommand(RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER, null), 409,
            SerializeType.JSON);
        GetTopicsByClusterRequestHeader tbc = new GetTopicsByClusterRequestHeader();
        tbc.setCluster(CLUSTER);
        call("topics_by_cluster", "GET_TOPICS_BY_CLUSTER cluster=" + CLUSTER,
            RemotingCommand.createRequestCommand(RequestCode.GET_TOPICS_BY_CLUSTER, tbc), 409, SerializeType.JSON);
        GetTopicsByClusterRequestHeader tbc2 = new GetTopicsByClusterRequestHeader();
        tbc2.setCluster("NoSuchCluster");
        call("topics_by_unknown_cluster", "GET_TOPICS_BY_CLUSTER cluster=NoSuchCluster",
            RemotingCommand.createRequestCommand(RequestCode.GET_TOPICS_BY_CLUSTER, tbc2), 409, SerializeType.JSON);
        call("system_topic_list", "GET_SYSTEM_TOPIC_LIST_FROM_NS",
            RemotingCommand.createRequestCommand(RequestCode.GET_SYSTEM_TOPIC_LIST_FROM_NS, null), 409,
            SerializeType.JSON);
        call("unit_topic_list", "GET_UNIT_TOPIC_LIST (TopicUnit has topicSysFlag=1)",
            RemotingCommand.createRequestCommand(RequestCode.GET_UNIT_TOPIC_LIST, null), 409, SerializeType.JSON);

        PutKVConfigRequestHeader put = new PutKVConfigRequestHeader();
        put.setNamespace(NamesrvUtil.NAMESPACE_ORDER_TOPIC_CONFIG);
        put.setKey("TopicOrder");
        put.setValue("broker-a:8");
        call("put_kv", "PUT_KV_CONFIG ORDER_TOPIC_CONFIG/TopicOrder=broker-a:8",
            RemotingCommand.createRequestCommand(RequestCode.PUT_KV_CONFIG, put), 409, SerializeType.JSON);
        call("get_kv", "GET_KV_CONFIG ORDER_TOPIC_CONFIG/TopicOrder",
            getKv(NamesrvUtil.NAMESPACE_ORDER_TOPIC_CONFIG, "TopicOrder"), 409, SerializeType.JSON);
        call("get_kv_missing", "GET_KV_CONFIG ORDER_TOPIC_CONFIG/NoSuchKey",
            getKv(NamesrvUtil.NAMESPACE_ORDER_TOPIC_CONFIG, "NoSuchKey"), 409, SerializeType.JSON);
        call("kvlist", "GET_KVLIST_BY_NAMESPACE ORDER_TOPIC_CONFIG",
            kvList(NamesrvUtil.NAMESPACE_ORDER_TOPIC_CONFIG), 409, SerializeType.JSON);
        call("kvlist_missing", "GET_KVLIST_BY_NAMESPACE NoSuchNamespace", kvList("NoSuchNamespace"), 409,
            SerializeType.JSON);
        call("register_master_again", "REGISTER_BROKER brokerId=0 again, same body: the response now carries the"
            + " ORDER_TOPIC_CONFIG KV table", register(0L, MASTER_ADDR, MASTER_HA, regBody), 409, SerializeType.JSON);
        call("route_order_topic_after_kv", "GET_ROUTEINFO_BY_TOPIC TopicOrder after the KV put (namesrv"
            + " orderMessageEnable=false, the default)", route("TopicOrder", null), 409, SerializeType.JSON);

        QueryDataVersionRequestHeader q = new QueryDataVersionRequestHeader();
        q.setBrokerName(BROKER);
        q.setBrokerAddr(MASTER_ADDR);
        q.setClusterName(CLUSTER);
        q.setBrokerId(0L);
        RemotingCommand qr = RemotingCommand.createRequestCommand(RequestCode.QUERY_DATA_VERSION, q);
        qr.setBody(dataVersion().encode());
        call("query_data_version", "QUERY_DATA_VERSION master, body = the same DataVersion", qr, 409,
            SerializeType.JSON);

        call("namesrv_config", "GET_NAMESRV_CONFIG",
            RemotingCommand.createRequestCommand(RequestCode.GET_NAMESRV_CONFIG, null), 409, SerializeType.JSON);

        call("unknown_code", "request code 9999 (unknown), not oneway: does the NameServer answer at all?",
            RemotingCommand.createRequestCommand(9999, null), 409, SerializeType.JSON);
        call("unknown_code_send_message", "SEND_MESSAGE (10) sent to the NameServer (a broker-only code)",
            RemotingCommand.createRequestCommand(RequestCode.SEND_MESSAGE, null), 409, SerializeType.JSON);
        call("cluster_info_after_unknown", "GET_BROKER_CLUSTER_INFO on the same connection after the unknown codes",
            RemotingCommand.createRequestCommand(RequestCode.GET_BROKER_CLUSTER_INFO, null), 409, SerializeType.JSON);

        UnRegisterBrokerRequestHeader un = new UnRegisterBrokerRequestHeader();
        un.setBrokerName(BROKER);
        un.setBrokerAddr(SLAVE_ADDR);
        un.setClusterName(CLUSTER);
        un.setBrokerId(1L);
        call("unregister_slave", "UNREGISTER_BROKER brokerId=1",
            RemotingCommand.createRequestCommand(RequestCode.UNREGISTER_BROKER, un), 409, SerializeType.JSON);
        call("cluster_info_after_unregister", "GET_BROKER_CLUSTER_INFO after the slave unregistered",
            RemotingCommand.createRequestCommand(RequestCode.GET_BROKER_CLUSTER_INFO, null), 409, SerializeType.JSON);
    }

    private void call(String name, String what, RemotingCommand req, int version, SerializeType st) throws Exception {
        step++;
        String base = String.format("%02d_%s", step, name);
        req.setVersion(version);
        req.setOpaque(100 + step);
        req.setSerializeTypeCurrentRPC(st);
        byte[] reqFrame = client.send(req);
        Fixtures.write(out.resolve(base + ".request.bin"), reqFrame);
        RemotingCommand sent = RawClient.decode(reqFrame);

        byte[] frame = client.read(NO_ANSWER_WAIT_MILLIS);
        StringBuilder files = new StringBuilder(base + ".request.bin");
        if (frame == null) {
            tsv.row(step, name, req.getCode(), version, st.name(), sent.getFlag(),
                Fixtures.sortedJson(sent.getExtFields()), len(sent.getBody()), "no:" + NO_ANSWER_WAIT_MILLIS + "ms",
                null, null, null, null, null, null, null, null, null, null, files, what);
            return;
        }
        RemotingCommand resp = RawClient.decode(frame);
        if (resp.getOpaque() != req.getOpaque()) {
            throw new IllegalStateException(name + ": response opaque " + resp.getOpaque() + " != " + req.getOpaque());
        }
        Fixtures.write(out.resolve(base + ".response.bin"), frame);
        files.append(' ').append(base).append(".response.bin");
        if (resp.getBody() != null) {
            Fixtures.write(out.resolve(base + ".body"), resp.getBody());
            files.append(' ').append(base).append(".body");
        }
        int headerWord = ByteBuffer.wrap(frame).getInt(4);
        tsv.row(step, name, req.getCode(), version, st.name(), sent.getFlag(), Fixtures.sortedJson(sent.getExtFields()),
            len(sent.getBody()), "yes", resp.getCode(), resp.getFlag(), resp.getOpaque(), resp.getVersion(),
            resp.getLanguage(), ((headerWord >>> 24) == 1) ? "ROCKETMQ" : "JSON", resp.getRemark(),
            Fixtures.sortedJson(resp.getExtFields()), len(resp.getBody()), headerWord & 0xFFFFFF, files, what);
    }

    private static int len(byte[] b) {
        return b == null ? 0 : b.length;
    }

    private static RemotingCommand route(String topic, Boolean acceptStandardJsonOnly) {
        GetRouteInfoRequestHeader h = new GetRouteInfoRequestHeader();
        h.setTopic(topic);
        h.setAcceptStandardJsonOnly(acceptStandardJsonOnly);
        return RemotingCommand.createRequestCommand(RequestCode.GET_ROUTEINFO_BY_TOPIC, h);
    }

    private static RemotingCommand getKv(String ns, String key) {
        GetKVConfigRequestHeader h = new GetKVConfigRequestHeader();
        h.setNamespace(ns);
        h.setKey(key);
        return RemotingCommand.createRequestCommand(RequestCode.GET_KV_CONFIG, h);
    }

    private static RemotingCommand kvList(String ns) {
        GetKVListByNamespaceRequestHeader h = new GetKVListByNamespaceRequestHeader();
        h.setNamespace(ns);
        return RemotingCommand.createRequestCommand(RequestCode.GET_KVLIST_BY_NAMESPACE, h);
    }

    private static RemotingCommand register(long brokerId, String addr, String ha, byte[] body) {
        RegisterBrokerRequestHeader h = new RegisterBrokerRequestHeader();
        h.setBrokerName(BROKER);
        h.setBrokerAddr(addr);
        h.setClusterName(CLUSTER);
        h.setHaServerAddr(ha);
        h.setBrokerId(brokerId);
        h.setCompressed(false);
        h.setBodyCrc32(UtilAll.crc32(body));
        RemotingCommand c = RemotingCommand.createRequestCommand(RequestCode.REGISTER_BROKER, (CommandCustomHeader) h);
        c.setBody(body);
        return c;
    }

    static DataVersion dataVersion() {
        DataVersion dv = new DataVersion();
        dv.setTimestamp(DV_TIMESTAMP);
        dv.setCounter(new AtomicLong(DV_COUNTER));
        return dv;
    }

    /** The fixed topic table every registration carries (documented in the README). */
    static byte[] registerBody() {
        ConcurrentMap<String, TopicConfig> t = new ConcurrentHashMap<>();
        put(t, topic("TopicTest", 4, 4, PermName.PERM_READ | PermName.PERM_WRITE));
        TopicConfig order = topic("TopicOrder", 8, 8, PermName.PERM_READ | PermName.PERM_WRITE);
        order.setOrder(true);
        put(t, order);
        put(t, topic("TopicReadOnly", 2, 2, PermName.PERM_READ));
        TopicConfig multi = topic("TopicMultiTag", 4, 2, PermName.PERM_READ | PermName.PERM_WRITE);
        multi.setTopicFilterType(TopicFilterType.MULTI_TAG);
        put(t, multi);
        TopicConfig unit = topic("TopicUnit", 1, 1, PermName.PERM_READ | PermName.PERM_WRITE);
        unit.setTopicSysFlag(1);
        put(t, unit);
        put(t, topic("%RETRY%GroupA", 1, 1, PermName.PERM_READ | PermName.PERM_WRITE));
        put(t, topic("TBW102", 8, 8, PermName.PERM_READ | PermName.PERM_WRITE | PermName.PERM_INHERIT));

        TopicConfigSerializeWrapper w = new TopicConfigSerializeWrapper();
        w.setTopicConfigTable(t);
        w.setDataVersion(dataVersion());
        RegisterBrokerBody b = new RegisterBrokerBody();
        b.setTopicConfigSerializeWrapper(w);
        return b.encode(false);
    }

    private static TopicConfig topic(String name, int r, int w, int perm) {
        return new TopicConfig(name, r, w, perm);
    }

    private static void put(ConcurrentMap<String, TopicConfig> t, TopicConfig c) {
        t.put(c.getTopicName(), c);
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
