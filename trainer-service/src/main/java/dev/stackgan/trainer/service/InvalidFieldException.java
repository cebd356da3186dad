package dev.stackgan.trainer.service;

/** A request field that breaks a rule (gRPC INVALID_ARGUMENT, HTTP 400), naming the field as the API does. */
public class InvalidFieldException extends IllegalArgumentException {

    private final String field;

    public InvalidFieldException(String field, String message) {
        super(message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
