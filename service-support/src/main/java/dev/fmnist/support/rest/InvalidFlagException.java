package dev.fmnist.support.rest;

/** A query flag, form field or header that is neither {@code true} nor {@code false}: a 400 with the reason. */
public class InvalidFlagException extends IllegalArgumentException {
    public InvalidFlagException(String name, String value) {
        super(name + " must be true or false, got " + (value.isBlank() ? "an empty value" : "'" + value + "'"));
    }
}
