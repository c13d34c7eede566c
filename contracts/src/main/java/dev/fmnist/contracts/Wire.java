package dev.fmnist.contracts;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/** Shared primitives of the binary wire formats: length-prefixed strings and the CRC32C trailer. */
final class Wire {
    static final int CRC_BYTES = 4;
    static final int MAX_STRING_BYTES = 0xFFFF;

    private Wire() {
    }

    static byte[] utf8(String s, String field) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length > MAX_STRING_BYTES) {
            throw new IllegalArgumentException(field + " is longer than " + MAX_STRING_BYTES + " bytes");
        }
        return b;
    }

    static void putString(ByteBuffer buf, byte[] utf8) {
        buf.putShort((short) utf8.length);
        buf.put(utf8);
    }

    static String getString(ByteBuffer buf, String field) {
        int len = Short.toUnsignedInt(need(buf, 2, field + " length").getShort());
        byte[] b = new byte[len];
        need(buf, len, field).get(b);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw new WireFormatException(field + " is not valid UTF-8");
        }
    }

    /** Fails with a message naming the field when fewer than n bytes remain. */
    static ByteBuffer need(ByteBuffer buf, long n, String field) {
        if (n < 0 || buf.remaining() < n) {
            throw new WireFormatException("truncated record: " + field + " needs " + n + " bytes, "
                    + buf.remaining() + " left");
        }
        return buf;
    }

    static int crc32c(byte[] data, int length) {
        CRC32C crc = new CRC32C();
        crc.update(data, 0, length);
        return (int) crc.getValue();
    }

    /** Writes the CRC32C of everything before the trailer into the last four bytes. */
    static byte[] seal(ByteBuffer buf) {
        if (buf.remaining() != CRC_BYTES) {
            throw new IllegalStateException("encoder size mismatch: " + buf.remaining() + " bytes left for the trailer");
        }
        byte[] out = buf.array();
        buf.putInt(crc32c(out, out.length - CRC_BYTES));
        return out;
    }

    /**
     * Checks magic, format version and trailer, in that order, and returns a buffer over the body
     * (everything but the trailer) positioned just after the version byte at offset 4. The version
     * is checked before the checksum so that a record of a newer format (which may checksum
     * differently) is reported as such rather than as corrupt.
     */
    static ByteBuffer open(byte[] data, int magic, int version, String format, int minBytes) {
        return open(data, magic, version, version, format, minBytes);
    }

    /** {@link #open(byte[], int, int, String, int)} for a reader that knows versions {@code minVersion..maxVersion}. */
    static ByteBuffer open(byte[] data, int magic, int minVersion, int maxVersion, String format, int minBytes) {
        if (data == null) {
            throw new WireFormatException(format + ": record has no value (null)");
        }
        if (data.length < minBytes) {
            throw new WireFormatException(format + ": record of " + data.length + " bytes is shorter than the "
                    + minBytes + "-byte minimum");
        }
        ByteBuffer buf = ByteBuffer.wrap(data);
        int actualMagic = buf.getInt(0);
        if (actualMagic != magic) {
            throw new WireFormatException(String.format("%s: bad magic 0x%08X, expected 0x%08X", format, actualMagic, magic));
        }
        int actualVersion = Byte.toUnsignedInt(buf.get(4));
        if (actualVersion < minVersion || actualVersion > maxVersion) {
            throw new WireFormatException(format + ": unsupported format version " + actualVersion
                    + " (this reader knows " + (minVersion == maxVersion ? String.valueOf(minVersion)
                    : minVersion + "-" + maxVersion) + ")");
        }
        int stored = buf.getInt(data.length - CRC_BYTES);
        int computed = crc32c(data, data.length - CRC_BYTES);
        if (stored != computed) {
            throw new WireFormatException(String.format("%s: checksum mismatch (stored 0x%08X, computed 0x%08X)",
                    format, stored, computed));
        }
        return buf.limit(data.length - CRC_BYTES).position(5);
    }

    static void requireFullyRead(ByteBuffer buf, String format) {
        if (buf.hasRemaining()) {
            throw new WireFormatException(format + ": " + buf.remaining() + " unexpected bytes after the last field");
        }
    }

    static <T> T guard(String format, java.util.function.Supplier<T> decoder) {
        try {
            return decoder.get();
        } catch (BufferUnderflowException e) {
            throw new WireFormatException(format + ": truncated record", e);
        }
    }
}
