package io.rocketd.compat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.rocketmq.common.MQVersion;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.filter.FilterAPI;
import org.apache.rocketmq.common.message.MessageConst;
import org.apache.rocketmq.common.message.MessageDecoder;
import org.apache.rocketmq.common.protocol.RequestCode;
import org.apache.rocketmq.common.protocol.ResponseCode;
import org.apache.rocketmq.common.protocol.header.SendMessageRequestHeader;
import org.apache.rocketmq.common.protocol.header.SendMessageRequestHeaderV2;
import org.apache.rocketmq.common.protocol.header.SendMessageResponseHeader;
import org.apache.rocketmq.common.protocol.header.UpdateConsumerOffsetRequestHeader;
import org.apache.rocketmq.common.protocol.header.namesrv.GetKVConfigResponseHeader;
import org.apache.rocketmq.common.protocol.header.namesrv.GetRouteInfoRequestHeader;
import org.apache.rocketmq.common.protocol.heartbeat.ConsumeType;
import org.apache.rocketmq.common.protocol.heartbeat.ConsumerData;
import org.apache.rocketmq.common.protocol.heartbeat.HeartbeatData;
import org.apache.rocketmq.common.protocol.heartbeat.MessageModel;
import org.apache.rocketmq.common.protocol.heartbeat.ProducerData;
import org.apache.rocketmq.common.protocol.heartbeat.SubscriptionData;
import org.apache.rocketmq.remoting.protocol.RemotingCommand;
import org.apache.rocketmq.remoting.protocol.SerializeType;

/**
 * Writes RemotingCommand frames encoded by the Java 4.9.8 remoting jar, in both serializations.
 *
 * <p>For every case and serialization two encodings are taken from fresh command objects:
 * {@code RemotingCommand.encode()} (the public whole-frame API) and the path Netty uses on the
 * wire ({@code fastEncodeHeader(ByteBuf)} followed by the body, as NettyEncoder does). The
 * second is written as a separate {@code .wire.bin} file only when its bytes differ.
 *
 * <p>Usage: FrameFixtures outDir
 */
public final class FrameFixtures {
    private FrameFixtures() {
    }

    private static final class Case {
        final String name;
        final String what;
        final Supplier<RemotingCommand> make;

        Case(String name, String what, Supplier<RemotingCommand> make) {
            this.name = name;
            this.what = what;
            this.make = make;
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: FrameFixtures outDir");
            System.exit(2);
        }
        // What MQClientAPIImpl and the servers do at start-up: every command carries version 409.
        System.setProperty(RemotingCommand.REMOTING_VERSION_KEY, Integer.toString(MQVersion.CURRENT_VERSION));
        Path out = Paths.get(args[0]);

