package io.ha.agent.exec;

import java.nio.charset.StandardCharsets;

/**
 * The last {@code capacity} bytes written to it (a ring buffer), so a command's output of any length costs bounded
 * memory. Thread-safe.
 */
final class OutputTail {
    private final byte[] ring;
    private long total;

    OutputTail(int capacity) {
        this.ring = new byte[capacity];
    }

    synchronized void write(byte[] b, int off, int len) {
        for (int i = 0; i < len; i++) {
            ring[(int) ((total + i) % ring.length)] = b[off + i];
        }
        total += len;
    }

    /** Bytes written in all. */
    synchronized long total() {
        return total;
    }

    /** The kept bytes, oldest first. */
    synchronized byte[] bytes() {
        int n = (int) Math.min(total, ring.length);
        byte[] out = new byte[n];
        long start = total - n;
        for (int i = 0; i < n; i++) {
            out[i] = ring[(int) ((start + i) % ring.length)];
        }
        return out;
    }

    /**
     * The kept output as text, at most {@code maxChars} characters taken from the end; a character cut in two at the
     * start is dropped rather than shown as garbage.
     */
    String text(int maxChars) {
        String s = new String(bytes(), StandardCharsets.UTF_8);
        if (!s.isEmpty() && s.charAt(0) == '\uFFFD') {
            s = s.substring(1);
        }
        return s.length() <= maxChars ? s : s.substring(s.length() - maxChars);
    }
}
