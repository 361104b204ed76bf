package io.rocketd.compat;

import java.util.Map;
import org.apache.rocketmq.common.MQVersion;
import org.apache.rocketmq.common.protocol.RequestCode;
import org.apache.rocketmq.common.protocol.ResponseCode;
import org.apache.rocketmq.common.protocol.body.ClusterInfo;
import org.apache.rocketmq.common.protocol.route.BrokerData;
import org.apache.rocketmq.remoting.protocol.RemotingCommand;

/**
 * Readiness probe used by ref.sh: asks a NameServer for GET_BROKER_CLUSTER_INFO and exits 0 when
 * the given broker address is registered under the given cluster and broker name, 1 otherwise.
 *
 * <p>Usage: RouteProbe namesrvAddr cluster brokerName brokerAddr
 */
public final class RouteProbe {
    private RouteProbe() {
    }

    public static void main(String[] args) {
        if (args.length != 4) {
            System.err.println("usage: RouteProbe namesrvAddr cluster brokerName brokerAddr");
            System.exit(2);
        }
        System.setProperty(RemotingCommand.REMOTING_VERSION_KEY, Integer.toString(MQVersion.CURRENT_VERSION));
        try (RawClient c = new RawClient(args[0], 2000)) {
            c.send(RemotingCommand.createRequestCommand(RequestCode.GET_BROKER_CLUSTER_INFO, null));
            byte[] frame = c.read(3000);
            if (frame == null) {
                System.err.println("no answer");
                System.exit(1);
            }
            RemotingCommand resp = RawClient.decode(frame);
            if (resp.getCode() != ResponseCode.SUCCESS || resp.getBody() == null) {
                System.err.println("code " + resp.getCode() + " " + resp.getRemark());
                System.exit(1);
            }
            ClusterInfo ci = ClusterInfo.decode(resp.getBody(), ClusterInfo.class);
            boolean inCluster = ci.getClusterAddrTable() != null && ci.getClusterAddrTable().get(args[1]) != null
                && ci.getClusterAddrTable().get(args[1]).contains(args[2]);
            BrokerData bd = ci.getBrokerAddrTable() == null ? null : ci.getBrokerAddrTable().get(args[2]);
            boolean hasAddr = false;
            if (bd != null) {
                for (Map.Entry<Long, String> e : bd.getBrokerAddrs().entrySet()) {
                    hasAddr |= args[3].equals(e.getValue());
                }
            }
            if (inCluster && hasAddr) {
                System.out.println("registered");
                System.exit(0);
            }
            System.err.println("not registered yet: " + new String(resp.getBody(), "UTF-8"));
            System.exit(1);
        } catch (Exception e) {
            System.err.println("probe failed: " + e);
            System.exit(1);
        }
    }
}