        Map<String, Case> cases = new LinkedHashMap<>();
        add(cases, "req_route_by_topic", "GET_ROUTEINFO_BY_TOPIC request, GetRouteInfoRequestHeader topic=TopicTest", () -> {
            GetRouteInfoRequestHeader h = new GetRouteInfoRequestHeader();
            h.setTopic("TopicTest");
            RemotingCommand c = RemotingCommand.createRequestCommand(RequestCode.GET_ROUTEINFO_BY_TOPIC, h);
            c.setOpaque(1);
            return c;
        });
        add(cases, "req_heartbeat_body", "HEART_BEAT request, no custom header, body = HeartbeatData.encode()", () -> {
            RemotingCommand c = RemotingCommand.createRequestCommand(RequestCode.HEART_BEAT, null);
            c.setOpaque(2);
            c.setBody(heartbeat().encode());
            return c;
        });
        add(cases, "req_send_message_v2", "SEND_MESSAGE_V2 request from a fresh SendMessageRequestHeaderV2, body \"Hello RocketMQ\"", () -> {
            RemotingCommand c = RemotingCommand.createRequestCommand(RequestCode.SEND_MESSAGE_V2, sendHeaderV2());
            c.setOpaque(3);
            c.setBody("Hello RocketMQ".getBytes(StandardCharsets.UTF_8));
            return c;
        });
        add(cases, "req_send_message_v2_ext", "as req_send_message_v2 but makeCustomHeaderToNet() was called before encoding"
            + " (what AclClientRPCHook does): the ROCKETMQ wire form then carries every key twice", () -> {
                RemotingCommand c = RemotingCommand.createRequestCommand(RequestCode.SEND_MESSAGE_V2, sendHeaderV2());
                c.setOpaque(4);
                c.setBody("Hello RocketMQ".getBytes(StandardCharsets.UTF_8));
                c.makeCustomHeaderToNet();
                return c;
            });
        add(cases, "resp_success_no_header", "response createResponseCommand(SUCCESS, null), no custom header", () -> {
            RemotingCommand c = RemotingCommand.createResponseCommand(ResponseCode.SUCCESS, null);
            c.setOpaque(5);
            return c;
        });
        add(cases, "resp_null_header", "response createResponseCommand(GetKVConfigResponseHeader.class) with value null,"
            + " then code SUCCESS and remark null (as handlers do)", () -> {
                RemotingCommand c = RemotingCommand.createResponseCommand(GetKVConfigResponseHeader.class);
                c.setCode(ResponseCode.SUCCESS);
                c.setRemark(null);
                c.setOpaque(6);
                return c;
            });
        add(cases, "resp_default_remark", "response createResponseCommand(GetKVConfigResponseHeader.class) untouched:"
            + " code SYSTEM_ERROR and the default remark", () -> {
                RemotingCommand c = RemotingCommand.createResponseCommand(GetKVConfigResponseHeader.class);
                c.setOpaque(7);
                return c;
            });
        add(cases, "resp_remark", "response TOPIC_NOT_EXIST with an ASCII remark, no custom header", () -> {
            RemotingCommand c = RemotingCommand.createResponseCommand(ResponseCode.TOPIC_NOT_EXIST,
                "No topic route info in name server for the topic: NoSuchTopic");
            c.setOpaque(8);
            return c;
        });
        add(cases, "resp_remark_utf8", "response SYSTEM_ERROR with a non-ASCII remark (byte length != char length)", () -> {
            RemotingCommand c = RemotingCommand.createResponseCommand(ResponseCode.SYSTEM_ERROR, "主题不存在 \u00fc \u2713");
            c.setOpaque(9);
            return c;
        });
        add(cases, "resp_send_message", "SEND_MESSAGE response with SendMessageResponseHeader (a FastCodesHeader)"
            + " msgId/queueId/queueOffset set, transactionId null", () -> {
                RemotingCommand c = RemotingCommand.createResponseCommand(SendMessageResponseHeader.class);
                SendMessageResponseHeader h = (SendMessageResponseHeader) c.readCustomHeader();
                h.setMsgId("7F00000100002A9F0000000000000000");
                h.setQueueId(1);
                h.setQueueOffset(42L);
                c.setCode(ResponseCode.SUCCESS);
                c.setRemark(null);
                c.setOpaque(10);
                return c;
            });
        add(cases, "oneway_update_consumer_offset", "UPDATE_CONSUMER_OFFSET request marked oneway (flag bit 1)", () -> {
            UpdateConsumerOffsetRequestHeader h = new UpdateConsumerOffsetRequestHeader();
            h.setConsumerGroup("GroupA");
            h.setTopic("TopicTest");
            h.setQueueId(0);
            h.setCommitOffset(100L);
            h.setBname("broker-a");
            RemotingCommand c = RemotingCommand.createRequestCommand(RequestCode.UPDATE_CONSUMER_OFFSET, h);
            c.markOnewayRPC();
            c.setOpaque(11);
            return c;
        });
        add(cases, "req_negative_opaque", "GET_BROKER_CLUSTER_INFO request, no header, opaque -2 (the Java counter wraps)", () -> {
            RemotingCommand c = RemotingCommand.createRequestCommand(RequestCode.GET_BROKER_CLUSTER_INFO, null);
            c.setOpaque(-2);
            return c;
        });

