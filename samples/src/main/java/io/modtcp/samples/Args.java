package io.modtcp.samples;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code --key value} and {@code --flag} options, then positional arguments; unknown options are an error. */
final class Args {
    private final Map<String, String> options = new HashMap<>();
    private final List<String> positional = new ArrayList<>();

    Args(String[] args, Set<String> valued, Set<String> flags, String usage) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.startsWith("--")) {
                String key = a.substring(2);
                if (valued.contains(key) && i + 1 < args.length) {
                    options.put(key, args[++i]);
                } else if (flags.contains(key)) {
                    options.put(key, "true");
                } else {
                    throw new IllegalArgumentException("unknown or incomplete option " + a + "\nusage: " + usage);
                }
            } else {
                positional.add(a);
            }
        }
    }

    String get(String key, String dflt) {
        return options.getOrDefault(key, dflt);
    }

    int getInt(String key, int dflt) {
        return Integer.parseInt(get(key, Integer.toString(dflt)));
    }

    boolean flag(String key) {
        return options.containsKey(key);
    }

    List<String> positional() {
        return positional;
    }
}
