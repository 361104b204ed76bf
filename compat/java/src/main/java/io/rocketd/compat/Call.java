package io.rocketd.compat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import org.apache.rocketmq.common.MQVersion;
import org.apache.rocketmq.remoting.protocol.RemotingCommand;
import org.apache.rocketmq.remoting.protocol.SerializeType;

/**
 * Sends one request built by the Java 4.9.8 RemotingCommand and prints what came back: a debugging aid
 * for comparing rocketd with the Java reference by hand.
 *
 * <p>Usage: Call addr code [key=value ...] [-version N] [-rocketmq] [-oneway] [-body FILE] [-timeout MS]
 * [-raw FILE]
 *
 * <p>Prints the decoded response header on the first line (serialization, code, flag, opaque, version, language, remark,
 * extFields) and the body as UTF-8 after it. -raw also saves the raw response frame. Exit status 0 when
 * answered, 3 when no answer came within the timeout.
 */
public final class Call {
    private Call() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: Call addr code [key=value ...] [-version N] [-rocketmq] [-oneway]"
                + " [-body FILE] [-timeout MS] [-raw FILE]");
            System.exit(2);
        }
        System.setProperty(RemotingCommand.REMOTING_VERSION_KEY, Integer.toString(MQVersion.CURRENT_VERSION));
        RemotingCommand req = RemotingCommand.createRequestCommand(Integer.parseInt(args[1]), null);
        int timeout = 3000;
        String raw = null;
        for (int i = 2; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "-version": req.setVersion(Integer.parseInt(args[++i])); break;
                case "-rocketmq": req.setSerializeTypeCurrentRPC(SerializeType.ROCKETMQ); break;
                case "-oneway": req.markOnewayRPC(); break;
                case "-body": req.setBody(Files.readAllBytes(Paths.get(args[++i]))); break;
                case "-timeout": timeout = Integer.parseInt(args[++i]); break;
                case "-raw": raw = args[++i]; break;
                default:
                    int eq = a.indexOf('=');
                    if (eq <= 0) {
                        throw new IllegalArgumentException("expected key=value, got " + a);
                    }
                    req.addExtField(a.substring(0, eq), a.substring(eq + 1));
            }
        }
        try (RawClient c = new RawClient(args[0], 3000)) {
            c.send(req);
            byte[] frame = c.read(timeout);
            if (frame == null) {
                System.out.println("no answer within " + timeout + " ms");
                System.exit(3);
            }
            if (raw != null) {
                Fixtures.write(Paths.get(raw).toAbsolutePath(), frame);
            }
            RemotingCommand r = RawClient.decode(frame);
            String ser = (frame[4] == 1) ? "ROCKETMQ" : "JSON";
            System.out.println("serialization=" + ser + " code=" + r.getCode() + " flag=" + r.getFlag() + " opaque=" + r.getOpaque() + " version="
                + r.getVersion() + " language=" + r.getLanguage() + " remark=" + Fixtures.cell(r.getRemark())
                + " extFields=" + Fixtures.sortedJson(r.getExtFields()));
            if (r.getBody() != null) {
                System.out.println(new String(r.getBody(), StandardCharsets.UTF_8));
            }
        }
    }
}
