package dev.stackgan.trainer.service;

/** A run, checkpoint or bundle id that names nothing on record (gRPC NOT_FOUND, HTTP 404). */
public class NotFoundException extends RuntimeException {

    private final String field;

    /** @param field the request field that holds the id, as the API names it: {@code run_id}, {@code bundle_id} */
    public NotFoundException(String field, String message) {
        super(message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
