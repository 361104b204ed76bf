package io.rocketd.compat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.rocketmq.acl.common.AclClientRPCHook;
import org.apache.rocketmq.acl.common.SessionCredentials;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.MQVersion;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.protocol.RequestCode;
import org.apache.rocketmq.common.protocol.header.CreateTopicRequestHeader;
import org.apache.rocketmq.common.protocol.header.PullMessageRequestHeader;
import org.apache.rocketmq.common.protocol.header.SendMessageRequestHeader;
import org.apache.rocketmq.common.protocol.header.SendMessageRequestHeaderV2;
import org.apache.rocketmq.common.protocol.heartbeat.ConsumeType;
import org.apache.rocketmq.common.protocol.heartbeat.ConsumerData;
import org.apache.rocketmq.common.protocol.heartbeat.HeartbeatData;
import org.apache.rocketmq.common.protocol.heartbeat.MessageModel;
import org.apache.rocketmq.common.protocol.heartbeat.SubscriptionData;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.remoting.RPCHook;
import org.apache.rocketmq.remoting.netty.NettyClientConfig;
import org.apache.rocketmq.remoting.netty.NettyRemotingClient;
import org.apache.rocketmq.remoting.protocol.RemotingCommand;

/**
 * The ACL judge: requests signed by the unmodified 4.9.8 AclClientRPCHook (rocketmq-acl) against a broker
 * started with aclEnable=true and compat/java/conf/acl/plain_acl.yml, each answer compared with what the Java
 * 4.9.8 broker answers (code and remark, exactly). Run against both the reference and rocketd
 * (compat/java/acl.sh); a failure prints what came back.
 *
 * <p>Usage: AclJudge namesrvAddr brokerAddr [aclFile]
 *
 * <p>With aclFile (the broker's plain_acl.yml), the judge then edits it and waits for the broker to apply the
 * edit (Java polls every 5 s): an account removed by an edit, and a permission added.
 */
public final class AclJudge {
    private AclJudge() {
    }

    private static final String EX = "org.apache.rocketmq.acl.common.AclException: ";
    private static final String VALIDATE = "org.apache.rocketmq.acl.plain.PlainPermissionManager.validate(PlainPermissionManager.java:";
    private static final String CHECK_PERM = "org.apache.rocketmq.acl.plain.PlainPermissionManager.checkPerm(PlainPermissionManager.java:";

    private static int failures;

    private static RPCHook signed(String ak, String sk) {
        return new AclClientRPCHook(new SessionCredentials(ak, sk));
    }

    /** Adds AccessKey but no Signature. */
    private static RPCHook unsigned(final String ak) {
        return new RPCHook() {
            @Override public void doBeforeRequest(String remoteAddr, RemotingCommand request) {
                request.addExtField(SessionCredentials.ACCESS_KEY, ak);
            }

            @Override public void doAfterResponse(String remoteAddr, RemotingCommand request, RemotingCommand response) {
            }
        };
    }

    private static RemotingCommand send(String topic, String group) {
        SendMessageRequestHeader h = new SendMessageRequestHeader();
        h.setProducerGroup(group);
        h.setTopic(topic);
        h.setDefaultTopic("TBW102");
        h.setDefaultTopicQueueNums(4);
        h.setQueueId(0);
        h.setSysFlag(0);
        h.setBornTimestamp(1700000000000L);
        h.setFlag(0);
        h.setProperties("");
        h.setReconsumeTimes(0);
        h.setUnitMode(false);
        h.setBatch(false);
        RemotingCommand c = RemotingCommand.createRequestCommand(RequestCode.SEND_MESSAGE_V2,
            SendMessageRequestHeaderV2.createSendMessageRequestHeaderV2(h));
        c.setBody("acl judge".getBytes(StandardCharsets.UTF_8));
        return c;
    }

    private static RemotingCommand pull(String topic, String group) {
        PullMessageRequestHeader h = new PullMessageRequestHeader();
        h.setConsumerGroup(group);
        h.setTopic(topic);
        h.setQueueId(0);
        h.setQueueOffset(0L);
        h.setMaxMsgNums(1);
        h.setSysFlag(0);
        h.setCommitOffset(0L);
        h.setSuspendTimeoutMillis(0L);
        h.setSubscription("*");
        h.setSubVersion(0L);
        h.setExpressionType("TAG");
        return RemotingCommand.createRequestCommand(RequestCode.PULL_MESSAGE, h);
    }

