package io.modtcp.stack.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import io.modtcp.stack.arch.fixtures.tcp.Orchestrator;
import io.modtcp.stack.arch.fixtures.tcp.OrchestratorUsesTimer;
import io.modtcp.stack.arch.fixtures.tcp.congestion.CycleA;
import io.modtcp.stack.arch.fixtures.tcp.congestion.ReadsDeliveryView;
import io.modtcp.stack.arch.fixtures.tcp.congestion.UsesMutableDelivery;
import io.modtcp.stack.arch.fixtures.tcp.congestion.UsesOrchestrator;
import io.modtcp.stack.arch.fixtures.tcp.delivery.DeliveryView;
import io.modtcp.stack.arch.fixtures.tcp.delivery.PublicDeliveryView;
import io.modtcp.stack.arch.fixtures.tcp.delivery.ReliableOrderedDelivery;
import io.modtcp.stack.arch.fixtures.tcp.demux.CycleB;
import io.modtcp.stack.arch.fixtures.tcp.flow.LeakyFlow;
import io.modtcp.stack.arch.fixtures.tcp.flow.MutableStatic;
import io.modtcp.stack.arch.fixtures.tcp.flow.WritableFlowView;
import io.modtcp.stack.arch.fixtures.tcp.flow.WritesLeakyFlow;
import io.modtcp.stack.arch.fixtures.timer.ImpureTimer;
import io.modtcp.stack.arch.fixtures.timer.PureTimer;
import io.modtcp.stack.arch.fixtures.timer.TimerBackEdge;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The component rule (DESIGN.md §4, STYLE.md §3) checked on the production classes, and each rule shown to fail on a
 * deliberately violating fixture (and to pass on a well-formed one) in {@code io.modtcp.stack.arch.fixtures}.
 */
class ComponentRulesTest {
    /**
     * View methods allowed to take parameters. {@code DemuxView.isBound(int)} is a keyed read (is this local port
     * bound?): its one parameter is a primitive key and it returns a boolean, so it can neither write state nor hand
     * out anything mutable. It is the only exception; a new one has to be listed and justified here.
     */
    static final Set<String> VIEW_METHOD_EXCEPTIONS = Set.of("io.modtcp.stack.tcp.demux.DemuxView.isBound(int)");

    static final ComponentRules PRODUCTION = new ComponentRules("io.modtcp.stack", VIEW_METHOD_EXCEPTIONS);
    static final ComponentRules FIXTURES = new ComponentRules("io.modtcp.stack.arch.fixtures", Set.of());

