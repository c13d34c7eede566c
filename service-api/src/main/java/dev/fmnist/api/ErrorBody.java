package dev.fmnist.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * The body of every error answer of every service: {@code {"error": "reason"}}; an archive upload that
 * is refused for bad entries also lists them in {@code entries}.
 *
 * @param error   what was wrong, for a person
 * @param entries the bad entries of an archive (left out when there are none)
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ErrorBody(String error, List<Entry> entries) {

    /** One bad entry of an archive or folder. */
    public record Entry(String entry, String error) {
    }

    public ErrorBody {
        entries = entries == null ? List.of() : List.copyOf(entries);
    }

    public ErrorBody(String error) {
        this(error, List.of());
    }
}
