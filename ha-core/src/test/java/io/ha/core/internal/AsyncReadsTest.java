package io.ha.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ha.core.cluster.ClusterRole;
import io.ha.core.cluster.HaCluster;
import io.ha.core.session.EventKind;
import io.ha.core.testing.ZkTestBase;
import io.ha.testkit.proxy.TcpProxy;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.KeeperException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Reads of many nodes in one request, against a real server. */
class AsyncReadsTest extends ZkTestBase {
    private final ExecutorService executor = Executors.newSingleThreadExecutor();

    @AfterEach
    void stopExecutor() {
        executor.shutdownNow();
    }

    private List<AsyncReads.Result> readTogether(HaCluster cluster, List<String> paths) throws Exception {
        CompletableFuture<List<AsyncReads.Result>> done = new CompletableFuture<>();
        AsyncReads.getDataTogetherThen(cluster.curator(), paths, executor, done::complete);
        return done.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Test
    void eachReadOfOneRequestHasItsOwnResult() throws Exception {
        HaCluster cluster = member("reader", b -> b.role(ClusterRole.OBSERVER));
        cluster.curator().create().creatingParentsIfNeeded()
                .forPath("/reads/a", "first".getBytes(StandardCharsets.UTF_8));
        cluster.curator().create().forPath("/reads/b", "second".getBytes(StandardCharsets.UTF_8));
        cluster.curator().setData().forPath("/reads/b", "second, changed".getBytes(StandardCharsets.UTF_8));

        List<AsyncReads.Result> results = readTogether(cluster, List.of("/reads/a", "/reads/missing", "/reads/b"));

        assertThat(results).extracting(AsyncReads.Result::path)
                .containsExactly("/reads/a", "/reads/missing", "/reads/b");
        assertThat(results).extracting(AsyncReads.Result::code)
                .containsExactly(KeeperException.Code.OK, KeeperException.Code.NONODE, KeeperException.Code.OK);
        assertThat(new String(results.get(0).data(), StandardCharsets.UTF_8)).isEqualTo("first");
        assertThat(new String(results.get(2).data(), StandardCharsets.UTF_8)).isEqualTo("second, changed");
        assertThat(results.get(2).stat().getVersion()).isEqualTo(1);
    }

    /**
     * ZooKeeper's client drops its connection when an answer exceeds its packet limit (1 MiB by default); HaCluster
     * raises the limit so that a worker's batch of large records arrives whole.
     */
    @Test
    void anAnswerOverOneMebibyteArrivesWithoutDroppingTheConnection() throws Exception {
        HaCluster cluster = member("reader", b -> b.role(ClusterRole.OBSERVER));
        byte[] big = new byte[400 * 1024];
        Arrays.fill(big, (byte) 'x');
        List<String> paths = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            String path = "/big/n" + i;
            cluster.curator().create().creatingParentsIfNeeded().forPath(path, big);
            paths.add(path);
        }

        List<AsyncReads.Result> results = readTogether(cluster, paths);

        assertThat(results).allSatisfy(r -> {
            assertThat(r.code()).isEqualTo(KeeperException.Code.OK);
            assertThat(r.data()).hasSize(big.length);
        });
        assertThat(cluster.timeline().ofKind(EventKind.SUSPENDED)).isEmpty();
    }

    @Test
    void aLostConnectionFailsEveryReadOfTheRequest() throws Exception {
        TcpProxy proxy = closeLater(new TcpProxy(server.getPort()));
        HaCluster cluster = member("reader", b -> b.role(ClusterRole.OBSERVER).connectString(proxy.connectString()));
        cluster.curator().create().forPath("/here", new byte[1]);
        proxy.partition();
        try {
            List<AsyncReads.Result> results = readTogether(cluster, List.of("/here", "/here"));

            assertThat(results).extracting(AsyncReads.Result::code)
                    .containsOnly(KeeperException.Code.CONNECTIONLOSS);
        } finally {
            proxy.heal();
        }
        await().atMost(WAIT).until(() -> readTogether(cluster, List.of("/here")).get(0).ok());
    }

    /** A small bucketed tree is listed in one request, and with the same results as one request per bucket. */
    @Test
    void childrenOfASmallTreeComeInOneRequestWithThePipelinedResults() throws Exception {
        HaCluster cluster = member("reader", b -> b.role(ClusterRole.OBSERVER));
        List<String> buckets = tree(cluster, "/small", 10, 3);
        List<String> paths = new ArrayList<>(buckets);
        paths.add("/small/missing");

        long before = requestsReceived();
        List<AsyncReads.Result> together = AsyncReads.childrenOfSmallTree(cluster.curator(), "/small", paths, 100,
                WAIT.toMillis());
        long requests = requestsReceived() - before - 1; // the srvr command's own connection counts once

        assertThat(requests).as("requests to list %s paths", paths.size()).isLessThanOrEqualTo(2);
        assertSameListings(together, AsyncReads.children(cluster.curator(), paths, WAIT.toMillis()));
        assertThat(together.get(10).code()).isEqualTo(KeeperException.Code.NONODE);
        assertThat(together.get(0).children()).containsExactlyInAnyOrder("c0", "c1", "c2");
    }

    /** A tree over the limit is listed one request per bucket: the answer of one request could exceed the limit. */
    @Test
    void childrenOfATreeOverTheLimitArePipelined() throws Exception {
        HaCluster cluster = member("reader", b -> b.role(ClusterRole.OBSERVER));
        List<String> buckets = tree(cluster, "/large", 10, 3);

        long before = requestsReceived();
        List<AsyncReads.Result> listed = AsyncReads.childrenOfSmallTree(cluster.curator(), "/large", buckets, 39,
                WAIT.toMillis());
        long requests = requestsReceived() - before - 1;

        assertThat(requests).isGreaterThanOrEqualTo(buckets.size());
        assertSameListings(listed, AsyncReads.children(cluster.curator(), buckets, WAIT.toMillis()));
    }

    private static List<String> tree(HaCluster cluster, String root, int buckets, int children) throws Exception {
        List<String> paths = new ArrayList<>();
        for (int b = 0; b < buckets; b++) {
            String bucket = root + "/b" + b;
            for (int c = 0; c < children; c++) {
                cluster.curator().create().creatingParentsIfNeeded().forPath(bucket + "/c" + c);
            }
            paths.add(bucket);
        }
        return paths;
    }

    private static void assertSameListings(List<AsyncReads.Result> actual, List<AsyncReads.Result> expected) {
        assertThat(actual).extracting(AsyncReads.Result::path)
                .containsExactlyElementsOf(expected.stream().map(AsyncReads.Result::path).toList());
        assertThat(actual).extracting(AsyncReads.Result::code)
                .containsExactlyElementsOf(expected.stream().map(AsyncReads.Result::code).toList());
        for (int i = 0; i < expected.size(); i++) {
            List<String> want = expected.get(i).children();
            if (want == null) {
                assertThat(actual.get(i).children()).isNull();
            } else {
                assertThat(actual.get(i).children()).containsExactlyInAnyOrderElementsOf(want);
            }
        }
    }

    /** Packets the server received so far, from its {@code srvr} command (one connection of its own). */
    private long requestsReceived() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.getPort())) {
            socket.getOutputStream().write("srvr".getBytes(StandardCharsets.US_ASCII));
            String text = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            for (String line : text.split("\n")) {
                if (line.startsWith("Received:")) {
                    return Long.parseLong(line.substring("Received:".length()).trim());
                }
            }
            throw new AssertionError("no Received line in the answer to srvr: " + text);
        }
    }
}
