package dev.fmnist.contracts;

/** Which part of the data an image batch belongs to; the code is its byte on the wire. */
public enum Split {
    TRAIN(0),
    TEST(1),
    /** Labelled images users stream in; trained on like TRAIN. */
    USER(2);

    private final int code;

    Split(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static Split ofCode(int code) {
        for (Split s : values()) {
            if (s.code == code) {
                return s;
            }
        }
        throw new WireFormatException("unknown split code " + code + " (0 train, 1 test, 2 user)");
    }
}