    static Stream<Arguments> rules() {
        List<Function<ComponentRules, ArchRule>> rules = List.of(
                ComponentRules::componentsDependOnlyOnAllowedPackagesAndForeignViews,
                ComponentRules::componentsDoNotDependOnMutableComponentsOrOuterLayers,
                ComponentRules::onlyTheOrchestratorHoldsMutableComponents,
                ComponentRules::componentInstanceFieldsArePrivate,
                ComponentRules::componentStaticFieldsAreFinal,
                ComponentRules::componentFieldsAreWrittenOnlyByTheirDeclaringClass,
                ComponentRules::componentsAndCommonAreFreeOfCycles,
                ComponentRules::topLevelPackagesAreFreeOfCycles,
                ComponentRules::coreIsPure,
                ComponentRules::viewMethodsAreGetters,
                ComponentRules::viewMethodsReturnNothingMutable,
                ComponentRules::viewImplementationsArePrivateNestedClasses);
        return rules.stream().map(r -> Arguments.of(r.apply(PRODUCTION).getDescription(), r));
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class Production {
        private JavaClasses production;

        @BeforeAll
        void importProduction() {
            production = new ClassFileImporter()
                    .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                    .importPackages("io.modtcp.stack");
        }

        @Test
        void importsProductionClassesOnly() {
            assertTrue(production.contain(io.modtcp.stack.tcp.delivery.ReliableOrderedDelivery.class));
            assertTrue(production.contain(io.modtcp.stack.tcp.TcpEngine.class));
            assertFalse(production.contain(ComponentRulesTest.class));
            assertFalse(production.contain(ReliableOrderedDelivery.class), "fixtures must not reach the real rules");
        }

        @Test
        void viewMethodExceptionIsStillNeeded() {
            ComponentRules strict = new ComponentRules(PRODUCTION.root(), Set.of());
            List<String> details = strict.viewMethodsAreGetters()
                    .evaluate(production)
                    .getFailureReport()
                    .getDetails();
            assertEquals(1, details.size(), details::toString);
            assertTrue(details.get(0).contains("DemuxView.isBound(int)"), details::toString);
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("io.modtcp.stack.arch.ComponentRulesTest#rules")
        void holds(String description, Function<ComponentRules, ArchRule> rule) {
            rule.apply(PRODUCTION).check(production);
        }
    }

    // -------------------------------------------------------------------------------------------------------------
    // Each rule can fail: a violating fixture makes it fail, a well-formed one passes.

    /** Evaluates {@code rule} on the fixtures and their nested classes (e.g. a private inner {@code View}). */
    private static EvaluationResult evaluate(ArchRule rule, Class<?>... fixtures) {
        List<Class<?>> classes = new ArrayList<>();
        Deque<Class<?>> todo = new ArrayDeque<>(List.of(fixtures));
        while (!todo.isEmpty()) {
            Class<?> c = todo.pop();
            classes.add(c);
            todo.addAll(List.of(c.getDeclaredClasses()));
        }
        return rule.evaluate(new ClassFileImporter().importClasses(classes));
    }

    private static void assertFails(ArchRule rule, Class<?>... fixtures) {
        EvaluationResult result = evaluate(rule, fixtures);
        assertTrue(result.hasViolation(), () -> "expected a violation of: " + rule.getDescription());
    }

    private static void assertHolds(ArchRule rule, Class<?>... fixtures) {
        EvaluationResult result = evaluate(rule, fixtures);
        assertFalse(
                result.hasViolation(),
                () -> "unexpected violation: " + result.getFailureReport().toString());
    }

    @Test
    void allowListFailsOnForeignMutableClassAndOrchestrator() {
        ArchRule rule = FIXTURES.componentsDependOnlyOnAllowedPackagesAndForeignViews();
        assertFails(rule, UsesMutableDelivery.class);
        assertFails(rule, UsesOrchestrator.class);
        assertHolds(rule, ReadsDeliveryView.class, ReliableOrderedDelivery.class, DeliveryView.class);
    }

    @Test
    void denyListFailsOnForeignMutableClassAndOrchestrator() {
        ArchRule rule = FIXTURES.componentsDoNotDependOnMutableComponentsOrOuterLayers();
        assertFails(rule, UsesMutableDelivery.class);
        assertFails(rule, UsesOrchestrator.class);
        assertHolds(rule, ReadsDeliveryView.class, ReliableOrderedDelivery.class, DeliveryView.class);
    }

    @Test
    void onlyOrchestratorHoldsMutableComponentsFails() {
        ArchRule rule = FIXTURES.onlyTheOrchestratorHoldsMutableComponents();
        assertFails(rule, UsesMutableDelivery.class);
        assertHolds(rule, Orchestrator.class, ReliableOrderedDelivery.class, ReadsDeliveryView.class);
    }

    @Test
    void privateFieldRuleFailsOnPackagePrivateField() {
        ArchRule rule = FIXTURES.componentInstanceFieldsArePrivate();
        assertFails(rule, LeakyFlow.class);
        // ReliableOrderedDelivery's inner View has a synthetic this$0, which is not a declared field.
        assertHolds(rule, ReliableOrderedDelivery.class, ReadsDeliveryView.class);
    }

    @Test
    void staticFieldRuleFailsOnMutableStatic() {
        ArchRule rule = FIXTURES.componentStaticFieldsAreFinal();
        assertFails(rule, MutableStatic.class);
    }

    @Test
    void fieldWriteRuleFailsOnWriteFromAnotherClass() {
        ArchRule rule = FIXTURES.componentFieldsAreWrittenOnlyByTheirDeclaringClass();
        assertFails(rule, WritesLeakyFlow.class, LeakyFlow.class);
        assertHolds(rule, ReliableOrderedDelivery.class, ReadsDeliveryView.class, LeakyFlow.class);
    }

    @Test
    void componentCycleRuleFailsOnCycle() {
        assertFails(FIXTURES.componentsAndCommonAreFreeOfCycles(), CycleA.class, CycleB.class);
        assertHolds(FIXTURES.componentsAndCommonAreFreeOfCycles(), ReadsDeliveryView.class, DeliveryView.class);
    }

    @Test
    void topLevelCycleRuleFailsOnCycle() {
        ArchRule rule = FIXTURES.topLevelPackagesAreFreeOfCycles();
        assertFails(rule, OrchestratorUsesTimer.class, TimerBackEdge.class, Orchestrator.class);
        // congestion <-> demux is a cycle, but inside the one top-level slice "tcp".
        assertHolds(rule, CycleA.class, CycleB.class, Orchestrator.class, PureTimer.class);
    }

    @Test
    void pureCoreRuleFailsOnEachImpureCall() {
        EvaluationResult result = evaluate(FIXTURES.coreIsPure(), ImpureTimer.class);
        List<String> details = result.getFailureReport().getDetails();
        for (String method : List.of(
                "nano()",
                "millis()",
                "sleep()",
                "random()",
                "splittable()",
                "secure()",
                "threadLocal()",
                "mathRandom()",
                "instant()",
                "clock()")) {
            assertTrue(
                    details.stream().anyMatch(d -> d.contains("ImpureTimer." + method)),
                    () -> "no violation reported for ImpureTimer." + method + " in " + details);
        }
        assertHolds(FIXTURES.coreIsPure(), PureTimer.class);
    }

    @Test
    void viewGetterRuleFailsOnSetter() {
        EvaluationResult result = evaluate(FIXTURES.viewMethodsAreGetters(), WritableFlowView.class);
        // sndWnd(int): one violation for the parameter, one for the void return.
        assertEquals(2, result.getFailureReport().getDetails().size(), result.getFailureReport()::toString);
        assertHolds(FIXTURES.viewMethodsAreGetters(), DeliveryView.class);
    }

    @Test
    void viewReturnRuleFailsOnArray() {
        EvaluationResult result = evaluate(FIXTURES.viewMethodsReturnNothingMutable(), WritableFlowView.class);
        assertEquals(1, result.getFailureReport().getDetails().size(), result.getFailureReport()::toString);
        assertHolds(FIXTURES.viewMethodsReturnNothingMutable(), DeliveryView.class);
    }

    @Test
    void viewImplementationRuleFailsOnPublicTopLevelView() {
        ArchRule rule = FIXTURES.viewImplementationsArePrivateNestedClasses();
        assertFails(rule, PublicDeliveryView.class, DeliveryView.class);
        assertHolds(rule, ReliableOrderedDelivery.class, DeliveryView.class);
    }
}
