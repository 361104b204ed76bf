package io.rocketd.compat;

import java.io.Closeable;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import org.apache.rocketmq.remoting.protocol.RemotingCommand;

/**
 * A blocking one-request-at-a-time remoting client on a plain socket. It sends frames built by
 * the 4.9.8 RemotingCommand.encode() and hands back the raw response frame bytes exactly as they
 * came off the wire (length prefix included), so fixtures keep the server's byte order.
 */
final class RawClient implements Closeable {
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    RawClient(String addr, int connectTimeoutMillis) throws IOException {
        int colon = addr.lastIndexOf(':');
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress(addr.substring(0, colon), Integer.parseInt(addr.substring(colon + 1))),
            connectTimeoutMillis);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /** Encodes the request with the Java encoder and writes it. Returns the bytes written. */
    byte[] send(RemotingCommand request) throws IOException {
        ByteBuffer buf = request.encode();
        byte[] frame = new byte[buf.remaining()];
        buf.get(frame);
        out.write(frame);
        out.flush();
        return frame;
    }

    /** Reads one whole frame (with its 4-byte length prefix); null if nothing arrives in time. */
    byte[] read(int timeoutMillis) throws IOException {
        socket.setSoTimeout(timeoutMillis);
        int len;
        try {
            len = in.readInt();
        } catch (SocketTimeoutException e) {
            return null;
        }
        if (len < 4 || len > 16 * 1024 * 1024) {
            throw new IOException("bad frame length " + len);
        }
        byte[] frame = new byte[4 + len];
        ByteBuffer.wrap(frame).putInt(len);
        in.readFully(frame, 4, len);
        return frame;
    }

    /** Decodes a raw frame (length prefix included) with the Java decoder. */
    static RemotingCommand decode(byte[] frame) throws Exception {
        return RemotingCommand.decode(ByteBuffer.wrap(frame, 4, frame.length - 4).slice());
    }

    boolean isOpen() {
        return !socket.isClosed();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
