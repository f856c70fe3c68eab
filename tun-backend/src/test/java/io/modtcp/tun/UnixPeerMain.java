package io.modtcp.tun;

import io.modtcp.stack.NetStack;
import io.modtcp.stack.runtime.StackThread;
import io.modtcp.stack.socket.TcpSocket;
import io.modtcp.stack.wire.IpAddr;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The second modtcp process of {@link UnixDatagramLinkTest}: a stack at 198.51.100.2 on a UNIX-datagram link that
 * accepts one connection on port 7000, reads it to EOF, answers with {@code args[2]} bytes, and prints both hashes.
 * Usage: {@code UnixPeerMain LOCAL_SOCKET PEER_SOCKET REPLY_BYTES}.
 */
public final class UnixPeerMain {
    private UnixPeerMain() {}

    public static void main(String[] args) throws Exception {
        UnixDatagramLink link = UnixDatagramLink.open(Path.of(args[0]), Path.of(args[1]), 65535);
        NetStack stack = NetStack.builder()
                .addInterface(link, IpAddr.parseV4("198.51.100.2"), 24, IpAddr.parseV4("198.51.100.1"))
                .seed(2)
                .build();
        StackThread thread = new StackThread(stack, "child-stack", new PollWaiter(link.fd())).start();
        TcpSocket server = stack.openSocket();
        server.bind(IpAddr.parseV4("198.51.100.2"), 7000);
        server.listen(4);
        System.out.println("READY");
        System.out.flush();
        TcpSocket s = server.accept(TimeUnit.SECONDS.toNanos(30));
        Bulk.Outcome in = Bulk.receive(s);
        Bulk.Outcome out = Bulk.send(s, Long.parseLong(args[2]), 77);
        s.close();
        System.out.println(in.bytes() + " " + in.sha() + " " + out.bytes() + " " + out.sha());
        System.out.flush();
        Thread.sleep(500); // let the FIN and its ACK go before the stack stops
        server.close();
        thread.close();
        stack.close();
    }
}
