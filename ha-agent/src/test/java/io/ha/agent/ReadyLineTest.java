package io.ha.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;

class ReadyLineTest {
    @Test
    void thePatternFindsTheLineItWritesWithItsGroups() {
        ReadyLine ready = new ReadyLine("web-1", "127.0.0.1:8080", "zk1:2181,zk2:2181/chroot");
        assertThat(ready.line()).isEqualTo("HA-AGENT READY id=web-1 http=127.0.0.1:8080 zk=zk1:2181,zk2:2181/chroot");
        Matcher m = ReadyLine.PATTERN.matcher("12:00:01 " + ready.line());
        assertThat(m.find()).isTrue();
        assertThat(ReadyLine.of(m)).isEqualTo(ready);
        assertThat(m.group(1)).isEqualTo("web-1");
        assertThat(m.group(2)).isEqualTo("127.0.0.1:8080");
    }

    @Test
    void otherLinesDoNotMatch() {
        assertThat(ReadyLine.PATTERN.matcher("HA-AGENT READY id=x").find()).isFalse();
        assertThat(ReadyLine.PATTERN.matcher("HA-AGENT STARTING id=x http=y zk=z").find()).isFalse();
        assertThat(ReadyLine.PATTERN.matcher("HA-ZK READY 127.0.0.1:2181").find()).isFalse();
    }
}
