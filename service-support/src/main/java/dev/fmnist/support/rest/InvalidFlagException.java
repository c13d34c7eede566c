package dev.fmnist.support.rest;

/** A query flag, form field or header that is neither {@code true} nor {@code false}: a 400 with the reason. */
public class InvalidFlagException extends ApiException {
    public InvalidFlagException(String name, String value) {
        super(400, name + " must be true or false, got " + (value.isBlank() ? "an empty value" : "'" + value + "'"));
    }
}