        Fixtures.Tsv tsv = new Fixtures.Tsv("file", "case", "serialization", "encoder", "code", "opaque", "flag", "version",
            "language", "remark", "extFields_sorted", "body_len", "body", "header_len", "frame_len", "description");
        for (Case k : cases.values()) {
            for (SerializeType st : new SerializeType[] {SerializeType.JSON, SerializeType.ROCKETMQ}) {
                String base = k.name + "." + st.name().toLowerCase();
                RemotingCommand a = k.make.get();
                a.setSerializeTypeCurrentRPC(st);
                ByteBuffer bb = a.encode();
                byte[] enc = new byte[bb.remaining()];
                bb.get(enc);

                RemotingCommand b = k.make.get();
                b.setSerializeTypeCurrentRPC(st);
                ByteBuf buf = Unpooled.buffer();
                b.fastEncodeHeader(buf);
                if (b.getBody() != null) {
                    buf.writeBytes(b.getBody());
                }
                byte[] wire = new byte[buf.readableBytes()];
                buf.readBytes(wire);

                Fixtures.write(out.resolve(base + ".bin"), enc);
                row(tsv, base + ".bin", k, st, "encode", enc);
                if (!Arrays.equals(enc, wire)) {
                    Fixtures.write(out.resolve(base + ".wire.bin"), wire);
                    row(tsv, base + ".wire.bin", k, st, "wire", wire);
                }
            }
        }
        tsv.writeTo(out.resolve("fixtures.tsv"));
        System.out.println("wrote " + cases.size() + " cases to " + out);
    }

    private static void add(Map<String, Case> m, String name, String what, Supplier<RemotingCommand> make) {
        m.put(name, new Case(name, what, make));
    }

    private static void row(Fixtures.Tsv tsv, String file, Case k, SerializeType st, String encoder, byte[] frame)
        throws Exception {
        RemotingCommand d = RawClient.decode(frame);
        int headerLen = ByteBuffer.wrap(frame).getInt(4) & 0xFFFFFF;
        HashMap<String, String> ext = d.getExtFields();
        tsv.row(file, k.name, st.name(), encoder, d.getCode(), d.getOpaque(), d.getFlag(), d.getVersion(),
            d.getLanguage(), d.getRemark(), Fixtures.sortedJson(ext), d.getBody() == null ? 0 : d.getBody().length,
            Fixtures.bodyCell(d.getBody()), headerLen, frame.length, k.what);
    }

    private static SendMessageRequestHeaderV2 sendHeaderV2() {
        Map<String, String> props = new LinkedHashMap<>();
        props.put(MessageConst.PROPERTY_KEYS, "key1");
        props.put(MessageConst.PROPERTY_TAGS, "TagA");
        props.put(MessageConst.PROPERTY_WAIT_STORE_MSG_OK, "true");
        SendMessageRequestHeader v1 = new SendMessageRequestHeader();
        v1.setProducerGroup("ProducerGroupA");
        v1.setTopic("TopicTest");
        v1.setDefaultTopic("TBW102");
        v1.setDefaultTopicQueueNums(4);
        v1.setQueueId(1);
        v1.setSysFlag(0);
        v1.setBornTimestamp(1700000000000L);
        v1.setFlag(0);
        v1.setProperties(MessageDecoder.messageProperties2String(props));
        v1.setReconsumeTimes(0);
        v1.setUnitMode(false);
        v1.setBatch(false);
        v1.setBname("broker-a");
        return SendMessageRequestHeaderV2.createSendMessageRequestHeaderV2(v1);
    }

    private static HeartbeatData heartbeat() {
        HeartbeatData hb = new HeartbeatData();
        hb.setClientID("127.0.0.1@rocketd-fixture");
        ProducerData p = new ProducerData();
        p.setGroupName("ProducerGroupA");
        hb.getProducerDataSet().add(p);
        ConsumerData c = new ConsumerData();
        c.setGroupName("GroupA");
        c.setConsumeType(ConsumeType.CONSUME_PASSIVELY);
        c.setMessageModel(MessageModel.CLUSTERING);
        c.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_LAST_OFFSET);
        c.setUnitMode(false);
        try {
            SubscriptionData s = FilterAPI.buildSubscriptionData("TopicTest", "TagA || TagB");
            s.setSubVersion(1700000000000L);
            c.getSubscriptionDataSet().add(s);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        hb.getConsumerDataSet().add(c);
        return hb;
    }
}
