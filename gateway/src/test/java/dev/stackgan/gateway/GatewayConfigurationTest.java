package dev.stackgan.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackgan.bundle.image.PngEncoder;
import dev.stackgan.serving.PngSettings;
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

    @Test
    void stage2EncodesUnlessTheGatewayIsNamed() {
        GatewayConfiguration config = new GatewayConfiguration();
        assertTrue(config.stage2EncodesPng());
        config.setPngEncodedBy("gateway");
        assertFalse(config.stage2EncodesPng());
        config.setPngEncodedBy("stage1-service");
        ConfigurationException refused = assertThrows(ConfigurationException.class, config::stage2EncodesPng);
        assertEquals("stackgan.gateway.png-encoded-by is 'stage1-service'; use stage2-service or gateway",
                refused.getMessage());
    }

    /** The settings travel to Stage-II as PngOptions and come back as the same encoder. */
    @Test
    void theSettingsSurviveTheWire() {
        for (PngEncoder.Filter filter : PngEncoder.Filter.values()) {
            for (PngEncoder.Strategy strategy : PngEncoder.Strategy.values()) {
                PngEncoder encoder = new PngEncoder(filter.ordinal() + 2 * strategy.ordinal(), filter, strategy);
                assertEquals(encoder, PngSettings.fromProto("png_options", PngSettings.toProto(encoder)));
            }
        }
    }
}
