package dev.fmnist.inference.rest;

import dev.fmnist.contracts.FashionMnist;
import dev.fmnist.inference.service.InvalidInputException;

/** The optional true label of a request: 0-9 or a class name. */
final class Labels {
    private Labels() {
    }

    /** @return the class index, or null for a missing or blank label; @throws InvalidInputException (400) */
    static Integer parse(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return FashionMnist.parseLabel(text);
        } catch (IllegalArgumentException e) {
            throw InvalidInputException.badRequest(e.getMessage());
        }
    }
}
