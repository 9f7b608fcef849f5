package io.ha.core.session;

import com.google.common.base.Preconditions;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bounded, in-memory record of the state changes this process observed (connection, membership, leadership,
 * locks), newest last, so an operator can see why leadership or a lock moved. Each recorded change is also logged
 * once at INFO under the logger {@code io.ha.events}.
 *
 * <p>Guarantee: events are kept in the order they were recorded; once more than {@link #capacity()} were recorded
 * the oldest are dropped. Not persisted: a restarted process starts with an empty timeline.
 */
public final class EventTimeline {
    private static final Logger EVENTS = LoggerFactory.getLogger("io.ha.events");
    public static final int DEFAULT_CAPACITY = 1024;

    private final int capacity;
    private final Clock clock;
    private final String owner;
    private final Deque<ClusterEvent> events = new ArrayDeque<>();
    private final List<Consumer<ClusterEvent>> listeners = new CopyOnWriteArrayList<>();

    public EventTimeline(String owner, int capacity, Clock clock) {
        Preconditions.checkArgument(capacity > 0, "timeline capacity must be positive: %s", capacity);
        this.owner = owner;
        this.capacity = capacity;
        this.clock = clock;
    }

    public EventTimeline(String owner) {
        this(owner, DEFAULT_CAPACITY, Clock.systemUTC());
    }

    /** Records (and logs) one state change. {@code token} is -1 when no epoch or fencing token applies. */
    public ClusterEvent record(EventKind kind, long token, String detail) {
        ClusterEvent event = new ClusterEvent(clock.instant(), kind, token, detail);
        synchronized (events) {
            if (events.size() == capacity) {
                events.removeFirst();
            }
            events.addLast(event);
        }
        if (token >= 0) {
            EVENTS.info("[{}] {} {} (token {})", owner, kind, event.detail(), token);
        } else {
            EVENTS.info("[{}] {} {}", owner, kind, event.detail());
        }
        for (Consumer<ClusterEvent> listener : listeners) {
            listener.accept(event);
        }
        return event;
    }

    public ClusterEvent record(EventKind kind, String detail) {
        return record(kind, -1, detail);
    }

    /** A copy of all kept events, oldest first. */
    public List<ClusterEvent> snapshot() {
        synchronized (events) {
            return List.copyOf(events);
        }
    }

    /** The kept events of one kind, oldest first. */
    public List<ClusterEvent> ofKind(EventKind kind) {
        List<ClusterEvent> out = new ArrayList<>();
        for (ClusterEvent e : snapshot()) {
            if (e.kind() == kind) {
                out.add(e);
            }
        }
        return out;
    }

    /** Called synchronously for every event recorded from now on; must be quick and must not throw. */
    public void addListener(Consumer<ClusterEvent> listener) {
        listeners.add(listener);
    }

    public void removeListener(Consumer<ClusterEvent> listener) {
        listeners.remove(listener);
    }

    public int capacity() {
        return capacity;
    }
}
