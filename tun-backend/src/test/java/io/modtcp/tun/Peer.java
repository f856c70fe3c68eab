package io.modtcp.tun;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A kernel-side TCP peer: {@code peer.py} run by python3 inside the fixture's namespace. */
final class Peer implements AutoCloseable {
    private static Path script;
    private final Process process;
    private final BufferedReader out;

    private Peer(Process process) {
        this.process = process;
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    static synchronized Path script() throws IOException {
        if (script == null) {
            Path p = Files.createTempFile("modtcp-peer", ".py");
            try (InputStream in = Peer.class.getResourceAsStream("peer.py")) {
                Files.copy(in, p, StandardCopyOption.REPLACE_EXISTING);
            }
            p.toFile().deleteOnExit();
            script = p;
        }
        return script;
    }

    /** Starts a kernel listener on {@code KERNEL_ADDR:port} and returns once it listens. */
    static Peer listen(KernelNet net, int port, long sendBytes, String order, boolean rst) throws IOException {
        return listen(net::exec, KernelNet.KERNEL_ADDR, port, sendBytes, order, rst ? "rst" : "");
    }

    /** Starts a kernel listener on {@code host:port} through {@code exec} and returns once it listens. */
    static Peer listen(Exec exec, String host, int port, long sendBytes, String order, String flag) throws IOException {
        Peer p = start(exec, "listen", host, port, sendBytes, order, flag);
        String line = p.out.readLine();
        if (!"READY".equals(line)) {
            throw new IOException("kernel peer did not start: " + line);
        }
        return p;
    }

    /** Starts a kernel client connecting to modtcp at {@code MODTCP_ADDR:port}. */
    static Peer connect(KernelNet net, int port, long sendBytes, String order, boolean rst) throws IOException {
        return start(net::exec, "connect", KernelNet.MODTCP_ADDR, port, sendBytes, order, rst ? "rst" : "");
    }

    /** Starts a kernel client connecting to {@code host:port} through {@code exec}. */
    static Peer connect(Exec exec, String host, int port, long sendBytes, String order, String flag)
            throws IOException {
        return start(exec, "connect", host, port, sendBytes, order, flag);
    }

    /** Runs a command somewhere (a namespace). */
    @FunctionalInterface
    interface Exec {
        Process exec(String... cmd) throws IOException;
    }

    /** Starts a kernel client that opens {@code count} connections at once and checks each one's echo. */
    static Peer multi(KernelNet net, int port, long bytesEach, int count) throws IOException {
        return start(net::exec, "multi", KernelNet.MODTCP_ADDR, port, bytesEach, Integer.toString(count), "");
    }

    private static Peer start(Exec exec, String role, String host, int port, long sendBytes, String order, String flag)
            throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                "python3", script().toString(), role, host, Integer.toString(port), Long.toString(sendBytes), order));
        if (!flag.isEmpty()) {
            cmd.add(flag);
        }
        return new Peer(exec.exec(cmd.toArray(String[]::new)));
    }

    /** Waits for the peer's JSON result line. */
    Result result(long timeoutSeconds) throws IOException, InterruptedException {
        String line = out.readLine();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("kernel peer did not exit");
        }
        if (line == null) {
            throw new IOException("kernel peer printed nothing, exit " + process.exitValue());
        }
        return Result.parse(line);
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }

    record Result(String error, long sent, String sentSha, long received, String receivedSha, double secs) {
        private static final Pattern FIELD = Pattern.compile("\"(\\w+)\": (\"[^\"]*\"|[-+.eE\\d]+)");

        static Result parse(String json) {
            String error = null;
            String sentSha = null;
            String receivedSha = null;
            long sent = -1;
            long received = -1;
            double secs = 0;
            Matcher m = FIELD.matcher(json);
            while (m.find()) {
                String v = m.group(2).replace("\"", "");
                switch (m.group(1)) {
                    case "error" -> error = v;
                    case "sent" -> sent = Long.parseLong(v);
                    case "sent_sha" -> sentSha = v;
                    case "received" -> received = Long.parseLong(v);
                    case "received_sha" -> receivedSha = v;
                    case "secs" -> secs = Double.parseDouble(v);
                    default -> {}
                }
            }
            return new Result(error, sent, sentSha, received, receivedSha, secs);
        }
    }
}
