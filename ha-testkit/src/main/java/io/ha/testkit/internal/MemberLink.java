package io.ha.testkit.internal;

import io.ha.testkit.zk.Ensemble;
import io.ha.testkit.proxy.TcpProxy;
import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/**
 * One member's network: a {@link TcpProxy} in front of each server of the ensemble, all failed together, so a member
 * that loses its server still fails over to another as it would without the proxies.
 */
public final class MemberLink implements Closeable {
    private final List<TcpProxy> proxies;
    private final AtomicBoolean replyDropped = new AtomicBoolean();

    public MemberLink(Ensemble ensemble) throws IOException {
        List<TcpProxy> list = new ArrayList<>();
        for (int i = 0; i < ensemble.size(); i++) {
            list.add(new TcpProxy(ensemble.clientPort(i)));
        }
        this.proxies = List.copyOf(list);
    }

    /** The member's connect string: its proxies, in the order of the servers. */
    public String connectString() {
        return proxies.stream().map(TcpProxy::connectString).collect(Collectors.joining(","));
    }

    public void partition() {
        proxies.forEach(TcpProxy::partition);
    }

    public void heal() {
        proxies.forEach(TcpProxy::heal);
    }

    public void freeze() {
        proxies.forEach(TcpProxy::freeze);
    }

    public void thaw() {
        proxies.forEach(TcpProxy::thaw);
    }

    /** Arms every proxy; the first reply seen while {@code condition} holds, on any of them, is the one dropped. */
    public void dropNextReplyWhen(BooleanSupplier condition) {
        replyDropped.set(false);
        for (TcpProxy proxy : proxies) {
            proxy.dropNextReplyWhen(() -> !replyDropped.get() && condition.getAsBoolean()
                    && replyDropped.compareAndSet(false, true));
        }
    }

    public boolean replyDropped() {
        return replyDropped.get();
    }

    /** The index of the server the member is connected to now, if any. */
    public OptionalInt connectedServer() {
        for (int i = 0; i < proxies.size(); i++) {
            if (proxies.get(i).hasClient()) {
                return OptionalInt.of(i);
            }
        }
        return OptionalInt.empty();
    }

    @Override
    public void close() throws IOException {
        for (TcpProxy proxy : proxies) {
            proxy.close();
        }
    }
}
