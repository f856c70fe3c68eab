package io.modtcp.tck;

import static io.modtcp.tck.SelectorBehaviours.awaitReady;
import static io.modtcp.tck.SelectorBehaviours.nonBlocking;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/** Selection keys: registration, interest and ready sets, attachments, cancellation. */
class SelectionKeyBehaviours {
    private static final int READ = SelectionKey.OP_READ;
    private static final int WRITE = SelectionKey.OP_WRITE;
    private static final int CONNECT = SelectionKey.OP_CONNECT;
    private static final int ACCEPT = SelectionKey.OP_ACCEPT;

    @Behaviour("validOps: a SocketChannel has read, write and connect; a ServerSocketChannel has accept")
    void validOps(Tck tck) throws Exception {
        assertEquals(READ | WRITE | CONNECT, tck.channel().validOps());
        assertEquals(ACCEPT, tck.serverChannel().validOps());
    }

    @Behaviour("a registered key knows its selector and channel, and keyFor/isRegistered find it")
    void keySelectorAndChannel(Tck tck) throws Exception {
        Selector sel = tck.selector();
        SocketChannel ch = nonBlocking(tck.channel());
        assertFalse(ch.isRegistered());
        assertNull(ch.keyFor(sel));
        SelectionKey k = ch.register(sel, CONNECT);
        assertSame(sel, k.selector());
        assertSame(ch, k.channel());
        assertTrue(k.isValid());
        assertTrue(ch.isRegistered());
        assertSame(k, ch.keyFor(sel));
        assertEquals(CONNECT, k.interestOps());
        assertEquals(0, k.readyOps());
        assertTrue(sel.keys().contains(k));
    }

    @Behaviour("registering a channel in blocking mode throws IllegalBlockingModeException")
    void registerBlocking(Tck tck) throws Exception {
        Selector sel = tck.selector();
        SocketChannel ch = tck.channel();
        assertThrows(IllegalBlockingModeException.class, () -> ch.register(sel, CONNECT));
        ServerSocketChannel l = tck.listener();
        assertThrows(IllegalBlockingModeException.class, () -> l.register(sel, ACCEPT));
        assertFalse(ch.isRegistered());
        assertTrue(sel.keys().isEmpty());
    }

    @Behaviour("a registered channel cannot be put back in blocking mode")
    void registeredStaysNonBlocking(Tck tck) throws Exception {
        Selector sel = tck.selector();
        SocketChannel ch = nonBlocking(tck.channel());
        ch.register(sel, CONNECT);
        assertThrows(IllegalBlockingModeException.class, () -> ch.configureBlocking(true));
        assertFalse(ch.isBlocking());
    }

    @Behaviour("registering a closed channel throws ClosedChannelException")
    void registerClosed(Tck tck) throws Exception {
        Selector sel = tck.selector();
        SocketChannel ch = nonBlocking(tck.channel());
        ch.close();
        assertThrows(ClosedChannelException.class, () -> ch.register(sel, READ));
        assertTrue(sel.keys().isEmpty());
    }

    @Behaviour("interest ops the channel does not support throw IllegalArgumentException")
    void unsupportedInterest(Tck tck) throws Exception {
        Selector sel = tck.selector();
        SocketChannel ch = nonBlocking(tck.channel());
        assertThrows(IllegalArgumentException.class, () -> ch.register(sel, ACCEPT));
        assertFalse(ch.isRegistered());
        SelectionKey k = ch.register(sel, CONNECT);
        assertThrows(IllegalArgumentException.class, () -> k.interestOps(ACCEPT));
        assertThrows(IllegalArgumentException.class, () -> k.interestOpsOr(ACCEPT));
        assertEquals(CONNECT, k.interestOps());
        ServerSocketChannel l = nonBlocking(tck.listener());
        assertThrows(IllegalArgumentException.class, () -> l.register(sel, READ));
        SelectionKey lk = l.register(sel, ACCEPT);
        assertThrows(IllegalArgumentException.class, () -> lk.interestOps(WRITE));
    }

