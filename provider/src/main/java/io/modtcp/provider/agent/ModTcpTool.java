package io.modtcp.provider.agent;

import com.sun.tools.attach.VirtualMachine;
import io.modtcp.provider.ModTcpSelectorProvider;
import java.io.File;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * The agent jar's {@code Main-Class}: {@code java -jar modtcp-agent.jar ss <pid>} prints the modtcp connections of a
 * running JVM like {@code ss -tina} (listeners included), {@code nstat <pid>} its counters like {@code nstat -az} without the rates.
 *
 * <p>It attaches to the JVM ({@code jdk.attach}), checks that it runs the modtcp agent, asks it (an agent load with
 * {@value ModTcpAgent#JMX_COMMAND}) for the JMX connector that serves the {@code io.modtcp:type=Stack} MBeans on the
 * kernel's loopback, connects to it and prints. Never loaded by the agent itself (premain): it needs {@code
 * jdk.attach} and {@code java.management}, the agent only {@code java.base} and {@code java.instrument}.
 */
public final class ModTcpTool {
    private ModTcpTool() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs one command; returns the exit status (0 done, 1 failed, 2 usage). */
    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length != 2 || !(args[0].equals("ss") || args[0].equals("nstat"))) {
            err.println("usage: java -jar modtcp-agent.jar ss <pid>     modtcp connections of a JVM, like ss -tin");
            err.println("       java -jar modtcp-agent.jar nstat <pid>  its counters, like nstat -az");
            err.println("       java -javaagent:modtcp-agent.jar[=key=value,...] ...  run a program on modtcp");
            return 2;
        }
        String pid = args[1];
        try {
            String address = connectorAddress(pid);
            try (JMXConnector c = JMXConnectorFactory.connect(new JMXServiceURL(address))) {
                MBeanServerConnection mbs = c.getMBeanServerConnection();
                Set<ObjectName> names = new TreeSet<>(mbs.queryNames(new ObjectName("io.modtcp:type=Stack,*"), null));
                if (names.isEmpty()) {
                    err.println("JVM " + pid + " runs the modtcp agent, but its stack has not started yet"
                            + " (it starts with the first socket)");
                    return 1;
                }
                for (ObjectName name : names) {
                    if (names.size() > 1) {
                        out.println("# " + name);
                    }
                    if (args[0].equals("ss")) {
                        printConnections((TabularData) mbs.getAttribute(name, "Connections"), out);
                    } else {
                        printCounters((CompositeData) mbs.getAttribute(name, "Counters"), out);
                    }
                }
            }
            return 0;
        } catch (Exception e) {
            err.println("modtcp " + args[0] + " " + pid + ": " + e);
            return 1;
        }
    }

    /** Attaches, checks for the agent, and returns the address of the JVM's modtcp JMX connector. */
    private static String connectorAddress(String pid) throws Exception {
        VirtualMachine vm = VirtualMachine.attach(pid);
        try {
            Properties props = vm.getSystemProperties();
            if (!ModTcpSelectorProvider.class.getName().equals(props.getProperty(ModTcpAgent.PROVIDER_PROPERTY))) {
                throw new IllegalStateException(
                        "JVM " + pid + " does not run the modtcp agent (-javaagent:" + "modtcp-agent.jar)");
            }
            String address = props.getProperty("io.modtcp.jmx.address");
            if (address == null) {
                vm.loadAgent(agentJar(), ModTcpAgent.JMX_COMMAND);
                address = vm.getSystemProperties().getProperty("io.modtcp.jmx.address");
            }
            if (address == null) {
                throw new IllegalStateException("JVM " + pid + " did not start the modtcp JMX connector");
            }
            return address;
        } finally {
            vm.detach();
        }
    }

    private static String agentJar() throws URISyntaxException {
        return new File(ModTcpTool.class
                        .getProtectionDomain()
                        .getCodeSource()
                        .getLocation()
                        .toURI())
                .getPath();
    }

    /** {@code ss -tin}: a line per connection, then its TCP information indented. */
    static void printConnections(TabularData table, PrintStream out) {
        out.printf(
                "%-11s %8s %8s %-45s %-45s%n", "State", "Recv-Q", "Send-Q", "Local Address:Port", "Peer Address:Port");
        List<CompositeData> rows = new ArrayList<>();
        for (Object o : (Collection<?>) table.values()) {
            rows.add((CompositeData) o);
        }
        rows.sort((a, b) -> {
            int c = endpoint(a, "local").compareTo(endpoint(b, "local"));
            return c != 0 ? c : endpoint(a, "remote").compareTo(endpoint(b, "remote"));
        });
        for (CompositeData r : rows) {
            out.printf(
                    "%-11s %8d %8d %-45s %-45s%n",
                    ssState((String) r.get("state")),
                    (Long) r.get("recvQ"),
                    (Long) r.get("sendQ"),
                    endpoint(r, "local"),
                    endpoint(r, "remote"));
            if ("LISTEN".equals(r.get("state"))) {
                continue; // as ss: a listener's line has no TCP information under it
            }
            out.printf(
                    "\t rto:%d rtt:%.3f/%.3f minrtt:%.3f mss:%d cwnd:%d ssthresh:%s bytes_sent:%d bytes_received:%d"
                            + " retrans:%d snd_wnd:%d%s%n",
                    (Long) r.get("rtoMillis"),
                    (Long) r.get("srttMicros") / 1000.0,
                    (Long) r.get("rttvarMicros") / 1000.0,
                    (Long) r.get("minRttMicros") / 1000.0,
                    (Integer) r.get("mss"),
                    segments((Integer) r.get("cwnd"), (Integer) r.get("mss")),
                    (Integer) r.get("ssthresh") == Integer.MAX_VALUE
                            ? "-"
                            : String.valueOf(segments((Integer) r.get("ssthresh"), (Integer) r.get("mss"))),
                    (Long) r.get("bytesSent"),
                    (Long) r.get("bytesReceived"),
                    (Long) r.get("retransmits"),
                    (Integer) r.get("sendWindow"),
                    Boolean.TRUE.equals(r.get("inRecovery")) ? " recovery" : "");
        }
    }

    /** {@code nstat -az} without the rate column: every counter with its value. */
    static void printCounters(CompositeData counters, PrintStream out) {
        for (String key : counters.getCompositeType().keySet()) {
            out.printf("%-32s %d%n", key, (Long) counters.get(key));
        }
    }

    /** Bytes as whole segments, rounded up, as ss prints cwnd and ssthresh (the MBean keeps bytes). */
    private static long segments(int bytes, int mss) {
        return mss <= 0 ? bytes : ((long) bytes + mss - 1) / mss;
    }

    private static String endpoint(CompositeData r, String side) {
        String addr = (String) r.get(side + "Address");
        int port = (Integer) r.get(side + "Port");
        // A listener's peer is any address and any port: ss prints 0.0.0.0:* (or [::]:*).
        return (addr.indexOf(':') >= 0 ? "[" + addr + "]" : addr) + ":" + (port == 0 ? "*" : String.valueOf(port));
    }

    /** ss's state names (ESTAB, SYN-SENT, ...). */
    static String ssState(String state) {
        switch (state) {
            case "ESTABLISHED":
                return "ESTAB";
            case "CLOSED":
                return "UNCONN";
            default:
                return state.replace('_', '-');
        }
    }
}
