package io.modtcp.provider.samples;

import io.modtcp.provider.ModTcpRuntime;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousChannelGroup;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;
import java.nio.channels.spi.AsynchronousChannelProvider;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * An ordinary NIO.2 program: an {@code AsynchronousServerSocketChannel} on 127.0.0.1 echoes what it reads through
 * completion handlers; an {@code AsynchronousSocketChannel} in a fixed-pool group connects, sends lines and reads
 * them back with Futures. Needs only java.base; the last line prints modtcp's figures when run under the agent.
 */
public final class AsyncEcho {
    private AsyncEcho() {}

    public static void main(String[] args) throws Exception {
        System.out.println("asyncProvider="
                + AsynchronousChannelProvider.provider().getClass().getName());
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        AsynchronousChannelGroup group =
                AsynchronousChannelGroup.withFixedThreadPool(2, Executors.defaultThreadFactory());
        try (AsynchronousServerSocketChannel server =
                AsynchronousServerSocketChannel.open(group).bind(new InetSocketAddress(lo, 0))) {
            server.accept(null, new CompletionHandler<AsynchronousSocketChannel, Void>() {
                @Override
                public void completed(AsynchronousSocketChannel ch, Void v) {
                    echo(ch, ByteBuffer.allocate(1024));
                }

                @Override
                public void failed(Throwable exc, Void v) {
                    System.out.println("accept failed: " + exc);
                }
            });
            try (AsynchronousSocketChannel client = AsynchronousSocketChannel.open(group)) {
                client.connect(server.getLocalAddress()).get(10, TimeUnit.SECONDS);
                for (int i = 0; i < 3; i++) {
                    byte[] line = ("line " + i).getBytes(StandardCharsets.US_ASCII);
                    ByteBuffer out = ByteBuffer.wrap(line);
                    while (out.hasRemaining()) {
                        client.write(out).get(10, TimeUnit.SECONDS);
                    }
                    ByteBuffer in = ByteBuffer.allocate(line.length);
                    while (in.hasRemaining()) {
                        if (client.read(in).get(10, TimeUnit.SECONDS) < 0) {
                            throw new IllegalStateException("end of stream");
                        }
                    }
                    System.out.println("async echo " + new String(in.array(), StandardCharsets.US_ASCII));
                }
                CompletableFuture<Throwable> timeout = new CompletableFuture<>();
                client.read(ByteBuffer.allocate(1), 100, TimeUnit.MILLISECONDS, null, new CompletionHandler<>() {
                    @Override
                    public void completed(Integer n, Object att) {
                        timeout.complete(null);
                    }

                    @Override
                    public void failed(Throwable exc, Object att) {
                        timeout.complete(exc);
                    }
                });
                System.out.println("async read timeout " + timeout.get(10, TimeUnit.SECONDS));
            }
        }
        group.shutdownNow();
        System.out.println("group terminated " + group.awaitTermination(10, TimeUnit.SECONDS));
        System.out.println(ModTcpRuntime.isBooted() ? ModTcpRuntime.get().status() : "modtcp: not booted");
    }

    private static void echo(AsynchronousSocketChannel ch, ByteBuffer buf) {
        ch.read(buf, null, new CompletionHandler<Integer, Void>() {
            @Override
            public void completed(Integer n, Void v) {
                if (n < 0) {
                    return;
                }
                buf.flip();
                ch.write(buf, null, new CompletionHandler<Integer, Void>() {
                    @Override
                    public void completed(Integer w, Void v2) {
                        if (buf.hasRemaining()) {
                            ch.write(buf, null, this);
                        } else {
                            buf.clear();
                            echo(ch, buf);
                        }
                    }

                    @Override
                    public void failed(Throwable exc, Void v2) {
                        // the client went away
                    }
                });
            }

            @Override
            public void failed(Throwable exc, Void v) {
                // the client went away
            }
        });
    }
}
