package io.modtcp.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Selectors: selection operations, wakeup, close, and the key sets. */
class SelectorBehaviours {
    // --- helpers shared by the selector groups ---

    /** {@code ch} in non-blocking mode. */
    static <T extends java.nio.channels.SelectableChannel> T nonBlocking(T ch) throws IOException {
        ch.configureBlocking(false);
        return ch;
    }

    /** Selects until {@code k} is in the selected-key set with {@code op} ready (at most 5 s). */
    static void awaitReady(Selector sel, SelectionKey k, int op) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() - deadline < 0) {
            sel.select(1000);
            if (sel.selectedKeys().contains(k) && (k.readyOps() & op) != 0) {
                return;
            }
        }
        fail("not ready within 5 s: " + op + " of " + k);
    }

    /** Waits until {@code t} sits in a selection operation (a native wait below a select frame), at most 5 s. */
    static void awaitSelecting(Thread t) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() - deadline < 0) {
            StackTraceElement[] st = t.getStackTrace();
            if (st.length > 0 && st[0].isNativeMethod()) {
                for (StackTraceElement e : st) {
                    if (e.getMethodName().startsWith("select")
                            && Selector.class.isAssignableFrom(classOf(e.getClassName()))) {
                        return;
                    }
                }
            }
            Thread.sleep(1);
        }
        fail("the thread did not block in a selection operation");
    }

    private static Class<?> classOf(String name) {
        try {
            return Class.forName(name, false, SelectorBehaviours.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return Object.class;
        }
    }

    /** Runs {@code s.select()} on a background thread and returns once the thread blocks in it. */
    private static Future<Integer> blockedSelect(Tck tck, Selector s) throws Exception {
        CompletableFuture<Thread> thread = new CompletableFuture<>();
        Future<Integer> f = tck.async(() -> {
            thread.complete(Thread.currentThread());
            return s.select();
        });
        awaitSelecting(thread.get(5, TimeUnit.SECONDS));
        return f;
    }

    private static long millisOf(IoCall c) throws IOException {
        long t0 = System.nanoTime();
        c.run();
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    }

    private interface IoCall {
        void run() throws IOException;
    }

    /** A subject connection registered for OP_READ with {@code sel}. */
    private static SelectionKey readKey(Tck tck, Selector sel, Tck.Channels c) throws IOException {
        return nonBlocking(c.subject()).register(sel, SelectionKey.OP_READ);
    }

    private static void send(SocketChannel peer, int n) throws IOException {
        Tck.writeFully(peer, Tck.pattern(n));
    }

    // --- selection operations ---

    @Behaviour("select(timeout) with nothing ready returns 0 after about the timeout")
    void selectTimesOut(Tck tck) throws Exception {
        Selector sel = tck.selector();
        readKey(tck, sel, tck.accept());
        int[] n = new int[1];
        long ms = millisOf(() -> n[0] = sel.select(200));
        assertEquals(0, n[0]);
        assertTrue(ms >= 150, "returned after " + ms + " ms");
        assertTrue(ms < 5000, "returned after " + ms + " ms");
    }

    @Behaviour("selectNow with nothing ready returns 0 at once")
    void selectNowReturnsAtOnce(Tck tck) throws Exception {
        Selector sel = tck.selector();
        readKey(tck, sel, tck.accept());
        int[] n = new int[1];
        long ms = millisOf(() -> n[0] = sel.selectNow());
        assertEquals(0, n[0]);
        assertTrue(ms < 100, "selectNow took " + ms + " ms");
        assertTrue(sel.selectedKeys().isEmpty());
    }

    @Behaviour("select with a negative timeout throws IllegalArgumentException")
    void negativeTimeout(Tck tck) throws Exception {
        Selector sel = tck.selector();
        assertThrows(IllegalArgumentException.class, () -> sel.select(-1));
        assertThrows(IllegalArgumentException.class, () -> sel.select(k -> {}, -1));
    }

    @Behaviour("select() returns as soon as a registered channel becomes ready")
    void blockedSelectEndsOnReadiness(Tck tck) throws Exception {
        Selector sel = tck.selector();
        Tck.Channels c = tck.accept();
        SelectionKey k = readKey(tck, sel, c);
        Future<Integer> f = blockedSelect(tck, sel);
        send(c.peer(), 1);
        assertEquals(1, f.get(5, TimeUnit.SECONDS));
        assertEquals(Set.of(k), sel.selectedKeys());
    }

    // --- wakeup ---

    @Behaviour("wakeup() before a select makes that select return at once, and only that one")
    void wakeupBeforeSelect(Tck tck) throws Exception {
        Selector sel = tck.selector();
        readKey(tck, sel, tck.accept());
        sel.wakeup();
        int[] n = new int[1];
        long first = millisOf(() -> n[0] = sel.select(10_000));
        assertEquals(0, n[0]);
        assertTrue(first < 5000, "the woken select took " + first + " ms");
        long second = millisOf(() -> n[0] = sel.select(200));
        assertEquals(0, n[0]);
        assertTrue(second >= 150, "the next select returned after " + second + " ms");
    }

    @Behaviour("wakeup() from another thread ends a blocked select()")
    void wakeupFromAnotherThread(Tck tck) throws Exception {
        Selector sel = tck.selector();
        readKey(tck, sel, tck.accept());
        Future<Integer> f = blockedSelect(tck, sel);
        sel.wakeup();
        assertEquals(0, f.get(5, TimeUnit.SECONDS));
    }

    @Behaviour("select(0) and select(action, 0) block without a timeout until woken")
    void selectZeroBlocks(Tck tck) throws Exception {
        Selector sel = tck.selector();
        readKey(tck, sel, tck.accept());
        for (int round = 0; round < 2; round++) {
            boolean withAction = round == 1;
            CompletableFuture<Thread> thread = new CompletableFuture<>();
            Future<Integer> f = tck.async(() -> {
                thread.complete(Thread.currentThread());
                return withAction ? sel.select(k -> {}, 0) : sel.select(0);
            });
            awaitSelecting(thread.get(5, TimeUnit.SECONDS));
            Thread.sleep(200);
            assertFalse(f.isDone(), "still selecting after 200 ms");
            sel.wakeup();
            assertEquals(0, f.get(5, TimeUnit.SECONDS));
        }
    }

    @Behaviour("several wakeups before a select count as one")
    void severalWakeupsCountAsOne(Tck tck) throws Exception {
        Selector sel = tck.selector();
        readKey(tck, sel, tck.accept());
        sel.wakeup();
        sel.wakeup();
        sel.wakeup();
        assertEquals(0, sel.select(10_000));
        int[] n = new int[1];
        long ms = millisOf(() -> n[0] = sel.select(200));
        assertEquals(0, n[0]);
        assertTrue(ms >= 150, "the second select returned after " + ms + " ms");
    }

    @Behaviour("selectNow clears a pending wakeup")
    void selectNowClearsWakeup(Tck tck) throws Exception {
        Selector sel = tck.selector();
        readKey(tck, sel, tck.accept());
        sel.wakeup();
        assertEquals(0, sel.selectNow());
        int[] n = new int[1];
        long ms = millisOf(() -> n[0] = sel.select(200));
        assertEquals(0, n[0]);
        assertTrue(ms >= 150, "the select after selectNow returned after " + ms + " ms");
    }

    // --- interrupt ---

    @Behaviour("interrupting a thread blocked in select() ends the select and leaves the interrupt status set")
    void interruptEndsSelect(Tck tck) throws Exception {
        Selector sel = tck.selector();
        readKey(tck, sel, tck.accept());
        CompletableFuture<Thread> thread = new CompletableFuture<>();
        Future<Boolean> f = tck.async(() -> {
            thread.complete(Thread.currentThread());
            sel.select();
            return Thread.currentThread().isInterrupted();
        });
        Thread t = thread.get(5, TimeUnit.SECONDS);
        awaitSelecting(t);
        t.interrupt();
        assertTrue(f.get(5, TimeUnit.SECONDS), "the interrupt status is still set");
        assertTrue(sel.isOpen(), "an interrupt does not close the selector");
    }

    @Behaviour("select() by a thread whose interrupt status is set returns at once and keeps the status")
    void selectWhileInterrupted(Tck tck) throws Exception {
        Selector sel = tck.selector();
        readKey(tck, sel, tck.accept());
        Future<Boolean> f = tck.async(() -> {
            Thread.currentThread().interrupt();
            sel.select(10_000);
            boolean still = Thread.interrupted();
            // and with the status cleared the selector blocks again (here: for the timeout)
            long t0 = System.nanoTime();
            sel.select(200);
            return still && System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(150);
        });
        assertTrue(f.get(5, TimeUnit.SECONDS));
    }

    // --- close ---

    @Behaviour("closing the selector from another thread ends a blocked select()")
    void closeEndsBlockedSelect(Tck tck) throws Exception {
        Selector sel = tck.selector();
        SelectionKey k = readKey(tck, sel, tck.accept());
        Future<Integer> f = blockedSelect(tck, sel);
        sel.close();
        try {
            f.get(5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof ClosedSelectorException)) {
                throw e;
            }
        }
        assertFalse(sel.isOpen());
        assertFalse(k.isValid());
    }

    @Behaviour("closing a selector cancels its keys and deregisters the channels")
    void closeDeregisters(Tck tck) throws Exception {
        Selector sel = tck.selector();
        Tck.Channels c = tck.accept();
        SelectionKey k = readKey(tck, sel, c);
        sel.close();
        assertFalse(k.isValid());
        assertFalse(c.subject().isRegistered());
        assertNull(c.subject().keyFor(sel));
        c.subject().configureBlocking(true);
        assertTrue(c.subject().isBlocking());
    }

    @Behaviour("every selection operation on a closed selector throws ClosedSelectorException")
    void selectOnClosed(Tck tck) throws Exception {
        Selector sel = tck.selector();
        sel.close();
        sel.close(); // a second close has no effect
        assertThrows(ClosedSelectorException.class, sel::select);
        assertThrows(ClosedSelectorException.class, () -> sel.select(100));
        assertThrows(ClosedSelectorException.class, sel::selectNow);
        assertThrows(ClosedSelectorException.class, () -> sel.select(k -> {}));
        assertThrows(ClosedSelectorException.class, () -> sel.selectNow(k -> {}));
    }

    @Behaviour("keys() and selectedKeys() of a closed selector throw ClosedSelectorException")
    void keySetsOfClosed(Tck tck) throws Exception {
        Selector sel = tck.selector();
        sel.close();
        assertThrows(ClosedSelectorException.class, sel::keys);
        assertThrows(ClosedSelectorException.class, sel::selectedKeys);
        sel.wakeup(); // allowed
    }

    @Behaviour("registering with a closed selector throws ClosedSelectorException")
    void registerOnClosed(Tck tck) throws Exception {
        Selector sel = tck.selector();
        sel.close();
        SocketChannel ch = nonBlocking(tck.channel());
        assertThrows(ClosedSelectorException.class, () -> ch.register(sel, SelectionKey.OP_CONNECT));
        assertFalse(ch.isRegistered());
    }

    // --- key sets ---

    @Behaviour("keys() holds the registered keys and cannot be modified")
    void keysUnmodifiable(Tck tck) throws Exception {
        Selector sel = tck.selector();
        SelectionKey a = nonBlocking(tck.channel()).register(sel, SelectionKey.OP_CONNECT);
        SelectionKey b = nonBlocking(tck.listener()).register(sel, SelectionKey.OP_ACCEPT);
        Set<SelectionKey> keys = sel.keys();
        assertEquals(Set.of(a, b), new HashSet<>(keys));
        assertThrows(UnsupportedOperationException.class, () -> keys.remove(a));
        assertThrows(UnsupportedOperationException.class, keys::clear);
        assertThrows(UnsupportedOperationException.class, () -> keys.add(a));
        Iterator<SelectionKey> it = keys.iterator();
        it.next();
        assertThrows(UnsupportedOperationException.class, it::remove);
        assertEquals(2, sel.keys().size());
    }

    @Behaviour("selectedKeys() allows removal but not addition")
    void selectedKeysRemovalOnly(Tck tck) throws Exception {
        Selector sel = tck.selector();
        Tck.Channels c = tck.accept();
        SelectionKey k = readKey(tck, sel, c);
        send(c.peer(), 1);
        awaitReady(sel, k, SelectionKey.OP_READ);
        Set<SelectionKey> selected = sel.selectedKeys();
        assertThrows(UnsupportedOperationException.class, () -> selected.add(k));
        assertThrows(UnsupportedOperationException.class, () -> selected.addAll(List.of(k)));
        Iterator<SelectionKey> it = selected.iterator();
        assertSame(k, it.next());
        it.remove();
        assertTrue(sel.selectedKeys().isEmpty());
        assertTrue(k.isValid(), "removal from the selected-key set does not cancel");
        assertEquals(1, sel.selectNow(), "a key still ready is selected again");
        assertTrue(sel.selectedKeys().remove(k));
        assertTrue(sel.selectedKeys().isEmpty());
    }

    @Behaviour("selected keys accumulate until the caller removes them")
    void selectedKeysAccumulate(Tck tck) throws Exception {
        Selector sel = tck.selector();
        Tck.Channels c1 = tck.accept();
        Tck.Channels c2 = tck.accept();
        SelectionKey k1 = readKey(tck, sel, c1);
        SelectionKey k2 = readKey(tck, sel, c2);
        send(c1.peer(), 1);
        awaitReady(sel, k1, SelectionKey.OP_READ);
        assertEquals(Set.of(k1), sel.selectedKeys());
        send(c2.peer(), 1);
        awaitReady(sel, k2, SelectionKey.OP_READ);
        assertEquals(Set.of(k1, k2), sel.selectedKeys());
        sel.selectedKeys().remove(k1);
        assertEquals(Set.of(k2), sel.selectedKeys());
    }

    @Behaviour("a key already selected with the same ready set is not counted again by select")
    void alreadySelectedNotCounted(Tck tck) throws Exception {
        Selector sel = tck.selector();
        Tck.Channels c = tck.accept();
        SelectionKey k = readKey(tck, sel, c);
        send(c.peer(), 1);
        awaitReady(sel, k, SelectionKey.OP_READ);
        assertEquals(0, sel.selectNow());
        assertEquals(0, sel.select(100));
        assertEquals(Set.of(k), sel.selectedKeys());
        assertEquals(SelectionKey.OP_READ, k.readyOps());
        sel.selectedKeys().clear();
        assertEquals(1, sel.selectNow());
    }

    // --- selection with an action ---

    /** Two connections whose subject ends are registered for OP_READ and both have data (both seen ready). */
    private static List<SelectionKey> twoReadable(Tck tck, Selector sel) throws IOException {
        List<SelectionKey> keys = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Tck.Channels c = tck.accept();
            keys.add(readKey(tck, sel, c));
            send(c.peer(), 1);
        }
        readKey(tck, sel, tck.accept()); // one without data
        for (SelectionKey k : keys) {
            awaitReady(sel, k, SelectionKey.OP_READ);
        }
        sel.selectedKeys().clear();
        return keys;
    }

    @Behaviour("select(action) calls the action once per ready key and leaves selectedKeys untouched")
    void selectWithAction(Tck tck) throws Exception {
        Selector sel = tck.selector();
        List<SelectionKey> keys = twoReadable(tck, sel);
        Map<SelectionKey, Integer> calls = new HashMap<>();
        int n = sel.select(k -> calls.merge(k, 1, Integer::sum), 5000);
        assertEquals(2, n);
        assertEquals(Map.of(keys.get(0), 1, keys.get(1), 1), calls);
        assertTrue(sel.selectedKeys().isEmpty());
        assertTrue(keys.get(0).isReadable());
    }

    @Behaviour("selectNow(action) calls the action for each ready key, again on each call while they stay ready")
    void selectNowWithAction(Tck tck) throws Exception {
        Selector sel = tck.selector();
        List<SelectionKey> keys = twoReadable(tck, sel);
        for (int round = 0; round < 2; round++) {
            List<SelectionKey> seen = new ArrayList<>();
            assertEquals(2, sel.selectNow(seen::add));
            assertEquals(Set.copyOf(keys), Set.copyOf(seen));
            assertEquals(2, seen.size());
            assertTrue(sel.selectedKeys().isEmpty());
        }
    }

    @Behaviour("an exception thrown by the action of select(action) propagates to the caller")
    void actionExceptionPropagates(Tck tck) throws Exception {
        Selector sel = tck.selector();
        List<SelectionKey> keys = twoReadable(tck, sel);
        IllegalStateException boom = new IllegalStateException("boom");
        IllegalStateException thrown = assertThrows(
                IllegalStateException.class,
                () -> sel.selectNow(k -> {
                    throw boom;
                }));
        assertSame(boom, thrown);
        assertTrue(sel.isOpen());
        assertTrue(keys.get(0).isValid());
        assertEquals(2, sel.selectNow(k -> {}), "both keys are still ready for the next selection");
    }

    @Behaviour("a selection operation called from inside the action of select(action) throws IllegalStateException")
    void selectInsideActionThrows(Tck tck) throws Exception {
        Selector sel = tck.selector();
        twoReadable(tck, sel);
        List<IoCall> inner = List.of(
                sel::selectNow, () -> sel.select(1), () -> sel.selectNow(k -> {}), () -> sel.select(k -> {}, 1));
        for (IoCall call : inner) {
            List<Throwable> seen = new ArrayList<>();
            assertEquals(2, sel.selectNow(k -> {
                try {
                    call.run();
                    seen.add(null);
                } catch (Throwable e) {
                    seen.add(e);
                }
            }));
            assertEquals(2, seen.size());
            for (Throwable e : seen) {
                assertTrue(e instanceof IllegalStateException, String.valueOf(e));
            }
        }
        assertEquals(2, sel.selectNow(), "the selector still works");
    }

    @Behaviour("a channel registered after its data arrived is selected by the first selection")
    void registeredAfterData(Tck tck) throws Exception {
        Selector sel = tck.selector();
        Tck.Channels c = tck.accept();
        Tck.writeFully(c.peer(), new byte[] {1, 2});
        assertEquals(1, Tck.readFully(c.subject(), 1).length); // so the second byte has arrived too
        SelectionKey k = nonBlocking(c.subject()).register(sel, SelectionKey.OP_READ);
        assertEquals(1, sel.selectNow());
        assertEquals(Set.of(k), sel.selectedKeys());
        assertTrue(k.isReadable());
    }

    // --- many channels ---

    @Behaviour("one selector over 50 connections reports exactly those with data")
    void manyChannels(Tck tck) throws Exception {
        Selector sel = tck.selector();
        ServerSocketChannel l = tck.listener();
        List<SocketChannel> peers = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            SocketChannel p = tck.peerChannel();
            assertTrue(p.connect(l.getLocalAddress()));
            peers.add(p);
            SocketChannel s = nonBlocking(tck.track(l.accept()));
            s.register(sel, SelectionKey.OP_READ, i);
        }
        assertEquals(0, sel.selectNow());
        Set<Integer> withData = Set.of(3, 17, 29, 42);
        for (int i : withData) {
            send(peers.get(i), 10);
        }
        Set<Integer> seen = new TreeSet<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (seen.size() < withData.size() && System.nanoTime() - deadline < 0) {
            sel.select(1000);
            for (SelectionKey k : sel.selectedKeys()) {
                assertTrue(k.isReadable());
                seen.add((Integer) k.attachment());
            }
        }
        assertEquals(new TreeSet<>(withData), seen);
        assertEquals(0, sel.select(100), "nothing else becomes ready");
        assertEquals(withData.size(), sel.selectedKeys().size());
        for (SelectionKey k : sel.selectedKeys()) {
            ByteBuffer b = ByteBuffer.allocate(100);
            assertEquals(10, ((SocketChannel) k.channel()).read(b));
        }
    }

    @Behaviour("a channel registered with two selectors is reported by both")
    void twoSelectors(Tck tck) throws Exception {
        Selector s1 = tck.selector();
        Selector s2 = tck.selector();
        Tck.Channels c = tck.accept();
        SocketChannel ch = nonBlocking(c.subject());
        SelectionKey k1 = ch.register(s1, SelectionKey.OP_READ);
        SelectionKey k2 = ch.register(s2, SelectionKey.OP_READ);
        assertTrue(k1 != k2);
        assertSame(k1, ch.keyFor(s1));
        assertSame(k2, ch.keyFor(s2));
        send(c.peer(), 1);
        awaitReady(s1, k1, SelectionKey.OP_READ);
        awaitReady(s2, k2, SelectionKey.OP_READ);
        k1.cancel();
        s1.selectNow();
        assertNull(ch.keyFor(s1));
        assertTrue(k2.isValid());
        s2.selectedKeys().clear();
        assertEquals(1, s2.selectNow());
        assertTrue(ch.isRegistered());
    }
}
