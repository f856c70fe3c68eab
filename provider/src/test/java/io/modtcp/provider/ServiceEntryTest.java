package io.modtcp.provider;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.channels.spi.SelectorProvider;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class ServiceEntryTest {
    @Test
    void shouldBeFoundByTheJdkServiceLookup() {
        boolean found = ServiceLoader.load(SelectorProvider.class, ClassLoader.getSystemClassLoader()).stream()
                .anyMatch(p -> p.type() == ModTcpSelectorProvider.class);
        assertTrue(found);
    }

    @Test
    void shouldLeaveInheritedChannelToThePlatform() throws Exception {
        // Not launched by inetd: the platform answers null, and so does modtcp.
        assertTrue(new ModTcpSelectorProvider().inheritedChannel() == null);
    }
}