    @Behaviour("registering again with the same selector returns the same key with the new interest and attachment")
    void reRegister(Tck tck) throws Exception {
        Selector sel = tck.selector();
        SocketChannel ch = nonBlocking(tck.channel());
        Object a = new Object();
        Object b = new Object();
        SelectionKey k = ch.register(sel, CONNECT, a);
        SelectionKey again = ch.register(sel, READ | WRITE, b);
        assertSame(k, again);
        assertEquals(READ | WRITE, k.interestOps());
        assertSame(b, k.attachment());
        assertEquals(1, sel.keys().size());
        assertSame(k, ch.register(sel, 0));
        assertEquals(0, k.interestOps());
        assertNull(k.attachment(), "register(sel, ops) attaches null");
    }

    @Behaviour("register(sel, ops, att) attaches att; attach() replaces it and returns the previous one")
    void attachment(Tck tck) throws Exception {
        Selector sel = tck.selector();
        ServerSocketChannel l = nonBlocking(tck.listener());
        String first = "first";
        SelectionKey k = l.register(sel, ACCEPT, first);
        assertSame(first, k.attachment());
        String second = "second";
        assertSame(first, k.attach(second));
        assertSame(second, k.attachment());
        assertSame(second, k.attach(null));
        assertNull(k.attachment());
        k.attach(first);
        k.cancel();
        assertSame(first, k.attachment(), "a cancelled key keeps its attachment");
    }

    @Behaviour("interestOpsOr and interestOpsAnd update the interest set and return the previous one")
    void interestOpsOrAnd(Tck tck) throws Exception {
        Selector sel = tck.selector();
        SelectionKey k = nonBlocking(tck.channel()).register(sel, READ);
        assertEquals(READ, k.interestOpsOr(WRITE));
        assertEquals(READ | WRITE, k.interestOps());
        assertEquals(READ | WRITE, k.interestOpsOr(CONNECT));
        assertEquals(READ | WRITE | CONNECT, k.interestOpsAnd(~READ));
        assertEquals(WRITE | CONNECT, k.interestOps());
        assertEquals(WRITE | CONNECT, k.interestOpsAnd(0));
        assertEquals(0, k.interestOps());
    }

    @Behaviour("cancel makes the key invalid at once; the channel is deregistered at the next selection")
    void cancel(Tck tck) throws Exception {
        Selector sel = tck.selector();
        SocketChannel ch = nonBlocking(tck.channel());
        SelectionKey k = ch.register(sel, CONNECT);
        k.cancel();
        assertFalse(k.isValid());
        assertTrue(ch.isRegistered(), "deregistered only by the next selection");
        k.cancel(); // no effect
        assertEquals(0, sel.selectNow());
        assertFalse(ch.isRegistered());
        assertNull(ch.keyFor(sel));
        assertFalse(sel.keys().contains(k));
        assertSame(sel, k.selector());
        assertSame(ch, k.channel());
        ch.configureBlocking(true);
        assertTrue(ch.isBlocking());
    }

    @Behaviour("a cancelled key leaves the selected-key set at the next selection")
    void cancelSelectedKey(Tck tck) throws Exception {
        Selector sel = tck.selector();
        Tck.Channels c = tck.accept();
        SelectionKey k = nonBlocking(c.subject()).register(sel, READ);
        Tck.writeFully(c.peer(), new byte[] {1});
        awaitReady(sel, k, READ);
        k.cancel();
        assertEquals(0, sel.selectNow());
        assertTrue(sel.selectedKeys().isEmpty());
        assertTrue(sel.keys().isEmpty());
    }

    @Behaviour("registering a cancelled channel before the next selection throws CancelledKeyException")
    void registerCancelled(Tck tck) throws Exception {
        Selector sel = tck.selector();
        SocketChannel ch = nonBlocking(tck.channel());
        SelectionKey k = ch.register(sel, CONNECT);
        k.cancel();
        assertThrows(CancelledKeyException.class, () -> ch.register(sel, READ));
        sel.selectNow();
        SelectionKey fresh = ch.register(sel, READ);
        assertTrue(fresh != k);
        assertTrue(fresh.isValid());
        assertEquals(READ, fresh.interestOps());
    }

    @Behaviour("interestOps of a cancelled key throws CancelledKeyException")
    void interestOpsCancelled(Tck tck) throws Exception {
        Selector sel = tck.selector();
        SelectionKey k = nonBlocking(tck.channel()).register(sel, CONNECT);
        k.cancel();
        assertThrows(CancelledKeyException.class, k::interestOps);
        assertThrows(CancelledKeyException.class, () -> k.interestOps(READ));
        assertThrows(CancelledKeyException.class, () -> k.interestOpsOr(READ));
        assertThrows(CancelledKeyException.class, () -> k.interestOpsAnd(READ));
    }

