package io.modtcp.stack.tcp.congestion;

import java.util.Locale;
import java.util.Set;

/** The congestion-control algorithms by name, as a configuration or socket option names them. */
public final class CongestionAlgorithms {
    /** The default, as on Linux. */
    public static final String DEFAULT = "cubic";

    private CongestionAlgorithms() {}

    public static Set<String> names() {
        return Set.of("cubic", "newreno");
    }

    /**
     * The factory for {@code name} ({@code cubic}, {@code newreno} or its alias {@code reno}), case-insensitive.
     *
     * @throws IllegalArgumentException for any other name
     */
    public static CongestionAlgorithm.Factory byName(String name) {
        switch (name.toLowerCase(Locale.ROOT)) {
            case "cubic":
                return Cubic.FACTORY;
            case "newreno":
            case "reno":
                return NewReno.FACTORY;
            default:
                throw new IllegalArgumentException(
                        "unknown congestion control algorithm '" + name + "' (known: " + names() + ")");
        }
    }
}
