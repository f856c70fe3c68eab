package io.modtcp.stack.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.modtcp.stack.link.FaultModel;
import io.modtcp.stack.socket.TcpSocket;
import io.modtcp.stack.stats.Counter;
import io.modtcp.stack.tcp.TcpConnection;
import io.modtcp.stack.tcp.common.TcpConfig;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SACK against NewReno on the same lossy path (RFC 2018, RFC 6675): the same seeds, the same bytes, loss on the data
 * direction only. SACK must finish sooner in total and, in runs without a timeout, retransmit nothing that was not
 * lost (no more retransmissions than lost packets, and no duplicate reported back by D-SACK).
 */
class SackSimulationTest {
    /** Seeds 1..n per loss rate ({@code modtcp.sack.seeds}, default 12; lower it while iterating). */
    private static final int SEEDS = Integer.getInteger("modtcp.sack.seeds", 12);

    private static final int BYTES = 1_000_000;

    /** What one transfer cost. */
    record Outcome(
            long transferNs,
            long retransmits,
            long sackRetransmits,
            long lost,
            long rtos,
            long sackRecoveries,
            int dsacks,
            long lossProbes) {}

    static Outcome transfer(long seed, double loss, boolean sack) throws Exception {
        return transfer(seed, loss, 0, sack);
    }

    static Outcome transfer(long seed, double loss, double reorder, boolean sack) throws Exception {
        FaultModel data = FaultModel.NONE
                .withLossRate(loss)
                .withDelayNs(10_000_000)
                .withRateBitsPerSecond(50_000_000)
                .withReorderRate(reorder)
                .withReorderDelayNs(reorder > 0 ? 3_000_000 : 0);
        FaultModel acks = FaultModel.NONE.withDelayNs(10_000_000);
        TcpConfig config = TcpConfig.builder().sack(sack).build();
        byte[] payload = new byte[BYTES];
        new SplittableRandom(seed).nextBytes(payload);
        try (TwoStacks net = new TwoStacks(seed, data, acks, config, 1500)) {
            TcpSocket server = net.b.openSocket();
            server.bind(TwoStacks.ADDR_B, 80);
            server.listen(4);
            TcpSocket client = net.a.openSocket();
            client.connect(TwoStacks.ADDR_B, 80, 0);
            TcpSocket[] accepted = new TcpSocket[1];
            assertTrue(net.runUntil(
                    () -> {
                        try {
                            accepted[0] = server.accept(0);
                        } catch (Exception e) {
                            throw new AssertionError(e);
                        }
                        return accepted[0] != null;
                    },
                    60_000_000_000L));
            TcpConnection sender = net.a.tcp().connections().get(0);
            assertEquals(sack, sender.connection().sackOk());
            long start = net.clock.nanoTime();
            ByteBuffer src = ByteBuffer.wrap(payload);
            ByteBuffer dst = ByteBuffer.allocate(BYTES);
            assertTrue(
                    net.runUntil(
                            () -> {
                                try {
                                    client.write(src, 0);
                                    accepted[0].read(dst, 0);
                                } catch (Exception e) {
                                    throw new AssertionError(e);
                                }
                                return !dst.hasRemaining();
                            },
                            600_000_000_000L),
                    "transfer did not finish");
            long elapsed = net.clock.nanoTime() - start;
            assertArrayEquals(payload, dst.array());
            return new Outcome(
                    elapsed,
                    net.a.counters().get(Counter.TCP_RETRANS_SEGS),
                    net.a.counters().get(Counter.TCP_SACK_RETRANSMITS),
                    net.pair.statsAToB().lost(),
                    net.a.counters().get(Counter.TCP_RTO_EXPIRIES),
                    net.a.counters().get(Counter.TCP_SACK_RECOVERIES),
                    sender.delivery().dsacksReceivedCount(),
                    net.a.counters().get(Counter.TCP_LOSS_PROBES));
        }
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.01, 0.05, 0.10})
    void shouldFinishSoonerWithSackAndRetransmitOnlyWhatWasLost(double loss) throws Exception {
        compare(loss, 0);
    }

    /** Reordering on top of loss: 2 % of data packets arrive 3 ms late (a quarter of the minimum RTT). */
    @ParameterizedTest(name = "loss {0} with reordering")
    @ValueSource(doubles = {0.01})
    void shouldFinishSoonerWithSackUnderReordering(double loss) throws Exception {
        compare(loss, 0.02);
    }

    private static void compare(double loss, double reorder) throws Exception {
        long sackNs = 0;
        long renoNs = 0;
        long sackRetransmits = 0;
        long sackLost = 0;
        long sackRtos = 0;
        long renoRtos = 0;
        long probes = 0;
        int cleanRuns = 0;
        for (long seed = 1; seed <= SEEDS; seed++) {
            Outcome withSack = transfer(seed, loss, reorder, true);
            Outcome without = transfer(seed, loss, reorder, false);
            sackNs += withSack.transferNs();
            renoNs += without.transferNs();
            sackRetransmits += withSack.sackRetransmits();
            sackLost += withSack.lost();
            sackRtos += withSack.rtos();
            renoRtos += without.rtos();
            probes += withSack.lossProbes();
            assertTrue(withSack.sackRecoveries() > 0 || withSack.lost() == 0, "seed " + seed + ": " + withSack);
            if (withSack.rtos() == 0) {
                cleanRuns++;
            }
            if (reorder > 0) {
                continue; // reordering makes some retransmissions needless by nature
            }
            // What SACK recovery chose to resend was lost, in every run (RFC 6675 NextSeg picks only holes).
            assertTrue(
                    withSack.sackRetransmits() <= withSack.lost(),
                    "seed " + seed + " SACK recovery resent more than was lost: " + withSack);
            if (withSack.rtos() == 0) {
                // Without a timeout, every retransmission but a tail-loss probe (which may be needless by design,
                // RFC 8985 §7) repaired a loss.
                assertTrue(
                        withSack.retransmits() - withSack.lossProbes() <= withSack.lost(),
                        "seed " + seed + " retransmitted more than was lost: " + withSack);
                assertTrue(
                        withSack.dsacks() <= withSack.lossProbes(),
                        "seed " + seed + " needless retransmissions reported: " + withSack);
            }
        }
        double mb = SEEDS * (double) BYTES / 1e6;
        System.out.printf(
                "SACK vs NewReno, %d seeds x %d bytes at %.0f%% loss, %.0f%% reordering: %.2f vs %.2f virtual s in"
                        + " total (%.0f%%); RTOs per MB %.3f vs %.3f; SACK recovery retransmitted %d for %d lost"
                        + " packets; %d tail-loss probes; %d of %d runs without RTO%n",
                SEEDS,
                BYTES,
                loss * 100,
                reorder * 100,
                sackNs / 1e9,
                renoNs / 1e9,
                100.0 * sackNs / renoNs,
                sackRtos / mb,
                renoRtos / mb,
                sackRetransmits,
                sackLost,
                probes,
                cleanRuns,
                SEEDS);
        assertTrue(sackNs < renoNs, "SACK " + sackNs / 1e9 + " s vs NewReno " + renoNs / 1e9 + " s");
    }
}
