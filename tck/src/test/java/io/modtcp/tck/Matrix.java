package io.modtcp.tck;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The compatibility matrix: one row per behaviour, one column per implementation, written as markdown to {@code
 * tck.matrix} (default {@code target/tck-matrix.md}) when the run ends. Cells: {@code pass}, {@code FAIL}, {@code
 * skip} (with the reason in the notes below the table).
 */
final class Matrix {
    static final Matrix INSTANCE = new Matrix();

    enum Outcome {
        PASS("pass"),
        FAIL("**FAIL**"),
        SKIP("skip");

        final String cell;

        Outcome(String cell) {
            this.cell = cell;
        }
    }

    private record Cell(Outcome outcome, String note) {}

    /** group → behaviour → implementation → cell, in the order recorded (groups sorted by name). */
    private final Map<String, Map<String, Map<String, Cell>>> rows = new TreeMap<>();

    private Matrix() {}

    synchronized void record(String group, String behaviour, String impl, Outcome outcome, Throwable cause) {
        String note = cause == null ? null : firstLine(cause);
        rows.computeIfAbsent(group, g -> new LinkedHashMap<>())
                .computeIfAbsent(behaviour, b -> new LinkedHashMap<>())
                .put(impl, new Cell(outcome, note));
    }

    /** The group of a behaviour class: its simple name without the {@code Behaviours} suffix, as words. */
    static String group(Class<?> c) {
        String n = c.getSimpleName().replaceFirst("Behaviours$", "");
        return words(n);
    }

    static String behaviour(Method m) {
        Behaviour b = m.getAnnotation(Behaviour.class);
        return b != null && !b.value().isEmpty() ? b.value() : words(m.getName());
    }

    private static String words(String camel) {
        String s = camel.replaceAll("([a-z0-9])([A-Z])", "$1 $2").replace('_', ' ');
        s = s.toLowerCase(Locale.ROOT);
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    private static String firstLine(Throwable t) {
        String m = t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
        int nl = m.indexOf('\n');
        m = nl < 0 ? m : m.substring(0, nl);
        return m.length() > 200 ? m.substring(0, 200) + "…" : m;
    }

    synchronized void write(List<String> impls) {
        Path out = Path.of(System.getProperty("tck.matrix", "target/tck-matrix.md"));
        StringBuilder sb = new StringBuilder();
        Map<String, int[]> totals = new LinkedHashMap<>();
        for (String i : impls) {
            totals.put(i, new int[Outcome.values().length]);
        }
        int behaviours = 0;
        StringBuilder tables = new StringBuilder();
        List<String> notes = new ArrayList<>();
        for (Map.Entry<String, Map<String, Map<String, Cell>>> g : rows.entrySet()) {
            tables.append("\n### ").append(g.getKey()).append("\n\n| behaviour |");
            for (String i : impls) {
                tables.append(' ').append(i).append(" |");
            }
            tables.append("\n|---|");
            tables.append("---|".repeat(impls.size())).append('\n');
            for (Map.Entry<String, Map<String, Cell>> b : g.getValue().entrySet()) {
                behaviours++;
                tables.append("| ").append(b.getKey().replace("|", "\\|")).append(" |");
                for (String i : impls) {
                    Cell c = b.getValue().get(i);
                    if (c == null) {
                        tables.append(" — |");
                        continue;
                    }
                    totals.get(i)[c.outcome().ordinal()]++;
                    tables.append(' ').append(c.outcome().cell);
                    if (c.note() != null && c.outcome() != Outcome.PASS) {
                        notes.add(c.note());
                        tables.append(" [").append(notes.size()).append("]");
                    }
                    tables.append(" |");
                }
                tables.append('\n');
            }
        }
        sb.append("# Socket compatibility matrix\n\n");
        sb.append(behaviours)
                .append(" behaviours, each run against every implementation, on JDK ")
                .append(Runtime.version().feature())
                .append(" with each behaviour on a ")
                .append(TckExtension.virtualThreads() ? "virtual" : "platform")
                .append(" thread. `platform` is the JDK's own stack (the reference).\n\n");
        sb.append("| implementation | pass | fail | skip |\n|---|---|---|---|\n");
        for (Map.Entry<String, int[]> t : totals.entrySet()) {
            int[] n = t.getValue();
            sb.append("| ")
                    .append(t.getKey())
                    .append(" | ")
                    .append(n[0])
                    .append(" | ")
                    .append(n[1])
                    .append(" | ")
                    .append(n[2])
                    .append(" |\n");
        }
        sb.append(tables);
        if (!notes.isEmpty()) {
            sb.append("\nNotes:\n\n");
            for (int i = 0; i < notes.size(); i++) {
                sb.append(i + 1)
                        .append(". ")
                        .append(notes.get(i).replace("|", "\\|"))
                        .append('\n');
            }
        }
        try {
            Files.createDirectories(out.toAbsolutePath().getParent());
            Files.writeString(out, sb.toString(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.out.println("TCK: " + behaviours + " behaviours; matrix written to " + out.toAbsolutePath());
    }
}
