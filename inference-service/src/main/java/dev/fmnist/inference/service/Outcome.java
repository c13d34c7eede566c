package dev.fmnist.inference.service;

/** The {@code outcome} tag of the request metrics. */
public enum Outcome {
    OK("ok"), BAD_REQUEST("bad_request"), TOO_LARGE("too_large"), UNSUPPORTED("unsupported_media_type"),
    UNAVAILABLE("model_unavailable"), UNKNOWN_MODEL("unknown_model"), BUSY("busy"), ERROR("error");

    private final String tag;

    Outcome(String tag) {
        this.tag = tag;
    }

    public String tag() {
        return tag;
    }
}
