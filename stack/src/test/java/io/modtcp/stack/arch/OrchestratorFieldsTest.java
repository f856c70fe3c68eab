package io.modtcp.stack.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.EvaluationResult;
import io.modtcp.stack.arch.fixtures.tcp.LeakyOrchestrator;
import io.modtcp.stack.arch.fixtures.tcp.Orchestrator;
import io.modtcp.stack.arch.fixtures.tcp.delivery.ReliableOrderedDelivery;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The orchestrator keeps no component state: its per-connection and per-listener fields are exactly the bookkeeping
 * listed (and, for TcpConnection, documented in {@code io/modtcp/stack/tcp/package-info.java}), and no public accessor
 * hands out a mutable component.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OrchestratorFieldsTest {
    /** TcpConnection's fields; each is documented as orchestration bookkeeping in the package-info. */
    static final Set<String> CONNECTION_FIELDS = Set.of(
            "cm",
            "rod",
            "flow",
            "cc",
            "route",
            "handler",
            "payloadSink",
            "listener",
            "inAcceptQueue",
            "removed",
            "outputPending",
            "timerHandle",
            "timerDeadlineNs",
            "receiveBufferBytes",
            "sendBufferBytes",
            "autotuneReceiveBuffer",
            "receiveQueued",
            "observedState",
            "observedRecovery",
            "recoveryStartNs",
            "bytesSent",
            "bytesReceived",
            "retransmits");

    /** TcpListener's fields: what LISTEN is (address, port, backlog, handler), its queue counts, its last SYN cookie. */
    static final Set<String> LISTENER_FIELDS = Set.of(
            "localAddr",
            "localPort",
            "backlog",
            "handler",
            "synQueued",
            "acceptQueued",
            "closed",
            "congestion",
            "lastCookieSentNs");

    private static final Path PACKAGE_INFO = Path.of("src/main/java/io/modtcp/stack/tcp/package-info.java");

    private JavaClasses production;

    @BeforeAll
    void importProduction() {
        production = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.modtcp.stack.tcp");
    }

    @Test
    void connectionFieldsAreTheListedBookkeeping() {
        ComponentRulesTest.PRODUCTION
                .orchestratorFieldsAreExactly("TcpConnection", CONNECTION_FIELDS)
                .check(production);
    }

    @Test
    void listenerFieldsAreTheListedBookkeeping() {
        ComponentRulesTest.PRODUCTION
                .orchestratorFieldsAreExactly("TcpListener", LISTENER_FIELDS)
                .check(production);
    }

    @Test
    void packageInfoDocumentsExactlyTheConnectionFields() throws IOException {
        String text = Files.readString(PACKAGE_INFO);
        int start = text.indexOf("<!-- connection-fields -->");
        int end = text.indexOf("<!-- /connection-fields -->");
        assertTrue(start >= 0 && end > start, "package-info has no connection-fields section");
        Set<String> documented = new TreeSet<>();
        Matcher m = Pattern.compile("\\{@code (\\w+)\\}").matcher(text.substring(start, end));
        while (m.find()) {
            documented.add(m.group(1));
        }
        assertEquals(new TreeSet<>(CONNECTION_FIELDS), documented);
    }

    @Test
    void fieldRuleFailsOnAnUnlistedOrMissingField() {
        Set<String> withoutOne = new HashSet<>(CONNECTION_FIELDS);
        withoutOne.remove("outputPending");
        EvaluationResult unlisted = ComponentRulesTest.PRODUCTION
                .orchestratorFieldsAreExactly("TcpConnection", withoutOne)
                .evaluate(production);
        assertEquals(
                List.of("io.modtcp.stack.tcp.TcpConnection.outputPending is not listed as orchestration bookkeeping"),
                unlisted.getFailureReport().getDetails().stream()
                        .map(d -> d.substring(d.indexOf("io.modtcp")))
                        .toList());
        Set<String> withExtra = new HashSet<>(CONNECTION_FIELDS);
        withExtra.add("tsOffset");
        assertTrue(ComponentRulesTest.PRODUCTION
                .orchestratorFieldsAreExactly("TcpConnection", withExtra)
                .evaluate(production)
                .hasViolation());
    }

    @Test
    void noPublicAccessorReturnsMutableComponent() {
        ComponentRulesTest.PRODUCTION
                .orchestratorAccessorsReturnNoMutableComponent()
                .check(production);
    }

    @Test
    void accessorRuleFailsOnLeakyOrchestrator() {
        JavaClasses leaky = new ClassFileImporter()
                .importClasses(LeakyOrchestrator.class, Orchestrator.class, ReliableOrderedDelivery.class);
        EvaluationResult result = ComponentRulesTest.FIXTURES
                .orchestratorAccessorsReturnNoMutableComponent()
                .evaluate(leaky);
        assertTrue(result.hasViolation());
        assertEquals(1, result.getFailureReport().getDetails().size(), result.getFailureReport()::toString);
        assertTrue(result.getFailureReport().getDetails().get(0).contains("LeakyOrchestrator.delivery()"));
        JavaClasses sound = new ClassFileImporter().importClasses(Orchestrator.class, ReliableOrderedDelivery.class);
        assertFalse(ComponentRulesTest.FIXTURES
                .orchestratorAccessorsReturnNoMutableComponent()
                .evaluate(sound)
                .hasViolation());
    }
}
