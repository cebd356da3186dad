package dev.stackgan.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackgan.bundle.image.PngEncoder;
import io.micronaut.context.exceptions.ConfigurationException;
import org.junit.jupiter.api.Test;

class GatewayConfigurationTest {

    @Test
    void thePngSettingsChooseTheEncoder() {
        GatewayConfiguration config = new GatewayConfiguration();
        assertEquals(new PngEncoder(1, PngEncoder.Filter.SUB, PngEncoder.Strategy.HUFFMAN_ONLY), config.pngEncoder());
        config.setPngCompressionLevel(6);
        config.setPngFilter("up");
        config.setPngDeflateStrategy("default");
        assertEquals(new PngEncoder(6, PngEncoder.Filter.UP, PngEncoder.Strategy.DEFAULT), config.pngEncoder());
    }

    @Test
    void anUnknownStrategyIsRefusedNamingTheSettingAndTheValue() {
        GatewayConfiguration config = new GatewayConfiguration();
        config.setPngDeflateStrategy("zopfli");
        ConfigurationException refused = assertThrows(ConfigurationException.class, config::pngEncoder);
        assertTrue(refused.getMessage().contains("stackgan.gateway.png-") && refused.getMessage().contains("'zopfli'"),
                refused.getMessage());
    }
}
