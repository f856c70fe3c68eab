package io.modtcp.stack.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.fields;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.AccessTarget;
import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaAccess;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaFieldAccess;
import com.tngtech.archunit.core.domain.JavaMethod;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

/**
 * The component rule of DESIGN.md §4 / STYLE.md §3 as ArchUnit rules, built for a root package so that the same
 * rules run against production ({@code io.modtcp.stack}) and against the deliberately broken miniature in {@code
 * io.modtcp.stack.arch.fixtures} (which proves that each rule can fail).
 *
 * @param root the package playing {@code io.modtcp.stack}
 * @param viewMethodExceptions full names ({@link JavaMethod#getFullName()}) of view methods allowed to take
 *     parameters; each one is documented where it is listed
 */
record ComponentRules(String root, Set<String> viewMethodExceptions) {
    /** The five components, relative to {@code root + ".tcp."}. */
    static final List<String> COMPONENTS = List.of("connection", "delivery", "flow", "congestion", "demux");

    /** The mutable class of each component, relative to {@code root + ".tcp."}; only the orchestrator holds them. */
    static final List<String> MUTABLE_CLASSES = List.of(
            "connection.ConnectionManagement",
            "delivery.ReliableOrderedDelivery",
            "flow.FlowControl",
            "congestion.CongestionControl",
            "demux.Demux");

    String orchestrator() {
        return root + ".tcp";
    }

    String common() {
        return root + ".tcp.common";
    }

    String[] componentPackages() {
        return COMPONENTS.stream().map(c -> orchestrator() + "." + c).toArray(String[]::new);
    }

    Set<String> mutableClassNames() {
        return MUTABLE_CLASSES.stream().map(c -> orchestrator() + "." + c).collect(Collectors.toSet());
    }

    /** Packages that must not read real time, sleep or make their own randomness. */
    String[] corePackages() {
        return new String[] {root + ".tcp..", root + ".ip..", root + ".wire..", root + ".timer.."};
    }

    private boolean isComponentPackage(String pkg) {
        return Set.of(componentPackages()).contains(pkg);
    }

    private boolean isView(JavaClass c) {
        return c.isInterface() && c.getSimpleName().endsWith("View") && isComponentPackage(c.getPackageName());
    }

    private static boolean inPackageTree(String pkg, String tree) {
        return pkg.equals(tree) || pkg.startsWith(tree + ".");
    }

    // ---------------------------------------------------------------------------------------------------------------
    // 1. Dependencies of a component

    /**
     * A component depends only on its own package, {@code tcp.common}, {@code wire}, {@code stats}, the JDK, Netty's
     * buffer API and other components' {@code *View} interfaces.
     */
    ArchRule componentsDependOnlyOnAllowedPackagesAndForeignViews() {
        return classes()
                .that()
                .resideInAnyPackage(componentPackages())
                .should(
                        new ArchCondition<JavaClass>(
                                "depend only on their own package, tcp.common, wire, stats, java.., io.netty.buffer.. "
                                        + "and other components' *View interfaces") {
                            @Override
                            public void check(JavaClass origin, ConditionEvents events) {
                                for (Dependency d : origin.getDirectDependenciesFromSelf()) {
                                    if (!allowedFor(origin, d.getTargetClass().getBaseComponentType())) {
                                        events.add(SimpleConditionEvent.violated(d, d.getDescription()));
                                    }
                                }
                            }
                        })
                .because("DESIGN.md §4: a component receives other components only as views");
    }

    private boolean allowedFor(JavaClass origin, JavaClass target) {
        String pkg = target.getPackageName();
        return target.isPrimitive()
                || pkg.equals(origin.getPackageName())
                || inPackageTree(pkg, common())
                || inPackageTree(pkg, root + ".wire")
                || inPackageTree(pkg, root + ".stats")
                || inPackageTree(pkg, "java")
                || inPackageTree(pkg, "io.netty.buffer")
                || isView(target);
    }

    /** The explicit deny list, so a violation names what it hit: mutable components, orchestrator, outer layers. */
    ArchRule componentsDoNotDependOnMutableComponentsOrOuterLayers() {
        Set<String> mutable = mutableClassNames();
        Set<String> outer = Set.of(root, orchestrator());
        List<String> outerTrees = List.of(root + ".socket", root + ".runtime", root + ".ip", root + ".link");
        return noClasses()
                .that()
                .resideInAnyPackage(componentPackages())
                .should(
                        new ArchCondition<JavaClass>(
                                "depend on another component's mutable class, the orchestrator package "
                                        + orchestrator() + ", the root package, or socket/runtime/ip/link") {
                            @Override
                            public void check(JavaClass origin, ConditionEvents events) {
                                for (Dependency d : origin.getDirectDependenciesFromSelf()) {
                                    JavaClass t = d.getTargetClass().getBaseComponentType();
                                    String pkg = t.getPackageName();
                                    boolean foreignMutable =
                                            mutable.contains(t.getName()) && !pkg.equals(origin.getPackageName());
                                    if (foreignMutable
                                            || outer.contains(pkg)
                                            || outerTrees.stream().anyMatch(tree -> inPackageTree(pkg, tree))) {
                                        events.add(SimpleConditionEvent.satisfied(d, d.getDescription()));
                                    }
                                }
                            }
                        })
                .because("DESIGN.md §4: only the orchestrator holds the mutable components");
    }

