package io.modtcp.tun;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The lossy, rate-limited path of issue-12's benchmark, applied to one kernel device inside a namespace (the kernel
 * client's side, the same way in both setups): nftables drops {@value #LOSS_PERCENT} % of packets at random in
 * each direction ({@code numgen random mod 100 < 2 drop}, netdev ingress and egress hooks: this kernel has no
 * netem), {@code tc tbf} shapes what leaves to {@value #RATE_MBIT} Mbit/s, and an nftables policer drops what
 * arrives beyond {@value #POLICE_MBYTES} MB/s. Everything lives in the namespace and goes with it.
 */
final class LossyPath {
    static final int LOSS_PERCENT = 2;
    static final int RATE_MBIT = 200;
    static final int POLICE_MBYTES = 25;

    private LossyPath() {}

    /** Impairs {@code device} in namespace {@code ns} (needs root, tc and nft). */
    static void apply(String ns, String device) throws IOException {
        KernelNet.run(
                "tc",
                "-n",
                ns,
                "qdisc",
                "replace",
                "dev",
                device,
                "root",
                "tbf",
                "rate",
                RATE_MBIT + "mbit",
                "burst",
                "32kbit",
                "latency",
                "50ms");
        String rules = String.join(
                "\n",
                "table netdev modtcp_lossy {",
                "  chain in {",
                "    type filter hook ingress device \"" + device + "\" priority 0;",
                "    limit rate over " + POLICE_MBYTES + " mbytes/second drop",
                "    numgen random mod 100 < " + LOSS_PERCENT + " drop",
                "  }",
                "  chain out {",
                "    type filter hook egress device \"" + device + "\" priority 0;",
                "    numgen random mod 100 < " + LOSS_PERCENT + " drop",
                "  }",
                "}",
                "");
        Process p = new ProcessBuilder("ip", "netns", "exec", ns, "nft", "-f", "-")
                .redirectErrorStream(true)
                .start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(rules.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException("nft -f in " + ns + " failed: " + out.trim());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /** The impairment, for reports. */
    static String describe() {
        return LOSS_PERCENT + " % random loss each way (nftables numgen), tbf " + RATE_MBIT + " Mbit/s out, policer "
                + POLICE_MBYTES + " MB/s in";
    }
}
