package io.modtcp.stack.timer;

import java.util.Arrays;

/**
 * A hashed timing wheel (Varghese and Lauck; shaped like Agrona's {@code DeadlineTimerWheel}) with O(1) schedule and
 * cancel, exact expiry and an exact {@link #nextDeadlineNs()}.
 *
 * <p>Time is cut into ticks of {@code tickNs} counted from {@code startNs}; a timer lives in bucket
 * {@code tick & (ticksPerWheel - 1)} of its deadline's tick, in a doubly linked list, so timers many rotations ahead
 * share buckets with near ones and are skipped until their rotation comes. Expiry is exact: {@link #poll} fires a
 * timer only when {@code deadlineNs <= nowNs}, never earlier even within the same tick. Timers of earlier ticks fire
 * before timers of later ticks; within one tick they fire in schedule order.
 *
 * <p>Entries are pooled in parallel arrays that only grow (doubling), so scheduling allocates nothing once the pool
 * has reached the peak number of pending timers.
 *
 * <p>A handle is {@code (generation << 32) | slot}; a slot's generation changes each time its timer fires or is
 * cancelled, so a stale handle never cancels the timer that later reuses the slot. {@link #NULL_HANDLE} (0) is never
 * a valid handle.
 *
 * <p>Not thread-safe: one thread (the stack thread) owns a wheel.
 *
 * @param <T> the owner type attached to each timer and handed back on expiry
 */
public final class TimerWheel<T> {
    /** A handle value that {@link #schedule} never returns; convenient for "no timer". */
    public static final long NULL_HANDLE = 0L;

    private static final int INITIAL_CAPACITY = 16;
    private static final int NONE = -1;

    private final long tickNs;
    private final long startNs;
    private final int mask;
    /** List index of timers taken out of a bucket and about to fire in the running poll. */
    private final int firingList;
    /** List index of timers scheduled during a poll with a tick already reached: they fire from the next poll. */
    private final int deferredList;

    // Lists: buckets 0..ticksPerWheel-1, then the firing and deferred lists.
    private final int[] heads;
    private final int[] tails;

    // Entries (parallel arrays, grown by doubling).
    private long[] deadlines;
    private Object[] owners;
    private int[] generations;
    private int[] nexts;
    private int[] prevs;
    /** The list an entry is in, or NONE when the slot is free. */
    private int[] lists;

    private int freeHead = NONE;
    private int size;
    private int deferredCount;
    /** The tick that polling has reached: every pending timer's tick is {@code >= currentTick}, or it sits in
     * {@code currentTick}'s bucket (overdue). */
    private long currentTick;

    private boolean polling;
    private long cachedMinNs = Long.MAX_VALUE;
    private boolean cachedMinValid = true;

    /**
     * @param tickNs the tick length in nanoseconds, positive
     * @param ticksPerWheel the number of buckets, a power of two
     * @param startNs the time of tick 0, normally the clock's value when the wheel is created
     */
    public TimerWheel(long tickNs, int ticksPerWheel, long startNs) {
        if (tickNs <= 0) {
            throw new IllegalArgumentException("tickNs must be positive: " + tickNs);
        }
        if (ticksPerWheel <= 0 || Integer.bitCount(ticksPerWheel) != 1 || ticksPerWheel > (1 << 30)) {
            throw new IllegalArgumentException("ticksPerWheel must be a power of two: " + ticksPerWheel);
        }
        this.tickNs = tickNs;
        this.startNs = startNs;
        this.mask = ticksPerWheel - 1;
        this.firingList = ticksPerWheel;
        this.deferredList = ticksPerWheel + 1;
        this.heads = new int[ticksPerWheel + 2];
        this.tails = new int[ticksPerWheel + 2];
        Arrays.fill(heads, NONE);
        Arrays.fill(tails, NONE);
        this.deadlines = new long[0];
        this.owners = new Object[0];
        this.generations = new int[0];
        this.nexts = new int[0];
        this.prevs = new int[0];
        this.lists = new int[0];
        grow(INITIAL_CAPACITY);
    }

    /** The tick length in nanoseconds. */
    public long tickNs() {
        return tickNs;
    }

    /** The number of buckets. */
    public int ticksPerWheel() {
        return mask + 1;
    }

    /** The number of pending timers. */
    public int size() {
        return size;
    }

