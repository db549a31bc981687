package io.alertrelay.app;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.GeneralCodingRules;

/**
 * The design card's boundaries, checked over every module's production classes (app's test class path sees them all;
 * sinks are there at runtime scope). Maven's module graph is the first fence; these rules are the rest.
 */
@AnalyzeClasses(packages = "io.alertrelay", importOptions = ArchitectureTest.ProductionClassesOnly.class)
final class ArchitectureTest {
    /** Production classes only: no test-classes directories and no {@code -tests.jar} (core's test kit). */
    static final class ProductionClassesOnly implements ImportOption {
        @Override
        public boolean includes(Location location) {
            return !location.contains("/test-classes/") && !location.contains("-tests.jar");
        }
    }

    @ArchTest
    static final ArchRule spiDependsOnlyOnTheJdk = classes().that().resideInAPackage("io.alertrelay.spi..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("io.alertrelay.spi..", "java..")
            .because("the SPI is the stable contract every module and third-party sink compiles against");

    @ArchTest
    static final ArchRule sinksDoNotDependOnEachOther = slices().matching("io.alertrelay.sink.(*)..")
            .should().notDependOnEachOther();

    @ArchTest
    static final ArchRule noCyclesBetweenModules = slices().matching("io.alertrelay.(*)..").should().beFreeOfCycles();

    @ArchTest
    static final ArchRule guiceOnlyInApp = noClasses().that().resideOutsideOfPackage("io.alertrelay.app..")
            .should().dependOnClassesThat().resideInAnyPackage("com.google.inject..", "jakarta.inject..", "javax.inject..");

    @ArchTest
    static final ArchRule appNamesNoSinkClass = noClasses().that().resideInAPackage("io.alertrelay.app..")
            .should().dependOnClassesThat().resideInAPackage("io.alertrelay.sink..")
            .because("sinks are discovered through ServiceLoader");

    @ArchTest
    static final ArchRule lettuceOnlyInRedisSource = noClasses().that().resideOutsideOfPackage("io.alertrelay.source.redis..")
            .should().dependOnClassesThat().resideInAPackage("io.lettuce..");

    // Rules about sinks speak of io.alertrelay.sink.. and never name one: adding a sink module must not mean editing
    // this class. Which client library a sink uses is its own business; sinksDoNotDependOnEachOther keeps them apart.
    @ArchTest
    static final ArchRule httpClientsOnlyInSinks = noClasses().that().resideOutsideOfPackage("io.alertrelay.sink..")
            .should().dependOnClassesThat().resideInAnyPackage("okhttp3..", "okio..")
            .because("outbound HTTP to receivers is a sink's job");

    @ArchTest
    static final ArchRule mailOnlyInSinks = noClasses().that().resideOutsideOfPackage("io.alertrelay.sink..")
            .should().dependOnClassesThat().resideInAnyPackage("jakarta.mail..", "org.eclipse.angus..")
            .because("sending mail is a sink's job");

    @ArchTest
    static final ArchRule coreUsesNoFramework = noClasses()
            .that().resideInAnyPackage("io.alertrelay.spi..", "io.alertrelay.config..", "io.alertrelay.core..")
            .should().dependOnClassesThat().resideInAnyPackage("com.google.inject..", "io.lettuce..", "okhttp3..",
                    "io.netty..", "jakarta.mail..");

    @ArchTest
    static final ArchRule coreDoesNotKnowItsPlugins = noClasses()
            .that().resideInAnyPackage("io.alertrelay.spi..", "io.alertrelay.config..", "io.alertrelay.core..")
            .should().dependOnClassesThat().resideInAnyPackage("io.alertrelay.source..", "io.alertrelay.sink..",
                    "io.alertrelay.watchdog..", "io.alertrelay.app..");

    @ArchTest
    static final ArchRule sinksUseOnlyTheSpiAndConfigHelpers = noClasses().that().resideInAPackage("io.alertrelay.sink..")
            .should().dependOnClassesThat().resideInAnyPackage("io.alertrelay.core..", "io.alertrelay.source..",
                    "io.alertrelay.watchdog..", "io.alertrelay.app..");

    @ArchTest
    static final ArchRule watchdogUsesNoSourceOrSink = noClasses().that().resideInAPackage("io.alertrelay.watchdog..")
            .should().dependOnClassesThat().resideInAnyPackage("io.alertrelay.source..", "io.alertrelay.sink..",
                    "io.alertrelay.app..");

    @ArchTest
    static final ArchRule sinkFactoriesArePublicAndNamedSo = classes()
            .that().implement(io.alertrelay.spi.SinkFactory.class)
            .should().bePublic().andShould().haveSimpleNameEndingWith("SinkFactory")
            .andShould().resideInAPackage("io.alertrelay.sink..");

    @ArchTest
    static final ArchRule noJavaUtilLogging = GeneralCodingRules.NO_CLASSES_SHOULD_USE_JAVA_UTIL_LOGGING;

    @ArchTest
    static final ArchRule noFieldInjection = GeneralCodingRules.NO_CLASSES_SHOULD_USE_FIELD_INJECTION;

    @ArchTest
    static final ArchRule standardStreamsOnlyWhereTheyAreTheJob = noClasses()
            .that().doNotHaveFullyQualifiedName("io.alertrelay.app.Main")
            .and().doNotHaveFullyQualifiedName("io.alertrelay.app.StatusCommand")
            .and().resideOutsideOfPackage("io.alertrelay.sink.console..")
            .should(GeneralCodingRules.ACCESS_STANDARD_STREAMS)
            .because("logs go through SLF4J; only the console sink and the launcher's usage text write to stdout/stderr");
}
