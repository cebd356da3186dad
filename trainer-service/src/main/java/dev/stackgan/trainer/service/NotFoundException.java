package dev.stackgan.trainer.service;

/** A run, checkpoint or bundle id that names nothing on record (gRPC NOT_FOUND). */
public class NotFoundException extends RuntimeException {
    public NotFoundException(String message) {
        super(message);
    }
}