    /**
     * Schedules a timer. O(1); allocates only when the entry pool has to grow.
     *
     * @param owner handed back to the handler on expiry (may be null)
     * @param deadlineNs when it fires; a deadline already past fires on the next {@link #poll}
     * @return a handle for {@link #cancel}, never {@link #NULL_HANDLE}
     */
    public long schedule(T owner, long deadlineNs) {
        if (freeHead == NONE) {
            grow(deadlines.length * 2);
        }
        int e = freeHead;
        freeHead = nexts[e];
        deadlines[e] = deadlineNs;
        owners[e] = owner;
        long tick = tickOf(deadlineNs);
        int list;
        if (tick <= currentTick && polling) {
            list = deferredList;
        } else {
            list = (int) (Math.max(tick, currentTick) & mask);
        }
        append(list, e);
        size++;
        if (cachedMinValid && deadlineNs < cachedMinNs) {
            cachedMinNs = deadlineNs;
        }
        return handle(e);
    }

    /**
     * Cancels a pending timer. O(1).
     *
     * @return true if the timer was pending and is now cancelled; false if it already fired, was cancelled, or the
     *     handle is not one of this wheel's
     */
    public boolean cancel(long handle) {
        int e = (int) handle;
        int generation = (int) (handle >>> 32);
        if (e < 0 || e >= lists.length || lists[e] == NONE || generations[e] != generation) {
            return false;
        }
        long deadlineNs = deadlines[e];
        unlink(e);
        free(e);
        if (deadlineNs == cachedMinNs) {
            cachedMinValid = false;
        }
        return true;
    }

    /** True if {@code handle} names a timer that is still pending. */
    public boolean isPending(long handle) {
        int e = (int) handle;
        return e >= 0 && e < lists.length && lists[e] != NONE && generations[e] == (int) (handle >>> 32);
    }

    /** The deadline of a pending timer, or {@link Long#MAX_VALUE} if {@code handle} is not pending. */
    public long deadlineNs(long handle) {
        return isPending(handle) ? deadlines[(int) handle] : Long.MAX_VALUE;
    }

    /**
     * Fires up to {@code limit} timers whose deadline is {@code <= nowNs}, earlier ticks first, never one whose
     * deadline is later than {@code nowNs}. See {@link TimerHandler#onExpiry} for timers scheduled by the handler.
     * Not reentrant.
     *
     * @return the number of timers fired
     */
    public int poll(long nowNs, TimerHandler<T> handler, int limit) {
        if (polling) {
            throw new IllegalStateException("poll is not reentrant");
        }
        if (limit <= 0) {
            return 0;
        }
        polling = true;
        int fired = 0;
        try {
            long nowTick = tickOf(nowNs);
            while (true) {
                if (size == deferredCount) {
                    if (currentTick < nowTick) {
                        currentTick = nowTick;
                    }
                    break;
                }
                if (nowTick - currentTick > mask) {
                    // A long jump: skip straight to the earliest pending tick rather than sweeping rotations.
                    long minTick = tickOf(minDeadlineInWheel());
                    if (minTick > currentTick) {
                        currentTick = Math.min(minTick, nowTick);
                    }
                }
                fired += fireBucket(nowNs, handler, limit - fired);
                if (fired >= limit || currentTick >= nowTick) {
                    break;
                }
                currentTick++;
            }
        } finally {
            polling = false;
            restoreFiring();
            moveDeferred();
        }
        return fired;
    }

    /**
     * The exact earliest pending deadline, or {@link Long#MAX_VALUE} if none. O(1) when cached; after the earliest
     * timer fires or is cancelled the next call searches, O(ticksPerWheel) in the usual case and O(size) if every
     * timer is more than one rotation away.
     */
    public long nextDeadlineNs() {
        if (!cachedMinValid) {
            cachedMinNs = size == 0 ? Long.MAX_VALUE : Math.min(minDeadlineInWheel(), minOfList(deferredList));
            cachedMinNs = Math.min(cachedMinNs, minOfList(firingList));
            cachedMinValid = true;
        }
        return cachedMinNs;
    }

    // --- internals ---

    /** Fires the due timers of {@code currentTick}'s bucket. */
    private int fireBucket(long nowNs, TimerHandler<T> handler, int limit) {
        int bucket = (int) (currentTick & mask);
        for (int e = heads[bucket]; e != NONE; ) {
            int next = nexts[e];
            if (deadlines[e] <= nowNs && tickOf(deadlines[e]) <= currentTick) {
                unlink(e);
                append(firingList, e);
            }
            e = next;
        }
        int fired = 0;
        while (fired < limit && heads[firingList] != NONE) {
            int e = heads[firingList];
            long handle = handle(e);
            T owner = owner(e);
            long deadlineNs = deadlines[e];
            unlink(e);
            free(e);
            if (deadlineNs == cachedMinNs) {
                cachedMinValid = false;
            }
            fired++;
            handler.onExpiry(owner, handle, nowNs);
        }
        return fired;
    }

