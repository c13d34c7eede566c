package dev.fmnist.inference.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

/** The wire bytes, checked against the encoding examples of the protobuf documentation. */
class ProtoWriterTest {
    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    @Test
    void varintFieldsAsTheDocumentationEncodesThem() {
        // field 1 = 150: tag 08, then 150 in two seven-bit groups
        assertArrayEquals(bytes(0x08, 0x96, 0x01), new ProtoWriter().int64(1, 150).toByteArray());
        assertArrayEquals(bytes(0x08, 0x00), new ProtoWriter().int64(1, 0).toByteArray());
        // an int64 -1 is ten bytes: 64 bits of ones, seven at a time
        assertArrayEquals(bytes(0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01),
                new ProtoWriter().int64(3, -1).toByteArray());
        // field 20 needs a two-byte tag: (20 << 3) | 0 = 160
        assertArrayEquals(bytes(0xA0, 0x01, 0x07), new ProtoWriter().int64(20, 7).toByteArray());
        assertArrayEquals(bytes(0x40, 0x05, 0x40, 0x05), new ProtoWriter().int64s(8, 5, 5).toByteArray());
    }

    @Test
    void lengthDelimitedFieldsAndNestedMessages() {
        assertArrayEquals(bytes(0x12, 0x07, 't', 'e', 's', 't', 'i', 'n', 'g'),
                new ProtoWriter().string(2, "testing").toByteArray());
        // the documentation's message Test3 { Test1 c = 3; } with c.a = 150
        assertArrayEquals(bytes(0x1A, 0x03, 0x08, 0x96, 0x01),
                new ProtoWriter().message(3, new ProtoWriter().int64(1, 150)).toByteArray());
        // a length over 127 takes a two-byte varint
        byte[] big = new ProtoWriter().bytes(9, new byte[300]).toByteArray();
        assertArrayEquals(bytes(0x4A, 0xAC, 0x02), java.util.Arrays.copyOf(big, 3));
        assertArrayEquals(new byte[300], java.util.Arrays.copyOfRange(big, 3, big.length));
    }
}
