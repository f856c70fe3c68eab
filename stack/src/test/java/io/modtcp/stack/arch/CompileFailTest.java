package io.modtcp.stack.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.modtcp.stack.tcp.common.TcpConfig;
import io.modtcp.stack.tcp.congestion.CongestionControl;
import io.modtcp.stack.tcp.congestion.NewReno;
import io.modtcp.stack.tcp.connection.ConnectionManagement;
import io.modtcp.stack.tcp.delivery.ReliableOrderedDelivery;
import io.modtcp.stack.tcp.demux.Demux;
import io.modtcp.stack.tcp.flow.FlowControl;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ReferenceCounted;
import java.io.File;
import java.io.IOException;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * "Writing another component's field is a compile error" (DESIGN.md §4), tested: every snippet in {@code
 * src/test/resources/compile-fail/} is compiled with {@code javax.tools.JavaCompiler} against the main classes only,
 * and must fail with the diagnostic code(s) named in its header, and with nothing else.
 *
 * <p>Header lines (before the {@code package} line):
 *
 * <ul>
 *   <li>{@code // expect: compiler.err.x} — every error must have this code; alternatives (a code that differs by
 *       JDK) are separated by {@code |}; {@code // expect: none} marks a positive control, which must compile with
 *       no error and no warning under {@code -Xlint:all};
 *   <li>{@code // mentions: text} (optional) — some error message must contain {@code text}.
 * </ul>
 *
 * Adding a snippet is adding a file.
 */
class CompileFailTest {
    private static final String EXPECT = "// expect:";
    private static final String MENTIONS = "// mentions:";

    @TempDir
    Path out;

    record Snippet(Path file, Set<String> expectedCodes, List<String> mentions) {
        boolean positiveControl() {
            return expectedCodes.isEmpty();
        }

        static Snippet parse(Path file) throws IOException {
            Set<String> codes = null;
            List<String> mentions = new ArrayList<>();
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String l = line.strip();
                if (l.startsWith("package ")) {
                    break;
                }
                if (l.startsWith(EXPECT)) {
                    String value = l.substring(EXPECT.length()).strip();
                    codes = value.equals("none")
                            ? Set.of()
                            : Stream.of(value.split("\\|")).map(String::strip).collect(Collectors.toSet());
                } else if (l.startsWith(MENTIONS)) {
                    mentions.add(l.substring(MENTIONS.length()).strip());
                }
            }
            assertNotNull(codes, () -> file + " has no '" + EXPECT + " <code>|none' header line");
            return new Snippet(file, codes, mentions);
        }
    }

    record Outcome(boolean success, List<Diagnostic<? extends JavaFileObject>> diagnostics) {
        List<Diagnostic<? extends JavaFileObject>> errors() {
            return diagnostics.stream()
                    .filter(d -> d.getKind() == Diagnostic.Kind.ERROR)
                    .toList();
        }

        String describe() {
            return diagnostics.stream()
                    .map(d -> d.getKind() + " " + d.getCode() + " line " + d.getLineNumber() + ": "
                            + d.getMessage(Locale.ROOT).replace('\n', ' '))
                    .collect(Collectors.joining("\n", "\n", ""));
        }
    }

    static Path snippetDir() throws URISyntaxException {
        var url = CompileFailTest.class.getResource("/compile-fail");
        assertNotNull(url, "src/test/resources/compile-fail is not on the test classpath");
        return Path.of(url.toURI());
    }

    static List<Snippet> snippets() throws IOException, URISyntaxException {
        try (Stream<Path> files = Files.list(snippetDir())) {
            List<Snippet> result = new ArrayList<>();
            for (Path f :
                    files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                result.add(Snippet.parse(f));
            }
            return result;
        }
    }

    /**
     * The main classes and the Netty jars they expose, found from where the classes were loaded (not from {@code
     * java.class.path}, which under Surefire may be a manifest-only jar). Test classes are deliberately left out.
     */
    static String mainClasspath() throws URISyntaxException {
        Set<String> entries = new TreeSet<>();
        for (Class<?> anchor : List.of(ReliableOrderedDelivery.class, ByteBuf.class, ReferenceCounted.class)) {
            entries.add(Path.of(anchor.getProtectionDomain()
                            .getCodeSource()
                            .getLocation()
                            .toURI())
                    .toString());
        }
        return String.join(File.pathSeparator, entries);
    }

    Outcome compile(Path source) throws IOException, URISyntaxException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "no system Java compiler (running on a JRE?)");
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        Path classes = Files.createTempDirectory(out, "classes");
        try (StandardJavaFileManager files =
                javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
            List<String> options = List.of(
                    "--release",
                    "17",
                    "-proc:none",
                    "-Xlint:all",
                    "-implicit:none",
                    "-classpath",
                    mainClasspath(),
                    "-d",
                    classes.toString());
            boolean ok = javac.getTask(null, files, diagnostics, options, null, files.getJavaFileObjects(source))
                    .call();
            return new Outcome(ok, diagnostics.getDiagnostics());
        }
    }

    @TestFactory
    Stream<DynamicTest> eachSnippetFailsWithItsExpectedDiagnostic() throws IOException, URISyntaxException {
        return snippets().stream()
                .map(s -> DynamicTest.dynamicTest(
                        s.file().getFileName() + " -> " + (s.positiveControl() ? "compiles" : s.expectedCodes()),
                        () -> check(s)));
    }

    private void check(Snippet s) throws IOException, URISyntaxException {
        Outcome outcome = compile(s.file());
        if (s.positiveControl()) {
            assertTrue(outcome.success(), () -> s.file() + " must compile:" + outcome.describe());
            assertTrue(outcome.diagnostics().isEmpty(), () -> s.file() + " must compile cleanly:" + outcome.describe());
            return;
        }
        assertFalse(outcome.success(), () -> s.file() + " compiled, but must fail with " + s.expectedCodes());
        List<Diagnostic<? extends JavaFileObject>> errors = outcome.errors();
        assertFalse(errors.isEmpty(), () -> s.file() + " failed without an error:" + outcome.describe());
        for (Diagnostic<? extends JavaFileObject> e : errors) {
            assertTrue(
                    s.expectedCodes().contains(e.getCode()),
                    () -> s.file() + ": expected only " + s.expectedCodes() + ", got:" + outcome.describe());
        }
        for (String text : s.mentions()) {
            assertTrue(
                    errors.stream().anyMatch(e -> e.getMessage(Locale.ROOT).contains(text)),
                    () -> s.file() + ": no error mentions '" + text + "':" + outcome.describe());
        }
    }

    @Test
    void snippetSetHasFailuresAndAPositiveControl() throws IOException, URISyntaxException {
        List<Snippet> all = snippets();
        assertTrue(all.stream().anyMatch(Snippet::positiveControl), "no positive control snippet");
        Set<String> codes =
                all.stream().flatMap(s -> s.expectedCodes().stream()).collect(Collectors.toCollection(TreeSet::new));
        for (String code : List.of(
                "compiler.err.report.access",
                "compiler.err.not.def.public.cant.access",
                "compiler.err.cant.resolve.location.args")) {
            assertTrue(codes.contains(code), () -> "no snippet expects " + code + "; have " + codes);
        }
    }

    /** The harness itself can tell a failing snippet from a passing one (guards against an always-failing setup). */
    @Test
    void harnessDetectsAnUnexpectedCode() throws IOException, URISyntaxException {
        Path src = Files.createDirectories(out.resolve("src")).resolve("Broken.java");
        Files.writeString(src, "class Broken { int x = \"not an int\"; }\n", StandardCharsets.UTF_8);
        Outcome outcome = compile(src);
        assertFalse(outcome.success());
        assertEquals(
                List.of("compiler.err.prob.found.req"),
                outcome.errors().stream().map(Diagnostic::getCode).toList(),
                outcome::describe);
    }

    /** A cast through {@code Object} compiles; it must fail at run time because the view is a separate object. */
    @Test
    void viewIsNotTheMutableComponent() {
        ConnectionManagement cm = new ConnectionManagement(TcpConfig.DEFAULT);
        ReliableOrderedDelivery rod = new ReliableOrderedDelivery(TcpConfig.DEFAULT, UnpooledByteBufAllocator.DEFAULT);
        FlowControl flow = new FlowControl(TcpConfig.DEFAULT);
        CongestionControl cc = new CongestionControl(NewReno.FACTORY.create(), 10);
        Demux<Object, Object> demux =
                new Demux<>(new long[] {1, 2, 3, 4, 5}, Demux.DEFAULT_EPHEMERAL_MIN, Demux.DEFAULT_EPHEMERAL_MAX);
        assertSeparateView(cm, cm.view());
        assertSeparateView(rod, rod.view());
        assertSeparateView(flow, flow.view());
        assertSeparateView(cc, cc.view());
        assertSeparateView(demux, demux.view());
    }

    private static void assertSeparateView(Object component, Object view) {
        Class<?> mutable = component.getClass();
        assertNotSame(component, view);
        assertFalse(mutable.isInstance(view), () -> mutable + ".view() is an instance of " + mutable);
        assertThrows(ClassCastException.class, () -> mutable.cast(view));
        assertTrue(
                Modifier.isPrivate(view.getClass().getModifiers()),
                () -> view.getClass() + " should be a private nested class");
    }
}
