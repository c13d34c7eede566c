package dev.fmnist.ingest.service;

import dev.fmnist.api.PublishStatus;
import dev.fmnist.ingest.dataset.PublishJob;

/** A dataset publication is already running; only one runs at a time. */
public class PublishConflictException extends RuntimeException {
    private final PublishStatus running;

    public PublishConflictException(PublishStatus running) {
        super("a publication is already running: job " + running.jobId() + " (" + running.state() + ")");
        this.running = running;
    }

    public PublishStatus running() {
        return running;
    }
}
