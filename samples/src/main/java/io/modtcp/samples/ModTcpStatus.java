package io.modtcp.samples;

import io.modtcp.provider.ModTcpRuntime;
import java.lang.reflect.Method;
import java.util.Arrays;

/**
 * Not a sample: runs another program's {@code main} and, when the JVM exits, prints modtcp's status line (what the
 * provider opened, what the stack carried), or that modtcp never started. Run it under the agent, whose jar provides
 * the provider classes: {@code java -javaagent:modtcp-agent.jar -cp ... io.modtcp.samples.ModTcpStatus
 * io.modtcp.samples.JettyHello --port 8080}.
 */
public final class ModTcpStatus {
    private ModTcpStatus() {}

    public static void main(String[] args) throws Throwable {
        if (args.length == 0) {
            throw new IllegalArgumentException("usage: ModTcpStatus MAIN-CLASS [ARGS...]");
        }
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> System.out.println(
                                ModTcpRuntime.isBooted() ? ModTcpRuntime.get().status() : "modtcp: not started"),
                        "modtcp-status"));
        Method main = Class.forName(args[0]).getMethod("main", String[].class);
        try {
            main.invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
