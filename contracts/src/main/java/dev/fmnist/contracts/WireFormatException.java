package dev.fmnist.contracts;

/** A record on the wire does not follow its contract; the message names what is wrong. */
public class WireFormatException extends RuntimeException {
    public WireFormatException(String message) {
        super(message);
    }

    public WireFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