    private static RemotingCommand heartbeat(String group, String topic) {
        HeartbeatData hb = new HeartbeatData();
        hb.setClientID("127.0.0.1@acl-judge");
        ConsumerData cd = new ConsumerData();
        cd.setGroupName(group);
        cd.setConsumeType(ConsumeType.CONSUME_PASSIVELY);
        cd.setMessageModel(MessageModel.CLUSTERING);
        cd.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_LAST_OFFSET);
        SubscriptionData sd = new SubscriptionData();
        sd.setTopic(topic);
        sd.setSubString("*");
        sd.setSubVersion(1L);
        cd.getSubscriptionDataSet().add(sd);
        hb.getConsumerDataSet().add(cd);
        RemotingCommand c = RemotingCommand.createRequestCommand(RequestCode.HEART_BEAT, null);
        c.setBody(hb.encode());
        return c;
    }

    private static RemotingCommand createTopic(String topic) {
        CreateTopicRequestHeader h = new CreateTopicRequestHeader();
        h.setTopic(topic);
        h.setDefaultTopic("TBW102");
        h.setReadQueueNums(4);
        h.setWriteQueueNums(4);
        h.setPerm(6);
        h.setTopicFilterType("SINGLE_TAG");
        h.setTopicSysFlag(0);
        h.setOrder(false);
        return RemotingCommand.createRequestCommand(RequestCode.UPDATE_AND_CREATE_TOPIC, h);
    }

    /**
     * Sends req through a client carrying hook (none when null) and checks the response code and, when
     * remark is not null, the remark.
     */
    private static void expect(String name, String broker, RPCHook hook, RemotingCommand req, int code, String remark)
        throws Exception {
        NettyRemotingClient client = new NettyRemotingClient(new NettyClientConfig());
        if (hook != null) {
            client.registerRPCHook(hook);
        }
        client.start();
        try {
            RemotingCommand resp = client.invokeSync(broker, req, 5000);
            boolean ok = resp.getCode() == code && (remark == null || remark.equals(resp.getRemark()));
            // The connection stays usable after a denial: a second request on it is answered too.
            if (ok && code != 0) {
                RemotingCommand again = client.invokeSync(broker, RemotingCommand.createRequestCommand(
                    RequestCode.GET_BROKER_RUNTIME_INFO, null), 5000);
                ok = again != null;
            }
            report(name, ok, "code=" + resp.getCode() + " remark=" + resp.getRemark(), "code=" + code + " remark=" + remark);
        } finally {
            client.shutdown();
        }
    }

    private static void report(String name, boolean ok, String got, String want) {
        if (ok) {
            System.out.println("PASS " + name);
        } else {
            failures++;
            System.out.println("FAIL " + name + "\n  got:  " + got + "\n  want: " + want);
        }
    }

    /** One request through a client carrying hook; null when it could not be sent. */
    private static RemotingCommand once(String broker, RPCHook hook, RemotingCommand req) throws Exception {
        NettyRemotingClient client = new NettyRemotingClient(new NettyClientConfig());
        client.registerRPCHook(hook);
        client.start();
        try {
            return client.invokeSync(broker, req, 5000);
        } finally {
            client.shutdown();
        }
    }

    private static void hotReload(String b, String aclFile, RPCHook user) throws Exception {
        java.nio.file.Path path = java.nio.file.Paths.get(aclFile);
        String text = new String(java.nio.file.Files.readAllBytes(path), StandardCharsets.UTF_8);
        String local = "  - accessKey: localuser1\n    secretKey: localsecret\n    whiteRemoteAddress: 127.0.0.1\n";
        String both = "      - aclTopicBoth=PUB|SUB\n";
        if (!text.contains(local) || !text.contains(both)) {
            report("hot reload: the ACL file has the judge's accounts", false, text, "conf/acl/plain_acl.yml");
            return;
        }
        text = text.replace(local, "").replace(both, both + "      - aclTopicOther=PUB\n");
        java.nio.file.Files.write(path, text.getBytes(StandardCharsets.UTF_8));
        String wantGhost = EX + "No PlainAccessResource for accessKey=localuser1, " + VALIDATE + "675)";
        RemotingCommand ghost = null;
        RemotingCommand granted = null;
        long deadline = System.currentTimeMillis() + 30000;
        while (System.currentTimeMillis() < deadline) {
            ghost = once(b, signed("localuser1", "wrongsecret"), send("aclTopicOther", "aclProducer"));
            granted = once(b, user, send("aclTopicOther", "aclProducer"));
            if (ghost.getCode() == 1 && wantGhost.equals(ghost.getRemark()) && granted.getCode() == 0) {
                break;
            }
            Thread.sleep(200);
        }
        report("hot reload: an account removed by an edit", ghost != null && ghost.getCode() == 1
            && wantGhost.equals(ghost.getRemark()), ghost == null ? "null" : "code=" + ghost.getCode() + " remark="
            + ghost.getRemark(), "code=1 remark=" + wantGhost);
        report("hot reload: a permission added by an edit", granted != null && granted.getCode() == 0,
            granted == null ? "null" : "code=" + granted.getCode() + " remark=" + granted.getRemark(), "code=0");
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2 && args.length != 3) {
            System.err.println("usage: AclJudge namesrvAddr brokerAddr [aclFile]");
            System.exit(2);
        }
        System.setProperty(RemotingCommand.REMOTING_VERSION_KEY, Integer.toString(MQVersion.CURRENT_VERSION));
        String ns = args[0];
        String b = args[1];
        RPCHook user = signed("rocketmq2", "12345678");
        RPCHook admin = signed("adminuser", "adminsecret");

        // Topics the cases use (admin account: code 17 is admin-only).
        for (String t : new String[] {"aclTopicPub", "aclTopicSub", "aclTopicBoth", "aclTopicOther"}) {
            expect("admin creates " + t, b, admin, createTopic(t), 0, null);
        }

        expect("right key sends to a PUB topic", b, user, send("aclTopicPub", "aclProducer"), 0, null);
        expect("right key sends to a PUB|SUB topic", b, user, send("aclTopicBoth", "aclProducer"), 0, null);
        expect("wrong secret", b, signed("rocketmq2", "wrongsecret"), send("aclTopicPub", "aclProducer"), 1,
            EX + "Check signature failed for accessKey=rocketmq2, " + VALIDATE + "684)");
        expect("unknown access key", b, signed("nobody1234", "12345678"), send("aclTopicPub", "aclProducer"), 1,
            EX + "No acl config for nobody1234, " + VALIDATE + "668)");
        expect("no access key at all", b, null, send("aclTopicPub", "aclProducer"), 1,
            EX + "No accessKey is configured, " + VALIDATE + "664)");
        expect("access key without signature", b, unsigned("rocketmq2"), send("aclTopicPub", "aclProducer"), 1,
            EX + "Check signature failed for accessKey=rocketmq2, " + VALIDATE + "684)");
        expect("white-listed address that is not ours: signature still checked", b,
            signed("whiteuser1", "wrongsecret"), send("aclTopicPub", "aclProducer"), 1,
            EX + "Check signature failed for accessKey=whiteuser1, " + VALIDATE + "684)");
        expect("white-listed address that is ours: no signature check", b,
            signed("localuser1", "wrongsecret"), send("aclTopicOther", "aclProducer"), 0, null);
        expect("topic with SUB only: no PUB", b, user, send("aclTopicSub", "aclProducer"), 1,
            EX + "No default permission for topic:aclTopicSub, " + CHECK_PERM + "611)");
        expect("topic not listed, defaultTopicPerm DENY", b, user, send("aclTopicOther", "aclProducer"), 1,
            EX + "No default permission for topic:aclTopicOther, " + CHECK_PERM + "606)");
        // Past the ACL: the broker answers SUBSCRIPTION_GROUP_NOT_EXIST (24) as no consumer has sent a heartbeat.
        expect("pull: SUB topic, default group SUB", b, user, pull("aclTopicSub", "aclGroupOk"), 24, null);
        expect("pull: group DENY", b, user, pull("aclTopicSub", "aclGroupDeny"), 1,
            EX + "No default permission for group:aclGroupDeny, " + CHECK_PERM + "611)");
        expect("pull: topic with PUB only: no SUB", b, user, pull("aclTopicPub", "aclGroupOk"), 1,
            EX + "No default permission for topic:aclTopicPub, " + CHECK_PERM + "611)");
        expect("heartbeat: group DENY", b, user, heartbeat("aclGroupDeny", "aclTopicSub"), 1,
            EX + "No default permission for group:aclGroupDeny, " + CHECK_PERM + "611)");
        expect("heartbeat: allowed", b, user, heartbeat("aclGroupOk", "aclTopicSub"), 0, null);
        expect("admin code from a non-admin account", b, user, createTopic("aclTopicNew"), 1,
            EX + "Need admin permission for request code=17, but accessKey=rocketmq2 is not, " + CHECK_PERM + "581)");

        // The real producer with the hook, end to end (route from the name server, heartbeat, send).
        DefaultMQProducer p = new DefaultMQProducer("aclJudgeProducer", user);
        p.setNamesrvAddr(ns);
        p.setSendMsgTimeout(5000);
        p.start();
        try {
            SendResult r = p.send(new Message("aclTopicPub", "hello acl".getBytes(StandardCharsets.UTF_8)));
            report("DefaultMQProducer with AclClientRPCHook sends", r.getSendStatus() == SendStatus.SEND_OK,
                String.valueOf(r), "SEND_OK");
        } finally {
            p.shutdown();
        }
        if (args.length == 3) {
            hotReload(b, args[2], user);
        }
        System.out.println(failures == 0 ? "ACL judge: all passed" : "ACL judge: " + failures + " failed");
        System.exit(failures == 0 ? 0 : 1);
    }
}
