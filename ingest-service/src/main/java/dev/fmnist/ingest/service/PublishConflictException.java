package dev.fmnist.ingest.service;

import dev.fmnist.ingest.dataset.PublishJob;

/** A dataset publication is already running; only one runs at a time. */
public class PublishConflictException extends RuntimeException {
    private final PublishJob.Status running;

    public PublishConflictException(PublishJob.Status running) {
        super("a publication is already running: job " + running.jobId() + " (" + running.state() + ")");
        this.running = running;
    }

    public PublishJob.Status running() {
        return running;
    }
}
