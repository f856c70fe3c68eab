package io.modtcp.samples;

import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A gRPC server and client in one JVM, both on gRPC's default transport: the copy of Netty inside
 * {@code grpc-netty-shaded}, which uses Linux epoll when its native library loads. No protobuf: the methods carry
 * UTF-8 strings.
 *
 * <p>Usage: {@code GrpcHello [--count 200] [--stream 1000]}. It makes {@code count} unary calls and one server-streaming
 * call of {@code stream} messages to itself on 127.0.0.1, checks every answer, and prints whether the shaded Netty
 * found epoll usable ({@code epoll=true|false}). Under the modtcp agent epoll is off (the agent's native-transport
 * guard), so gRPC runs on Java NIO and therefore on modtcp; with {@code nativeTransports=allow} it runs on epoll, on
 * the kernel. Exits with 1 when any answer is wrong.
 */
public final class GrpcHello {
    private GrpcHello() {}

    static final MethodDescriptor.Marshaller<String> UTF8 = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(String value) {
            return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String parse(InputStream stream) {
            try {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    static final MethodDescriptor<String, String> HELLO = MethodDescriptor.<String, String>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName(MethodDescriptor.generateFullMethodName("modtcp.Hello", "Say"))
            .setRequestMarshaller(UTF8)
            .setResponseMarshaller(UTF8)
            .build();

    static final MethodDescriptor<String, String> COUNT = MethodDescriptor.<String, String>newBuilder()
            .setType(MethodDescriptor.MethodType.SERVER_STREAMING)
            .setFullMethodName(MethodDescriptor.generateFullMethodName("modtcp.Hello", "Count"))
            .setRequestMarshaller(UTF8)
            .setResponseMarshaller(UTF8)
            .build();

    public static void main(String[] args) throws Exception {
        Args a = new Args(args, Set.of("count", "stream"), Set.of(), "GrpcHello [--count 200] [--stream 1000]");
        int count = a.getInt("count", 200);
        int stream = a.getInt("stream", 1000);
        System.out.println("grpc: epoll=" + epollAvailable());
        String result = run(count, stream);
        System.out.println(result);
        System.exit(result.startsWith("grpc ok") ? 0 : 1);
    }

    static String run(int count, int stream) throws Exception {
        ServerServiceDefinition service = ServerServiceDefinition.builder("modtcp.Hello")
                .addMethod(HELLO, ServerCalls.asyncUnaryCall((req, out) -> {
                    out.onNext("hello " + req);
                    out.onCompleted();
                }))
                .addMethod(COUNT, ServerCalls.asyncServerStreamingCall((req, out) -> {
                    int n = Integer.parseInt(req);
                    for (int i = 0; i < n; i++) {
                        out.onNext(Integer.toString(i));
                    }
                    out.onCompleted();
                }))
                .build();
        Server server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
                .addService(service)
                .build()
                .start();
        ManagedChannel channel = Grpc.newChannelBuilderForAddress(
                        "127.0.0.1", server.getPort(), InsecureChannelCredentials.create())
                .build();
        try {
            int unaryOk = 0;
            for (int i = 0; i < count; i++) {
                String answer = ClientCalls.blockingUnaryCall(
                        channel, HELLO, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), "call " + i);
                if (answer.equals("hello call " + i)) {
                    unaryOk++;
                }
            }
            List<String> got = new ArrayList<>();
            Iterator<String> it = ClientCalls.blockingServerStreamingCall(
                    channel,
                    COUNT,
                    CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS),
                    Integer.toString(stream));
            it.forEachRemaining(got::add);
            boolean streamOk = got.size() == stream;
            for (int i = 0; streamOk && i < stream; i++) {
                streamOk = got.get(i).equals(Integer.toString(i));
            }
            boolean ok = unaryOk == count && streamOk;
            return (ok ? "grpc ok" : "grpc FAILED") + " unary " + unaryOk + "/" + count + " stream " + got.size() + "/"
                    + stream + (streamOk ? " in order" : " wrong");
        } finally {
            channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
            server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    /** Whether the shaded Netty would use epoll: false when its native library did not load or is switched off. */
    static boolean epollAvailable() {
        try {
            return (Boolean) Class.forName("io.grpc.netty.shaded.io.netty.channel.epoll.Epoll")
                    .getMethod("isAvailable")
                    .invoke(null);
        } catch (ReflectiveOperationException | LinkageError e) {
            return false;
        }
    }
}