    /** Outside the orchestrator and the component itself, nobody even names a component's mutable class. */
    ArchRule onlyTheOrchestratorHoldsMutableComponents() {
        Set<String> mutable = mutableClassNames();
        return noClasses()
                .should(
                        new ArchCondition<JavaClass>("depend on a component's mutable class unless in " + orchestrator()
                                + " or that component") {
                            @Override
                            public void check(JavaClass origin, ConditionEvents events) {
                                String from = origin.getPackageName();
                                if (from.equals(orchestrator())) {
                                    return;
                                }
                                for (Dependency d : origin.getDirectDependenciesFromSelf()) {
                                    JavaClass t = d.getTargetClass().getBaseComponentType();
                                    if (mutable.contains(t.getName())
                                            && !t.getPackageName().equals(from)) {
                                        events.add(SimpleConditionEvent.satisfied(d, d.getDescription()));
                                    }
                                }
                            }
                        })
                .because("DESIGN.md §4: only the orchestrator (e.g. TcpConnection) holds the mutable objects");
    }

    // ---------------------------------------------------------------------------------------------------------------
    // 2. Fields

    ArchRule componentInstanceFieldsArePrivate() {
        return fields().that()
                .areDeclaredInClassesThat()
                .resideInAnyPackage(componentPackages())
                .and()
                .areNotStatic()
                .and()
                .doNotHaveModifier(JavaModifier.SYNTHETIC)
                .should()
                .bePrivate()
                .because("STYLE.md §3: the mutable class keeps its fields private");
    }

    ArchRule componentStaticFieldsAreFinal() {
        return fields().that()
                .areDeclaredInClassesThat()
                .resideInAnyPackage(componentPackages())
                .and()
                .areStatic()
                .should()
                .beFinal()
                .because("a component's state is per connection; a mutable static would be shared by all of them");
    }

    ArchRule componentFieldsAreWrittenOnlyByTheirDeclaringClass() {
        DescribedPredicate<JavaFieldAccess> foreignWrite = DescribedPredicate.describe(
                "target is a field of a class in a component package, declared by another class",
                access -> isComponentPackage(access.getTarget().getOwner().getPackageName())
                        && !access.getOriginOwner().equals(access.getTarget().getOwner()));
        return noClasses()
                .should()
                .setFieldWhere(foreignWrite)
                .because("DESIGN.md §4: a component's methods write only that component's state, and the "
                        + "orchestrator writes no component field itself");
    }

    // ---------------------------------------------------------------------------------------------------------------
    // 3. Cycles and purity

    ArchRule componentsAndCommonAreFreeOfCycles() {
        return slices().matching(orchestrator() + ".(*)..")
                .namingSlices("tcp.$1")
                .should()
                .beFreeOfCycles();
    }

    ArchRule topLevelPackagesAreFreeOfCycles() {
        return slices().matching(root + ".(*)..").namingSlices("$1").should().beFreeOfCycles();
    }

    /** Real time, sleeping and self-made randomness, by call, constructor call or method reference. */
    ArchRule coreIsPure() {
        DescribedPredicate<JavaAccess<?>> impure = DescribedPredicate.describe(
                "is System.nanoTime/currentTimeMillis, Thread.sleep, Math.random, ThreadLocalRandom.current, "
                        + "java.time *.now, or a constructor of Random (or a subclass) or SplittableRandom",
                access -> isImpure(access.getTarget()));
        return noClasses()
                .that()
                .resideInAnyPackage(corePackages())
                .should()
                .accessTargetWhere(impure)
                .because("the core is driven by the nowNs it is handed and the random source it is given, so "
                        + "simulations are deterministic (DESIGN.md §4: no threads, no clocks)");
    }

