package dev.fmnist.contracts;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.CRC32C;

/** Test helpers to tamper with binary records and give them a valid CRC32C trailer again. */
final class Records {
    private Records() {
    }

    /** Rewrites the last four bytes with the CRC32C of everything before them. */
    static byte[] reseal(byte[] record) {
        CRC32C crc = new CRC32C();
        crc.update(record, 0, record.length - 4);
        ByteBuffer.wrap(record).putInt(record.length - 4, (int) crc.getValue());
        return record;
    }

    /** A copy with its body (everything before the trailer) cut or padded to bodyLength, resealed. */
    static byte[] resizeBody(byte[] record, int bodyLength) {
        byte[] out = Arrays.copyOf(Arrays.copyOf(record, record.length - 4), bodyLength + 4);
        return reseal(out);
    }

    static byte[] copy(byte[] record) {
        return record.clone();
    }
}
