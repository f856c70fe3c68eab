package io.modtcp.provider;

import java.nio.channels.CompletionHandler;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * One asynchronous operation: its completion handler and attachment, or the {@link Future} handed to the caller. A
 * completion goes to the handler on the group's pool, or completes the future on the completing thread (as the JDK's
 * {@code PendingFuture}). Cancelling the future tells the channel ({@code onCancel}), which then refuses further
 * operations of that kind as the JDK's does, and closes it when {@code mayInterruptIfRunning}.
 */
final class AsyncOp<V, A> {
    private final ModTcpAsynchronousChannelGroup group;
    private final A attachment;
    private final CompletionHandler<V, ? super A> handler;
    private final OpFuture<V> future;
    /** The timeout task, or null. */
    volatile ScheduledFuture<?> timer;
    /** System.nanoTime() at which the operation times out, or 0. */
    volatile long deadline;
    /** What kind of operation this is, for the channel's {@code onCancel} (the channel's own constants). */
    int kind;

    AsyncOp(
            ModTcpAsynchronousChannelGroup group,
            A attachment,
            CompletionHandler<V, ? super A> handler,
            Consumer<AsyncOp<?, ?>> onCancel) {
        this.group = group;
        this.attachment = attachment;
        this.handler = handler;
        this.future = handler == null ? new OpFuture<>(this, onCancel) : null;
    }

    /** The future to return (null for the handler variant). */
    Future<V> future() {
        return future;
    }

    boolean isCancelled() {
        return future != null && future.isCancelled();
    }

    void cancelTimer() {
        ScheduledFuture<?> t = timer;
        if (t != null) {
            t.cancel(false);
        }
    }

    /** Completes the operation from the initiating thread: a pool that refuses the handler is the caller's problem. */
    void completeNow(V value, Throwable exc) {
        complete(value, exc, false);
    }

    /** Completes from the event loop, a timer or a close: nobody to throw to. */
    void complete(V value, Throwable exc) {
        complete(value, exc, true);
    }

    private void complete(V value, Throwable exc, boolean quietly) {
        cancelTimer();
        if (handler == null) {
            if (exc == null) {
                future.cf.complete(value);
            } else {
                future.cf.completeExceptionally(exc);
            }
            return;
        }
        Runnable r = () -> invoke(value, exc);
        if (quietly) {
            group.executeQuietly(r);
        } else {
            group.execute(r);
        }
    }

    private void invoke(V value, Throwable exc) {
        try {
            if (exc == null) {
                handler.completed(value, attachment);
            } else {
                handler.failed(exc, attachment);
            }
        } catch (Throwable t) {
            // The JDK lets it reach the pool thread's uncaught-exception handler; so does this, keeping the thread.
            Thread th = Thread.currentThread();
            th.getUncaughtExceptionHandler().uncaughtException(th, t);
        }
    }

    /** A future completed right away (the JDK's {@code CompletedFuture}). */
    static <V> Future<V> completed(V value, Throwable exc) {
        CompletableFuture<V> cf = new CompletableFuture<>();
        if (exc == null) {
            cf.complete(value);
        } else {
            cf.completeExceptionally(exc);
        }
        return new OpFuture<>(null, null, cf);
    }

    /** The caller's view: no way to complete it from outside. */
    private static final class OpFuture<V> implements Future<V> {
        private final AsyncOp<?, ?> op;
        private final Consumer<AsyncOp<?, ?>> onCancel;
        final CompletableFuture<V> cf;

        OpFuture(AsyncOp<?, ?> op, Consumer<AsyncOp<?, ?>> onCancel) {
            this(op, onCancel, new CompletableFuture<>());
        }

        OpFuture(AsyncOp<?, ?> op, Consumer<AsyncOp<?, ?>> onCancel, CompletableFuture<V> cf) {
            this.op = op;
            this.onCancel = onCancel;
            this.cf = cf;
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            if (!cf.cancel(mayInterruptIfRunning)) {
                return false;
            }
            if (op != null && onCancel != null) {
                op.cancelTimer();
                onCancel.accept(op);
                if (mayInterruptIfRunning) {
                    op.closeChannel.run();
                }
            }
            return true;
        }

        @Override
        public boolean isCancelled() {
            return cf.isCancelled();
        }

        @Override
        public boolean isDone() {
            return cf.isDone();
        }

        @Override
        public V get() throws InterruptedException, ExecutionException {
            return cf.get();
        }

        @Override
        public V get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
            return cf.get(timeout, unit);
        }
    }

    /** What cancel(true) does to the channel (set by the channel). */
    Runnable closeChannel = () -> {};
}