    private static boolean isImpure(AccessTarget target) {
        JavaClass owner = target.getOwner();
        String name = target.getName();
        String ownerName = owner.getName();
        return (ownerName.equals("java.lang.System") && (name.equals("nanoTime") || name.equals("currentTimeMillis")))
                || (ownerName.equals("java.lang.Thread") && name.equals("sleep"))
                || (ownerName.equals("java.lang.Math") && name.equals("random"))
                || (ownerName.equals("java.lang.StrictMath") && name.equals("random"))
                || (ownerName.equals("java.util.concurrent.ThreadLocalRandom") && name.equals("current"))
                || (owner.getPackageName().equals("java.time") && name.equals("now"))
                || (name.equals("<init>")
                        && (owner.isAssignableTo(java.util.Random.class)
                                || owner.isAssignableTo(SplittableRandom.class)));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // 4. Views

    /** Every method of a component's {@code *View} interface is a getter: no parameters, a value returned. */
    ArchRule viewMethodsAreGetters() {
        return methods()
                .that()
                .areDeclaredInClassesThat(DescribedPredicate.describe("are component *View interfaces", this::isView))
                .should(new ArchCondition<JavaMethod>("take no parameters and return a value") {
                    @Override
                    public void check(JavaMethod m, ConditionEvents events) {
                        if (!m.getParameterTypes().isEmpty() && !viewMethodExceptions.contains(m.getFullName())) {
                            events.add(SimpleConditionEvent.violated(
                                    m, m.getFullName() + " takes parameters " + m.getParameterTypes()));
                        }
                        if (m.getRawReturnType().getName().equals("void")) {
                            events.add(SimpleConditionEvent.violated(m, m.getFullName() + " returns void"));
                        }
                    }
                })
                .because("STYLE.md §3: views are read-only accessors named like record components");
    }

    /** A view never hands out something mutable: no arrays, no buffers, no mutable component. */
    ArchRule viewMethodsReturnNothingMutable() {
        Set<String> mutable = mutableClassNames();
        return methods()
                .that()
                .areDeclaredInClassesThat(DescribedPredicate.describe("are component *View interfaces", this::isView))
                .should(
                        new ArchCondition<JavaMethod>(
                                "not return an array, a Netty buffer, a collection or a mutable component") {
                            @Override
                            public void check(JavaMethod m, ConditionEvents events) {
                                JavaClass r = m.getRawReturnType();
                                if (r.isArray()
                                        || inPackageTree(r.getPackageName(), "io.netty")
                                        || r.isAssignableTo(java.util.Collection.class)
                                        || r.isAssignableTo(java.util.Map.class)
                                        || mutable.contains(r.getName())) {
                                    events.add(SimpleConditionEvent.violated(
                                            m, m.getFullName() + " returns " + r.getName()));
                                }
                            }
                        })
                .because("STYLE.md §3: view accessors never return anything mutable");
    }

    /** A view is a separate private object, so a caller can neither name its class nor cast it back. */
    ArchRule viewImplementationsArePrivateNestedClasses() {
        return classes()
                .that()
                .resideInAnyPackage(componentPackages())
                .and()
                .areNotInterfaces()
                .and()
                .implement(DescribedPredicate.describe("a component *View interface", this::isView))
                .should()
                .bePrivate()
                .andShould()
                .beNestedClasses()
                .because("STYLE.md §3: a view handed out is a separate object, so a cast back fails");
    }

    // ---------------------------------------------------------------------------------------------------------------
    // 5. The orchestrator

    /** No public method of an orchestrator class returns a component's mutable class: it hands out views only. */
    ArchRule orchestratorAccessorsReturnNoMutableComponent() {
        Set<String> mutable = mutableClassNames();
        return methods()
                .that()
                .areDeclaredInClassesThat()
                .resideInAPackage(orchestrator())
                .and()
                .arePublic()
                .should(new ArchCondition<JavaMethod>("not return a component's mutable class") {
                    @Override
                    public void check(JavaMethod m, ConditionEvents events) {
                        JavaClass r = m.getRawReturnType().getBaseComponentType();
                        if (mutable.contains(r.getName())) {
                            events.add(SimpleConditionEvent.violated(m, m.getFullName() + " returns " + r.getName()));
                        }
                    }
                })
                .because("DESIGN.md §4: outside the orchestrator only the read-only views are reachable");
    }

    /**
     * The instance fields of the orchestrator class {@code simpleName} are exactly {@code allowed}: state that is not
     * listed as orchestration bookkeeping belongs in a component.
     */
    ArchRule orchestratorFieldsAreExactly(String simpleName, Set<String> allowed) {
        String className = orchestrator() + "." + simpleName;
        return classes()
                .that()
                .haveFullyQualifiedName(className)
                .should(new ArchCondition<JavaClass>("declare exactly the instance fields " + allowed) {
                    @Override
                    public void check(JavaClass c, ConditionEvents events) {
                        Set<String> declared = c.getFields().stream()
                                .filter(f -> !f.getModifiers().contains(JavaModifier.STATIC))
                                .filter(f -> !f.getModifiers().contains(JavaModifier.SYNTHETIC))
                                .map(f -> f.getName())
                                .collect(Collectors.toSet());
                        for (String f : declared) {
                            if (!allowed.contains(f)) {
                                events.add(SimpleConditionEvent.violated(
                                        c, className + "." + f + " is not listed as orchestration bookkeeping"));
                            }
                        }
                        for (String f : allowed) {
                            if (!declared.contains(f)) {
                                events.add(SimpleConditionEvent.violated(
                                        c, className + "." + f + " is listed but not declared"));
                            }
                        }
                    }
                })
                .allowEmptyShould(false)
                .because("issue 10: every TCP field is owned by one component or is bookkeeping listed in the "
                        + "orchestrator's package-info");
    }
}