    @Behaviour("readyOps and the isReadable/isWritable/... tests of a cancelled key throw CancelledKeyException")
    void readyOpsCancelled(Tck tck) throws Exception {
        Selector sel = tck.selector();
        SelectionKey k = nonBlocking(tck.listener()).register(sel, ACCEPT);
        k.cancel();
        assertThrows(CancelledKeyException.class, k::readyOps);
        assertThrows(CancelledKeyException.class, k::isAcceptable);
        assertThrows(CancelledKeyException.class, k::isReadable);
        assertThrows(CancelledKeyException.class, k::isWritable);
        assertThrows(CancelledKeyException.class, k::isConnectable);
    }

    @Behaviour("closing a channel cancels its keys; the selector drops them at the next selection")
    void closeCancels(Tck tck) throws Exception {
        Selector s1 = tck.selector();
        Selector s2 = tck.selector();
        SocketChannel ch = nonBlocking(tck.channel());
        SelectionKey k1 = ch.register(s1, CONNECT);
        SelectionKey k2 = ch.register(s2, CONNECT);
        ch.close();
        assertFalse(k1.isValid());
        assertFalse(k2.isValid());
        assertEquals(0, s1.selectNow());
        assertFalse(s1.keys().contains(k1));
        s2.selectNow();
        assertFalse(s2.keys().contains(k2));
        assertFalse(ch.isRegistered());
    }

    @Behaviour("isReadable/isWritable/isAcceptable/isConnectable follow the ready set")
    void readinessTests(Tck tck) throws Exception {
        Selector sel = tck.selector();
        Tck.Channels c = tck.accept();
        SelectionKey k = nonBlocking(c.subject()).register(sel, READ | WRITE);
        Tck.writeFully(c.peer(), new byte[] {1});
        awaitReady(sel, k, READ);
        awaitReady(sel, k, WRITE);
        assertEquals(READ | WRITE, k.readyOps());
        assertTrue(k.isReadable());
        assertTrue(k.isWritable());
        assertFalse(k.isConnectable());
        assertFalse(k.isAcceptable());

        ServerSocketChannel l = nonBlocking(tck.listener());
        SelectionKey lk = l.register(sel, ACCEPT);
        tck.peerChannel().connect(l.getLocalAddress());
        awaitReady(sel, lk, ACCEPT);
        assertEquals(ACCEPT, lk.readyOps());
        assertTrue(lk.isAcceptable());
        assertFalse(lk.isReadable());
        assertFalse(lk.isWritable());
        assertFalse(lk.isConnectable());
    }

    @Behaviour("the ready set holds only operations in the interest set")
    void readyWithinInterest(Tck tck) throws Exception {
        Selector sel = tck.selector();
        Tck.Channels c = tck.accept();
        SelectionKey k = nonBlocking(c.subject()).register(sel, WRITE);
        Tck.writeFully(c.peer(), new byte[] {1});
        awaitReady(sel, k, WRITE);
        assertEquals(WRITE, k.readyOps(), "data is waiting, but OP_READ is not of interest");
        sel.selectedKeys().clear();
        k.interestOps(0);
        assertEquals(0, sel.select(100), "no interest: never selected");
        assertTrue(sel.selectedKeys().isEmpty());
        k.interestOps(READ);
        awaitReady(sel, k, READ);
        assertEquals(READ, k.readyOps());
    }

    @Behaviour("the ready set accumulates while the key stays in the selected-key set")
    void readySetAccumulates(Tck tck) throws Exception {
        Selector sel = tck.selector();
        Tck.Channels c = tck.accept();
        SelectionKey k = nonBlocking(c.subject()).register(sel, WRITE);
        awaitReady(sel, k, WRITE);
        k.interestOps(READ);
        assertEquals(0, sel.select(100));
        Tck.writeFully(c.peer(), new byte[] {1});
        awaitReady(sel, k, READ);
        assertEquals(READ | WRITE, k.readyOps(), "the earlier OP_WRITE stays with the new OP_READ");
        sel.selectedKeys().clear();
        assertEquals(1, sel.selectNow());
        assertEquals(READ, k.readyOps(), "a key newly selected gets its ready set replaced");
    }
}
