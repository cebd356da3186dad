package dev.stackgan.security;

import java.util.Set;

/**
 * What a call needs (docs/operations.md, "Authentication"). gRPC methods are classified here, for every service in
 * one place; HTTP routes by {@link Guarded} on their controller. MANAGEMENT: the calls that change what is served or
 * trained. API: the gateway's image API, guarded only when an API token is configured. OPEN: everything else
 * (health, reflection, metrics, model info, the trainer's reads, the model services' inference, which the gateway
 * calls and mutual TLS guards).
 */
public enum Scope {
    MANAGEMENT, API, OPEN;

    private static final Set<String> MANAGEMENT_METHODS = Set.of(
            "stackgan.v1.ModelManagementService/ReloadModel",
            "stackgan.v1.TrainerService/CreateRun",
            "stackgan.v1.TrainerService/CancelRun",
            "stackgan.v1.TrainerService/ResumeRun",
            "stackgan.v1.TrainerService/ImportCheckpoint",
            "stackgan.v1.TrainerService/ExportBundle",
            "stackgan.v1.TrainerService/PromoteBundle");
    private static final String API_SERVICE = "stackgan.v1.GatewayService";

    /** The scope of a gRPC method by its full name, e.g. {@code stackgan.v1.GatewayService/Generate}. */
    public static Scope ofGrpc(String fullMethodName) {
        if (MANAGEMENT_METHODS.contains(fullMethodName)) {
            return MANAGEMENT;
        }
        return fullMethodName.startsWith(API_SERVICE + "/") ? API : OPEN;
    }
}
