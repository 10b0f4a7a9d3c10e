package dev.sockit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.invoke.MethodHandles;
import java.lang.module.ModuleDescriptor;
import org.junit.jupiter.api.Test;

/**
 * core's tests run against the module {@code dev.sockit} on the module path (surefire patches the
 * tests into it), so the boundary users get is the one tested: the API packages exported, the
 * machinery ({@code transport}, {@code jfr}) closed to every other module.
 */
class ModuleBoundaryTest {

    private static final Module CORE = Server.class.getModule();

    @Test
    void theTestsRunAgainstTheNamedModuleNotTheClassPath() {
        assertThat(CORE.isNamed()).as("core on the module path").isTrue();
        assertThat(CORE.getName()).isEqualTo("dev.sockit");
        assertThat(ModuleBoundaryTest.class.getModule()).as("the tests patched into it").isSameAs(CORE);
    }

    @Test
    void exportsItsApiAndNotItsMachinery() {
        assertThat(CORE.getDescriptor().exports())
                .as("exported to everyone, never to a chosen few").noneMatch(ModuleDescriptor.Exports::isQualified)
                .extracting(ModuleDescriptor.Exports::source)
                .contains("dev.sockit", "dev.sockit.framing", "dev.sockit.metrics")
                .doesNotContain("dev.sockit.transport", "dev.sockit.jfr");
        assertThat(CORE.getPackages()).contains("dev.sockit.transport", "dev.sockit.jfr");
    }

    @Test
    void anotherModuleCannotReachAPublicClassOfAnInternalPackage() throws Exception {
        // The public lookup has the access any other module has, whatever surefire opened to
        // the test harness's unnamed module. On the class path both classes would be reachable.
        MethodHandles.Lookup outside = MethodHandles.publicLookup();
        Class<?> internal = Class.forName("dev.sockit.transport.Clock");

        assertThat(outside.accessClass(Endpoint.class)).isSameAs(Endpoint.class);
        assertThatThrownBy(() -> outside.accessClass(internal))
                .isInstanceOf(IllegalAccessException.class)
                .hasMessageContaining("dev.sockit.transport");
        assertThat(CORE.isExported("dev.sockit.transport", Object.class.getModule())).isFalse();
    }
}
