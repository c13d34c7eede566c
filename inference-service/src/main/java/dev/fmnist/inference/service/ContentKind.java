package dev.fmnist.inference.service;

import java.util.Locale;

/** How a request arrived: the {@code content.type} tag of the request metrics (a fixed, small set). */
public enum ContentKind {
    RAW("raw"), PNG("png"), JPEG("jpeg"), JSON("json"), JSON_BATCH("json-batch"), KAFKA("kafka"), OTHER("other");

    private final String tag;

    ContentKind(String tag) {
        this.tag = tag;
    }

    public String tag() {
        return tag;
    }

    /** Maps a Content-Type header to a kind; anything unexpected is {@link #OTHER}. */
    public static ContentKind ofHeader(String contentType) {
        if (contentType == null) {
            return OTHER;
        }
        String t = contentType.toLowerCase(Locale.ROOT);
        if (t.startsWith("application/octet-stream")) {
            return RAW;
        }
        if (t.startsWith("image/png")) {
            return PNG;
        }
        if (t.startsWith("image/jpeg")) {
            return JPEG;
        }
        if (t.startsWith("application/json")) {
            return JSON;
        }
        return OTHER;
    }
}
