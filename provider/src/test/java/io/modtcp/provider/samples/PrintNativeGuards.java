package io.modtcp.provider.samples;

/**
 * Prints, from {@code main}, the system properties that switch Netty's native transports off, as an application sees
 * them at start (the forked-JVM test runs it under the agent).
 */
public final class PrintNativeGuards {
    private PrintNativeGuards() {}

    public static void main(String[] args) {
        for (String name :
                new String[] {"io.netty.transport.noNative", "io.grpc.netty.shaded.io.netty.transport.noNative"}) {
            System.out.println("main sees " + name + "=" + System.getProperty(name));
        }
    }
}
