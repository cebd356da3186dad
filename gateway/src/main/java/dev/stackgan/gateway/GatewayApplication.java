package dev.stackgan.gateway;

import io.micronaut.runtime.Micronaut;

/** HTTP (8080) and gRPC (50050) front door: prompt -> text encoder -> Stage-I -> Stage-II -> PNG. */
public final class GatewayApplication {

    private GatewayApplication() {
    }

    public static void main(String[] args) {
        Micronaut.run(GatewayApplication.class, args);
    }
}
