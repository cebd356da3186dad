package dev.stackgan.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micronaut.context.exceptions.ConfigurationException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The static:/// target: its list is parsed into replicas, and a malformed one stops the gateway naming the key. */
class StaticAddressesTest {

    @Test
    void aListOfHostsAndPortsIsEveryReplica() {
        assertEquals(List.of(new StaticAddresses.HostAndPort("stage2-a", 50053),
                        new StaticAddresses.HostAndPort("10.0.0.7", 6000)),
                StaticAddresses.entries(URI.create("static:///stage2-a:50053,10.0.0.7:6000")));
    }

    @Test
    void entriesWithoutAValidPortAreRefusedNamingTheEntry() {
        for (String entry : List.of("stage2", "stage2:0", "stage2:65536", "stage2:http", ":50053")) {
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                    () -> StaticAddresses.entries(URI.create("static:///localhost:1," + entry)));
            assertTrue(refused.getMessage().contains("'" + entry + "' is not host:port"), refused.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> StaticAddresses.entries(URI.create("static:///")));
    }

    @Test
    void aMalformedTargetStopsTheGatewayNamingItsKey() {
        GatewayConfiguration config = new GatewayConfiguration();
        config.setStage1Target("static:///localhost:50052,localhost");
        ConfigurationException refused = assertThrows(ConfigurationException.class,
                () -> new ModelServices(config, new RetryConfiguration(), List.of()));
        assertTrue(refused.getMessage().contains("stackgan.gateway.stage1-target"), refused.getMessage());
        assertTrue(refused.getMessage().contains("'localhost' is not host:port"), refused.getMessage());
    }

    @Test
    void retriesAreOneToFiveAttempts() {
        RetryConfiguration retry = new RetryConfiguration();
        retry.setMaxAttempts(6);
        ConfigurationException refused = assertThrows(ConfigurationException.class, retry::serviceConfig);
        assertTrue(refused.getMessage().contains("stackgan.gateway.retry.max-attempts is 6"), refused.getMessage());
        retry.setMaxAttempts(1);
        assertEquals(Map.of(), retry.serviceConfig());
    }
}
