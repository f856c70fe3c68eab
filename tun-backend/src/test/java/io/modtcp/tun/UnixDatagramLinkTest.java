package io.modtcp.tun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.modtcp.stack.NetStack;
import io.modtcp.stack.runtime.StackThread;
import io.modtcp.stack.socket.TcpSocket;
import io.modtcp.stack.wire.IpAddr;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Two modtcp processes (this JVM and a forked one) talk TCP over a UNIX-datagram link; no privileges needed. */
@Timeout(120)
class UnixDatagramLinkTest {
    static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    @TempDir
    Path dir;

    @Test
    void shouldTransferByteExactBetweenTwoProcesses() throws Exception {
        Path mine = dir.resolve("a.sock");
        Path theirs = dir.resolve("b.sock");
        long toChild = 8L << 20;
        long fromChild = 3L << 20;
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(
                        java,
                        "-cp",
                        System.getProperty("java.class.path"),
                        UnixPeerMain.class.getName(),
                        theirs.toString(),
                        mine.toString(),
                        Long.toString(fromChild))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        UnixDatagramLink link = UnixDatagramLink.open(mine, theirs, 65535);
        NetStack stack = NetStack.builder()
                .addInterface(link, IpAddr.parseV4("198.51.100.1"), 24, IpAddr.parseV4("198.51.100.2"))
                .seed(1)
                .build();
        StackThread thread = new StackThread(stack, "parent-stack", new PollWaiter(link.fd())).start();
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            assertEquals("READY", out.readLine());
            TcpSocket s = stack.openSocket();
            assertTrue(s.connect(IpAddr.parseV4("198.51.100.2"), 7000, 10 * SECOND));
            Bulk.Outcome sent = Bulk.send(s, toChild, 5);
            s.shutdownOutput();
            Bulk.Outcome received = Bulk.receive(s);
            s.close();
            List<String> report = List.of(out.readLine().split(" "));
            assertEquals(List.of(Long.toString(toChild), sent.sha(), Long.toString(fromChild), received.sha()), report);
            assertEquals(fromChild, received.bytes());
            assertTrue(child.waitFor(20, TimeUnit.SECONDS));
            assertEquals(0, child.exitValue());
            System.out.printf("UNIX link, two processes: %.0f Mbit/s parent -> child%n", sent.mbitPerSecond());
        } finally {
            child.destroyForcibly();
            thread.close();
            stack.close();
            Files.deleteIfExists(mine);
        }
    }
}
