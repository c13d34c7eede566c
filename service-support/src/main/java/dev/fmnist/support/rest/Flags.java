package dev.fmnist.support.rest;

/**
 * The one rule for boolean flags of every service (query parameters such as {@code ?force=} and
 * {@code ?invert=}, form fields, record headers): absent means the default; {@code true} or
 * {@code false} in any case (surrounding white space ignored) is that value; anything else, the empty
 * value ({@code ?force=}) included, is refused, so a typo never silently means false.
 */
public final class Flags {
    private Flags() {
    }

    /**
     * @param name   the flag's name, for the reason of a refusal
     * @param value  the text as sent, null when absent
     * @param absent the value when the flag is not sent
     * @throws InvalidFlagException when {@code value} is neither true nor false
     */
    public static boolean parse(String name, String value, boolean absent) {
        if (value == null) {
            return absent;
        }
        String v = value.strip();
        if (v.equalsIgnoreCase("true")) {
            return true;
        }
        if (v.equalsIgnoreCase("false")) {
            return false;
        }
        throw new InvalidFlagException(name, value);
    }
}
