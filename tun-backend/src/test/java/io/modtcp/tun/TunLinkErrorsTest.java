package io.modtcp.tun;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** TunLink's errors name the syscall, the errno and the fix. */
@Timeout(30)
class TunLinkErrorsTest {
    @Test
    void shouldRejectBadNamesBeforeAnySyscall() {
        assertThrows(IllegalArgumentException.class, () -> TunLink.open("a-name-that-is-too-long", 1500));
        assertThrows(IllegalArgumentException.class, () -> TunLink.open("mt0", 40));
    }

    /** The device exists only while this test holds it: down, no address, never up, so it carries no traffic. */
    @Test
    void shouldExplainBusyDevice() throws Exception {
        KernelNet.requireCapabilities();
        String name = "mtb" + ProcessHandle.current().pid() % 1_000_000;
        try (TunLink first = TunLink.open(name, 1500)) {
            IOException e = assertThrows(IOException.class, () -> TunLink.open(name, 1500));
            String m = e.getMessage();
            assertTrue(m.contains("TUNSETIFF") && m.contains("EBUSY") && m.contains("already attached"), m);
            assertTrue(first.fd() >= 0);
        }
    }

    @Test
    void shouldExplainEachErrno() {
        assertTrue(TunLink.setIffFix(1, "mt0").contains("ip tuntap add dev mt0 mode tun user"));
        assertTrue(TunLink.setIffFix(22, "mt0").contains("another mode"));
        assertTrue(TunLink.openFix(2).contains("modprobe tun"));
        assertTrue(TunLink.openFix(13).contains("chmod 0666"));
        IOException e = Native.error("open(\"/dev/net/tun\")", 2, "fix it");
        assertTrue(
                e.getMessage().startsWith("open(\"/dev/net/tun\") failed: ENOENT (No such file or directory): fix"),
                e.getMessage());
    }
}
