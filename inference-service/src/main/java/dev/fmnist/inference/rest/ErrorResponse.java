package dev.fmnist.inference.rest;

/** Every error answer: {@code {"error": "reason"}}. */
public record ErrorResponse(String error) {
}
