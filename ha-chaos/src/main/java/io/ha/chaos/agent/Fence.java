package io.ha.chaos.agent;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A store outside ZooKeeper that fences its writers, as the guarantees of leader epochs and lock tokens ask users to:
 * it remembers the highest token it accepted (8 bytes in a file shared by every agent process of the run, under an
 * OS file lock) and refuses any write with a lower one. A refused write is a zombie caught: a holder that lost its
 * lease (paused, partitioned) and acted before it noticed.
 *
 * <p>Guarantee: of two writes, the one with the lower token is refused when it comes after the higher one. Not
 * guaranteed: anything across different fence files (one per lock or per election).
 */
public final class Fence {
    private final Path file;

    public Fence(Path file) {
        this.file = file;
    }

    /** Writes {@code token} when it is at least the highest accepted so far; false (nothing written) otherwise. */
    public boolean admit(long token) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE); FileLock ignored = ch.lock()) {
            ByteBuffer b = ByteBuffer.allocate(Long.BYTES);
            long highest = ch.read(b, 0) == Long.BYTES ? b.flip().getLong() : Long.MIN_VALUE;
            if (token < highest) {
                return false;
            }
            b.clear();
            b.putLong(token).flip();
            ch.write(b, 0);
            return true;
        }
    }
}
