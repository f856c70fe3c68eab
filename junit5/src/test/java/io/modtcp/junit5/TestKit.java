package io.modtcp.junit5;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

/** Runs fixture test classes through the Jupiter engine (they are nested, so surefire does not run them itself). */
final class TestKit {
    private TestKit() {}

    static EngineExecutionResults run(Class<?> fixture) {
        return EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(fixture))
                .execute();
    }

    /** Runs the one method of {@code fixture} named {@code name}, whatever its parameters. */
    static EngineExecutionResults run(Class<?> fixture, String name) {
        java.lang.reflect.Method method = java.util.Arrays.stream(fixture.getDeclaredMethods())
                .filter(m -> m.getName().equals(name))
                .findFirst()
                .orElseThrow();
        return EngineTestKit.engine("junit-jupiter")
                .selectors(selectMethod(fixture, method))
                .execute();
    }

    /** One line per failed test: its name and its exception. */
    static String failures(EngineExecutionResults r) {
        StringBuilder sb = new StringBuilder();
        for (Event e : r.testEvents().failed().list()) {
            sb.append(e.getTestDescriptor().getDisplayName())
                    .append(": ")
                    .append(e.getPayload(TestExecutionResult.class)
                            .flatMap(TestExecutionResult::getThrowable)
                            .map(Throwable::toString)
                            .orElse("?"))
                    .append('\n');
        }
        return sb.toString();
    }
}
