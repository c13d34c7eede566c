package dev.fmnist.contracts.idx;

import java.nio.file.Path;

/** An IDX file is missing, corrupt or truncated; the message names the file. */
public class IdxFormatException extends RuntimeException {
    public IdxFormatException(Path file, String problem) {
        super(file + ": " + problem);
    }

    public IdxFormatException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }
}
