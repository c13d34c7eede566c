package dev.fmnist.ingest.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.fmnist.ingest.images.RejectedInputException;
import java.util.List;

/** The body of every error answer: {"error": "reason"}, plus the bad entries of an archive. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ApiError(String error, List<RejectedInputException.EntryError> entries) {
    public ApiError(String error) {
        this(error, List.of());
    }
}
