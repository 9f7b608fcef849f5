package io.ha.agent.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class OncePerClientTest {
    private static InetAddress address(int i) throws Exception {
        return InetAddress.getByAddress(new byte[] {10, 0, (byte) (i >> 8), (byte) i});
    }

    @Test
    void reportsEachAddressOnceWithinItsCapacity() throws Exception {
        OncePerClient once = new OncePerClient(2);
        assertThat(once.first(address(1))).isTrue();
        assertThat(once.first(address(1))).isFalse();
        assertThat(once.first(address(2))).isTrue();
        assertThat(once.first(address(1))).isFalse();
        // A third address evicts the first one seen: memory stays bounded, at the price of a second report.
        assertThat(once.first(address(3))).isTrue();
        assertThat(once.first(address(1))).isTrue();
        assertThat(once.first(address(3))).isFalse();
    }

    @Test
    void manyClientsStayWithinTheCapacity() throws Exception {
        OncePerClient once = new OncePerClient(100);
        for (int i = 0; i < 10_000; i++) {
            once.first(address(i));
        }
        // The 100 most recent are remembered, the older ones are not.
        assertThat(once.first(address(9_999))).isFalse();
        assertThat(once.first(address(9_900))).isFalse();
        assertThat(once.first(address(0))).isTrue();
    }
}
