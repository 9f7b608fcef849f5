package io.ha.core.internal;

import io.ha.core.CorruptDataException;
import java.nio.charset.StandardCharsets;

/**
 * The stored form of the leader epoch in {@code /epoch}: a decimal counter in ASCII. The one place that reads and
 * writes it, for the leader that bumps it and the dispatcher that fences its writes with it.
 *
 * <p>Guarantee: {@link #decode} returns a non-negative epoch or throws {@link CorruptDataException} naming the path;
 * empty data (a node created without data) reads as 0. Not guaranteed: that the number is the current epoch (it is
 * what the node held when read).
 */
public final class EpochCodec {
    /** Longer text is no epoch: {@code Long.MAX_VALUE} has 19 digits. */
    private static final int MAX_CHARS = 32;

    private EpochCodec() {
    }

    public static byte[] encode(long epoch) {
        return Long.toString(epoch).getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * @throws CorruptDataException naming {@code path} when the data is not a non-negative decimal number
     */
    public static long decode(String path, byte[] data) {
        if (data == null || data.length == 0) {
            return 0;
        }
        if (data.length > MAX_CHARS) {
            throw new CorruptDataException(path, "leader epoch of " + data.length + " bytes");
        }
        String text = new String(data, StandardCharsets.US_ASCII).trim();
        if (text.isEmpty()) {
            return 0;
        }
        for (int i = 0; i < text.length(); i++) {
            // Long.parseLong takes non-ASCII digits and a sign; the counter is written as plain ASCII digits.
            if (text.charAt(i) < '0' || text.charAt(i) > '9') {
                throw new CorruptDataException(path, "leader epoch is not a number: '" + printable(text) + "'");
            }
        }
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new CorruptDataException(path, "leader epoch out of range: '" + text + "'");
        }
    }

    private static String printable(String text) {
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(c -> out.append(c >= 0x20 && c < 0x7f ? (char) c : '?'));
        return out.toString();
    }
}
