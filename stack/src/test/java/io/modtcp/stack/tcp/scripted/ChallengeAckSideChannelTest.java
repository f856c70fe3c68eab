package io.modtcp.stack.tcp.scripted;

import static io.modtcp.stack.tcp.scripted.Script.SEC;
import static io.modtcp.stack.wire.TcpHeader.ACK;
import static io.modtcp.stack.wire.TcpHeader.RST;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.modtcp.stack.socket.TcpSocket;
import io.modtcp.stack.stats.Counter;
import io.modtcp.stack.tcp.common.TcpConfig;
import io.modtcp.stack.wire.SegmentSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The challenge-ACK side channel (CVE-2016-5696, RFC 5961 §7). An off-path attacker sends a spoofed RST to a victim
 * connection with a guessed sequence number; if the guess is in the window (but not RCV.NXT) the stack spends a
 * challenge ACK on the victim. In the same second the attacker sends RSTs on connections of its own and counts the
 * challenge ACKs it gets back: with a fixed stack-wide budget (Linux before 4.7: 100 a second) it gets one fewer
 * after a right guess. Here each trial is one second; the tests show the count does not tell the guesses apart.
 */
class ChallengeAckSideChannelTest {
    /** A small stack-wide limit, so the attacker can exhaust each second's budget with few connections. */
    private static final int LIMIT = 20;

    private static final int VICTIM_PORT = 40_000;
    private static final int FIRST_ATTACKER_PORT = 41_000;

    private final Script s =
            new Script(TcpConfig.builder().challengeAckLimitPerSecond(LIMIT).build());

    @AfterEach
    void tearDown() {
        s.close();
    }

    /** Establishes the victim connection and {@code attackers} connections of the attacker's own. */
    private void establish(int attackers) throws Exception {
        TcpSocket listener = s.listen(attackers + 2);
        s.establishPassive(listener, VICTIM_PORT);
        for (int i = 0; i < attackers; i++) {
            s.establishPassive(listener, FIRST_ATTACKER_PORT + i);
        }
    }

    /**
     * One trial: the spoofed RST to the victim (in window if {@code rightGuess}, far outside it otherwise), then
     * {@code rstsPerConnection} in-window RSTs on each attacker connection; returns the challenge ACKs the attacker's
     * connections drew. Starts a second after the previous trial, so a fresh budget applies.
     */
    private int trial(boolean rightGuess, int attackers, int rstsPerConnection) {
        s.advance(SEC);
        s.usePeerPort(VICTIM_PORT);
        s.inject(s.in(RST).seq(rightGuess ? 1 + 1_000 : 1 + 1_000_000_000));
        for (int r = 0; r < rstsPerConnection; r++) {
            for (int i = 0; i < attackers; i++) {
                s.inject(s.in(RST).srcPort(FIRST_ATTACKER_PORT + i).seq(1 + 1_000 + r));
            }
        }
        int seen = 0;
        for (ScriptedLink.Sent sent = s.link.poll(); sent != null; sent = s.link.poll()) {
            SegmentSpec seg = sent.segment();
            if (seg != null && seg.flags() == ACK && seg.dstPort() >= FIRST_ATTACKER_PORT) {
                seen++;
            }
        }
        return seen;
    }

    /**
     * The CVE's setup: one attacker connection, 2·LIMIT RSTs on it per second. A fixed budget of LIMIT would show
     * LIMIT challenge ACKs after a wrong guess and LIMIT - 1 after a right one; the per-connection limit (one per
     * 500 ms) gives the attacker exactly one either way.
     */
    @Test
    void shouldGiveOneAttackerConnectionTheSameCountWhateverTheGuess() throws Exception {
        establish(1);
        List<Integer> right = new ArrayList<>();
        List<Integer> wrong = new ArrayList<>();
        for (int t = 0; t < 20; t++) {
            right.add(trial(true, 1, 2 * LIMIT));
            wrong.add(trial(false, 1, 2 * LIMIT));
        }
        assertEquals(List.of(1), right.stream().distinct().toList(), "after a right guess");
        assertEquals(List.of(1), wrong.stream().distinct().toList(), "after a wrong guess");
        assertEquals(20, s.counter(Counter.TCP_CHALLENGE_ACKS) - 40, "the victim drew one per right guess");
    }

    /**
     * The attacker spreads its probes over 2·LIMIT connections of its own (one RST each), enough to exhaust any
     * budget. Its count is then the second's budget, less one after a right guess; the budget is drawn from
     * [LIMIT/2, LIMIT·3/2), so the counts of right and wrong guesses overlap and the best threshold on the count
     * classifies the guesses barely better than a coin (1/(2·LIMIT) better in expectation).
     */
    @Test
    void shouldHideTheVictimsChallengeAckInTheRandomBudget() throws Exception {
        int attackers = 2 * LIMIT;
        establish(attackers);
        int trials = 200;
        SplittableRandom order = new SplittableRandom(5696);
        List<int[]> samples = new ArrayList<>(); // {count, 1 if right guess}
        for (int t = 0; t < trials; t++) {
            boolean right = order.nextBoolean();
            samples.add(new int[] {trial(right, attackers, 1), right ? 1 : 0});
        }
        TreeSet<Integer> distinct = new TreeSet<>();
        samples.forEach(x -> distinct.add(x[0]));
        assertTrue(distinct.first() >= LIMIT / 2 - 1 && distinct.last() <= LIMIT * 3 / 2, "counts " + distinct);
        // The attacker's best rule "count < threshold means a right guess", with the threshold chosen afterwards.
        double best = 0;
        for (int threshold = distinct.first(); threshold <= distinct.last() + 1; threshold++) {
            int correct = 0;
            for (int[] x : samples) {
                boolean saysRight = x[0] < threshold;
                if (saysRight == (x[1] == 1)) {
                    correct++;
                }
            }
            best = Math.max(best, Math.max(correct, trials - correct) / (double) trials);
        }
        System.out.printf(
                "challenge-ACK side channel: %d trials, attacker counts %s, best threshold classifier %.3f%n",
                trials, distinct, best);
        assertTrue(best <= 0.65, "the count gives the guess away: accuracy " + best);
        assertTrue(distinct.size() >= LIMIT / 2, "the budget varies from second to second: " + distinct);
    }
}
