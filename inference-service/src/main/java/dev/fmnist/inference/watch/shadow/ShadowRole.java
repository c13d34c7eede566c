package dev.fmnist.inference.watch.shadow;

import java.util.Locale;

/** What a shadow-scored version is to the live one: the metrics' {@code role} tag. */
public enum ShadowRole {
    /** A version waiting for promotion (gated): it must do as well as the live one. */
    CANDIDATE,
    /** The version before the live one: the live one must not do significantly worse (rollback). */
    BASELINE;

    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }
}