    /** Puts timers left in the firing list (the limit was reached) back in the current bucket. */
    private void restoreFiring() {
        int bucket = (int) (currentTick & mask);
        while (heads[firingList] != NONE) {
            int e = heads[firingList];
            unlink(e);
            append(bucket, e);
        }
    }

    private void moveDeferred() {
        int bucket = (int) (currentTick & mask);
        while (heads[deferredList] != NONE) {
            int e = heads[deferredList];
            unlink(e);
            long tick = tickOf(deadlines[e]);
            append(tick > currentTick ? (int) (tick & mask) : bucket, e);
        }
    }

    /**
     * The earliest deadline in the buckets. Scans one rotation from {@code currentTick}: the first bucket holding a
     * timer of that very tick holds the minimum (ticks grow with deadlines). If none does, every timer is at least one
     * rotation away and all are scanned.
     */
    private long minDeadlineInWheel() {
        int buckets = mask + 1;
        for (int i = 0; i < buckets; i++) {
            long tick = currentTick + i;
            long min = Long.MAX_VALUE;
            for (int e = heads[(int) (tick & mask)]; e != NONE; e = nexts[e]) {
                if (tickOf(deadlines[e]) <= tick && deadlines[e] < min) {
                    min = deadlines[e];
                }
            }
            if (min != Long.MAX_VALUE) {
                return min;
            }
        }
        long min = Long.MAX_VALUE;
        for (int b = 0; b < buckets; b++) {
            min = Math.min(min, minOfList(b));
        }
        return min;
    }

    private long minOfList(int list) {
        long min = Long.MAX_VALUE;
        for (int e = heads[list]; e != NONE; e = nexts[e]) {
            min = Math.min(min, deadlines[e]);
        }
        return min;
    }

    /** The tick of a time, saturating instead of overflowing. */
    private long tickOf(long timeNs) {
        long diff = timeNs - startNs;
        if (((timeNs ^ startNs) & (timeNs ^ diff)) < 0) { // overflow
            return timeNs < startNs ? Long.MIN_VALUE / 2 : Long.MAX_VALUE / 2;
        }
        return Math.floorDiv(diff, tickNs);
    }

    private long handle(int e) {
        return ((long) generations[e] << 32) | (e & 0xFFFF_FFFFL);
    }

    @SuppressWarnings("unchecked")
    private T owner(int e) {
        return (T) owners[e];
    }

    private void append(int list, int e) {
        if (list == deferredList) {
            deferredCount++;
        }
        lists[e] = list;
        nexts[e] = NONE;
        int tail = tails[list];
        prevs[e] = tail;
        if (tail == NONE) {
            heads[list] = e;
        } else {
            nexts[tail] = e;
        }
        tails[list] = e;
    }

    private void unlink(int e) {
        int list = lists[e];
        if (list == deferredList) {
            deferredCount--;
        }
        int prev = prevs[e];
        int next = nexts[e];
        if (prev == NONE) {
            heads[list] = next;
        } else {
            nexts[prev] = next;
        }
        if (next == NONE) {
            tails[list] = prev;
        } else {
            prevs[next] = prev;
        }
        lists[e] = NONE;
    }

    private void free(int e) {
        owners[e] = null;
        int generation = generations[e] + 1;
        generations[e] = generation == 0 ? 1 : generation;
        nexts[e] = freeHead;
        prevs[e] = NONE;
        freeHead = e;
        size--;
    }

    private void grow(int capacity) {
        int old = deadlines.length;
        if (capacity <= old) {
            throw new IllegalStateException("timer pool exhausted");
        }
        deadlines = Arrays.copyOf(deadlines, capacity);
        owners = Arrays.copyOf(owners, capacity);
        generations = Arrays.copyOf(generations, capacity);
        nexts = Arrays.copyOf(nexts, capacity);
        prevs = Arrays.copyOf(prevs, capacity);
        lists = Arrays.copyOf(lists, capacity);
        for (int e = capacity - 1; e >= old; e--) {
            generations[e] = 1;
            lists[e] = NONE;
            prevs[e] = NONE;
            nexts[e] = freeHead;
            freeHead = e;
        }
    }
}
