package io.modtcp.provider.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class NativeTransportGuardTest {
    private static final String PLAIN = "io.netty.transport.noNative";
    private static final String SHADED = "io.grpc.netty.shaded.io.netty.transport.noNative";

    @Test
    void shouldSetEveryGuardThatIsUnset() {
        Properties props = new Properties();
        assertEquals(List.of(PLAIN, SHADED), NativeTransportGuard.apply(props));
        assertEquals("true", props.getProperty(PLAIN));
        assertEquals("true", props.getProperty(SHADED));
        assertEquals(
                "modtcp agent: native-transport guards set: " + PLAIN + "=true, " + SHADED
                        + "=true (nativeTransports=allow turns the guards off)",
                NativeTransportGuard.describe(false, List.of(PLAIN, SHADED), props));
    }

    @Test
    void shouldKeepAValueTheUserSet() {
        Properties props = new Properties();
        props.setProperty(PLAIN, "false");
        assertEquals(List.of(SHADED), NativeTransportGuard.apply(props));
        assertEquals("false", props.getProperty(PLAIN));
        String line = NativeTransportGuard.describe(false, List.of(SHADED), props);
        assertTrue(
                line.contains("guards set: " + SHADED + "=true; left as the user set them: " + PLAIN + "=false"), line);
    }

    @Test
    void shouldSayNoneWhenTheUserSetEveryGuard() {
        Properties props = new Properties();
        props.setProperty(PLAIN, "true");
        props.setProperty(SHADED, "false");
        assertEquals(List.of(), NativeTransportGuard.apply(props));
        String line = NativeTransportGuard.describe(false, List.of(), props);
        assertTrue(
                line.contains("guards set: none; left as the user set them: " + PLAIN + "=true, " + SHADED + "=false"),
                line);
    }

    @Test
    void shouldSayTheOptOutLeavesNativeTransportsOn() {
        Properties props = new Properties();
        String line = NativeTransportGuard.describe(true, List.of(), props);
        assertTrue(line.startsWith("modtcp agent: nativeTransports=allow: no native-transport guard set"), line);
        assertNull(props.getProperty(PLAIN));
    }
}
