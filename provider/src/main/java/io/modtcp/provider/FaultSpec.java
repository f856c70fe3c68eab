package io.modtcp.provider;

import io.modtcp.stack.link.FaultModel;
import java.math.BigDecimal;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.StringJoiner;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Faults injected into what modtcp transmits on each of its links (the in-JVM loopback and TUN), in the manner of
 * Linux netem: the agent keys {@code loss}, {@code delay}, {@code jitter}, {@code reorder}, {@code reorder_delay},
 * {@code duplicate}, {@code corrupt}, {@code rate}, {@code fault_queue}, with {@code seed} (see docs/faults.md). Parse
 * them with {@link #parse(String)} or {@link #parse(Map)}; apply them at run time with {@link ModTcpFaults#set}.
 *
 * @param model the faults of one link's transmit direction
 * @param pureAcks whether loss, duplication, reordering and corruption also hit pure ACKs ({@code fault_acks}); by
 *     default they only wait out the delay and rate, as their number depends on timing (see {@code FaultLink})
 * @param seed the seed of the fault draws, or null for the stack's (the {@code seed} key, else one chosen at boot)
 */
public record FaultSpec(FaultModel model, boolean pureAcks, Long seed) {
    /** No fault. */
    public static final FaultSpec NONE = new FaultSpec(FaultModel.NONE.withQueueCapacity(defaultQueue()), false, null);

    /** The extra delay of a reordered packet when {@code reorder} is set and {@code reorder_delay} is not. */
    public static final long DEFAULT_REORDER_DELAY_NS = 1_000_000L;

    /** The longest {@code delay}, {@code jitter} or {@code reorder_delay}: one minute. */
    public static final long MAX_DELAY_NS = 60_000_000_000L;

    /** The fault keys (the {@code seed} key is the stack's, shared), with their meaning (docs/provider.md). */
    public static final Map<String, String> KEYS;

    static {
        Map<String, String> k = new LinkedHashMap<>();
        k.put("loss", "fault: probability a transmitted packet is lost, 0..1 or 0%..100%, e.g. 0.02 or 2%");
        k.put("delay", "fault: one-way delay added to every packet, e.g. 10ms (units ns, us, ms, s; at most 60s)");
        k.put("jitter", "fault: extra delay, uniform in [0, jitter], e.g. 2ms");
        k.put("reorder", "fault: probability a packet leaves FIFO order and waits reorder_delay more, e.g. 1%");
        k.put("reorder_delay", "fault: the extra delay of a reordered packet (default 1ms)");
        k.put("duplicate", "fault: probability a packet is delivered twice, e.g. 0.5%");
        k.put("corrupt", "fault: probability one bit of a packet is flipped, e.g. 0.1%");
        k.put("rate", "fault: link rate, e.g. 100mbit (bit, kbit, mbit, gbit; bps, kbps, mbps, gbps are bytes/s)");
        k.put("fault_acks", "fault: on/off, loss and the other rates hit pure ACKs too (default off: delayed only)");
        k.put("fault_queue", "fault: packets held for delay or rate at most per link, 1..1000000 (default 10000)");
        KEYS = Collections.unmodifiableMap(k);
    }

    private static final Pattern DURATION =
            Pattern.compile("([0-9]+(?:\\.[0-9]+)?)\\s*(ns|us|µs|ms|s)", Pattern.CASE_INSENSITIVE);
    private static final Pattern RATE = Pattern.compile(
            "([0-9]+(?:\\.[0-9]+)?)\\s*(bit|kbit|mbit|gbit|tbit|bps|kbps|mbps|gbps|tbps)", Pattern.CASE_INSENSITIVE);
    private static final Pattern PROBABILITY = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)\\s*(%?)");

    public FaultSpec {
        Objects.requireNonNull(model, "model");
    }

    private static int defaultQueue() {
        return 10_000;
    }

    /** True when this spec injects nothing. */
    public boolean isNone() {
        FaultModel m = model;
        return m.lossRate() == 0
                && m.duplicateRate() == 0
                && m.reorderRate() == 0
                && m.corruptRate() == 0
                && m.delayNs() == 0
                && m.jitterNs() == 0
                && m.rateBitsPerSecond() == 0;
    }

    /** This spec with {@code seed}. */
    public FaultSpec withSeed(long seed) {
        return new FaultSpec(model, pureAcks, seed);
    }

    /**
     * Parses {@code key=value} pairs separated by commas, e.g. {@code loss=2%,delay=10ms,seed=42}. Keys: those of
     * {@link #KEYS} and {@code seed}.
     *
     * @throws IllegalArgumentException naming the key ({@code modtcp.KEY=...}) for an unknown key or a bad value
     */
    public static FaultSpec parse(String spec) {
        Map<String, String> values = new LinkedHashMap<>();
        if (spec != null) {
            for (String pair : spec.split(",")) {
                if (pair.isBlank()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("modtcp fault '" + pair.trim() + "': expected key=value");
                }
                String key = pair.substring(0, eq).trim();
                if (!KEYS.containsKey(key) && !key.equals("seed")) {
                    throw new IllegalArgumentException(
                            "modtcp." + key + ": unknown fault key (known: " + KEYS.keySet() + " and seed)");
                }
                values.put(key, pair.substring(eq + 1));
            }
        }
        return parse(values);
    }

    /**
     * The fault keys of {@code values} (keys without the {@code modtcp.} prefix; others are ignored), validated.
     *
     * @throws IllegalArgumentException naming the key for a bad value
     */
    public static FaultSpec parse(Map<String, String> values) {
        FaultModel m = FaultModel.NONE.withQueueCapacity(defaultQueue());
        if (values.containsKey("loss")) {
            m = m.withLossRate(probability("loss", values.get("loss")));
        }
        if (values.containsKey("duplicate")) {
            m = m.withDuplicateRate(probability("duplicate", values.get("duplicate")));
        }
        if (values.containsKey("corrupt")) {
            m = m.withCorruptRate(probability("corrupt", values.get("corrupt")));
        }
        if (values.containsKey("reorder")) {
            m = m.withReorderRate(probability("reorder", values.get("reorder")));
        }
        if (values.containsKey("reorder_delay")) {
            m = m.withReorderDelayNs(duration("reorder_delay", values.get("reorder_delay")));
        } else if (m.reorderRate() > 0) {
            m = m.withReorderDelayNs(DEFAULT_REORDER_DELAY_NS);
        }
        if (values.containsKey("delay")) {
            m = m.withDelayNs(duration("delay", values.get("delay")));
        }
        if (values.containsKey("jitter")) {
            m = m.withJitterNs(duration("jitter", values.get("jitter")));
        }
        if (values.containsKey("rate")) {
            m = m.withRateBitsPerSecond(rate("rate", values.get("rate")));
        }
        if (values.containsKey("fault_queue")) {
            m = m.withQueueCapacity(queue(values.get("fault_queue")));
        }
        boolean pureAcks = false;
        if (values.containsKey("fault_acks")) {
            String t = trim("fault_acks", values.get("fault_acks")).toLowerCase(Locale.ROOT);
            if (t.equals("on") || t.equals("true")) {
                pureAcks = true;
            } else if (!t.equals("off") && !t.equals("false")) {
                throw bad("fault_acks", values.get("fault_acks"), "expected on or off");
            }
        }
        Long seed = null;
        if (values.containsKey("seed")) {
            try {
                seed = Long.parseLong(values.get("seed").trim());
            } catch (NumberFormatException e) {
                throw bad("seed", values.get("seed"), "not a number");
            }
        }
        return new FaultSpec(m, pureAcks, seed);
    }

    /** {@code 0.02} or {@code 2%}, in [0, 1]. */
    static double probability(String key, String text) {
        Matcher matcher = PROBABILITY.matcher(trim(key, text));
        if (!matcher.matches()) {
            throw bad(key, text, "expected a probability, e.g. 0.02 or 2%");
        }
        BigDecimal v = new BigDecimal(matcher.group(1));
        if (!matcher.group(2).isEmpty()) {
            v = v.movePointLeft(2);
        }
        if (v.compareTo(BigDecimal.ONE) > 0) {
            throw bad(key, text, "above 1 (100%)");
        }
        return v.doubleValue();
    }

    /** {@code 10ms}, {@code 250us}, {@code 1.5s}, {@code 0}; at most {@link #MAX_DELAY_NS}. */
    static long duration(String key, String text) {
        String t = trim(key, text);
        if (t.equals("0")) {
            return 0;
        }
        Matcher matcher = DURATION.matcher(t);
        if (!matcher.matches()) {
            throw bad(key, text, "expected a duration with a unit, e.g. 10ms (ns, us, ms, s)");
        }
        int shift;
        switch (matcher.group(2).toLowerCase(Locale.ROOT)) {
            case "ns":
                shift = 0;
                break;
            case "us":
            case "µs":
                shift = 3;
                break;
            case "ms":
                shift = 6;
                break;
            default:
                shift = 9;
                break;
        }
        BigDecimal ns = new BigDecimal(matcher.group(1)).movePointRight(shift);
        if (ns.compareTo(BigDecimal.valueOf(MAX_DELAY_NS)) > 0) {
            throw bad(key, text, "above 60s");
        }
        return ns.longValue();
    }

    /** Linux tc's units: {@code bit, kbit, mbit, gbit, tbit} in bits per second, {@code bps...} in bytes per second. */
    static long rate(String key, String text) {
        Matcher matcher = RATE.matcher(trim(key, text));
        if (!matcher.matches()) {
            throw bad(
                    key,
                    text,
                    "expected a rate with a unit, e.g. 100mbit (bit, kbit, mbit, gbit, tbit, bps, kbps,"
                            + " mbps, gbps, tbps)");
        }
        String unit = matcher.group(2).toLowerCase(Locale.ROOT);
        boolean bytes = unit.endsWith("bps");
        char prefix = unit.charAt(0);
        int exponent = prefix == 'k' ? 3 : prefix == 'm' ? 6 : prefix == 'g' ? 9 : prefix == 't' ? 12 : 0;
        BigDecimal bits = new BigDecimal(matcher.group(1)).movePointRight(exponent);
        if (bytes) {
            bits = bits.multiply(BigDecimal.valueOf(8));
        }
        if (bits.compareTo(BigDecimal.valueOf(8)) < 0) {
            throw bad(key, text, "below 8 bit/s");
        }
        if (bits.compareTo(BigDecimal.valueOf(100_000_000_000_000L)) > 0) {
            throw bad(key, text, "above 100tbit");
        }
        return bits.longValue();
    }

    private static int queue(String text) {
        String t = trim("fault_queue", text);
        int v;
        try {
            v = Integer.parseInt(t);
        } catch (NumberFormatException e) {
            throw bad("fault_queue", text, "not a number");
        }
        if (v < 1 || v > 1_000_000) {
            throw bad("fault_queue", text, "out of range 1..1000000");
        }
        return v;
    }

    private static String trim(String key, String text) {
        if (text == null || text.isBlank()) {
            throw bad(key, String.valueOf(text), "empty");
        }
        return text.trim();
    }

    private static IllegalArgumentException bad(String key, String value, String why) {
        return new IllegalArgumentException("modtcp." + key + "='" + value + "': " + why);
    }

    /** The keys that differ from no fault, e.g. {@code loss=0.02 delay=10ms seed=42}. */
    @Override
    public String toString() {
        StringJoiner j = new StringJoiner(" ");
        FaultModel m = model;
        if (m.lossRate() > 0) {
            j.add("loss=" + m.lossRate());
        }
        if (m.duplicateRate() > 0) {
            j.add("duplicate=" + m.duplicateRate());
        }
        if (m.corruptRate() > 0) {
            j.add("corrupt=" + m.corruptRate());
        }
        if (m.reorderRate() > 0) {
            j.add("reorder=" + m.reorderRate() + " reorder_delay=" + m.reorderDelayNs() + "ns");
        }
        if (m.delayNs() > 0) {
            j.add("delay=" + m.delayNs() + "ns");
        }
        if (m.jitterNs() > 0) {
            j.add("jitter=" + m.jitterNs() + "ns");
        }
        if (m.rateBitsPerSecond() > 0) {
            j.add("rate=" + m.rateBitsPerSecond() + "bit");
        }
        if (j.length() == 0) {
            j.add("none");
        } else if (pureAcks) {
            j.add("fault_acks=on");
        }
        if (seed != null) {
            j.add("seed=" + seed);
        }
        return j.toString();
    }
}
