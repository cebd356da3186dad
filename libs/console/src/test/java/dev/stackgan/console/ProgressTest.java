package dev.stackgan.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressTest {

    @Test
    void theLineShowsBarPercentageWhatRateAndEta() {
        assertEquals("[###############---------]  62.5% epoch 2/4 step 25/40 | 48.1 img/s ETA 1:02:06 ",
                Progress.line(62.5, "epoch 2/4 step 25/40", 48.06, "img", 3725.2));
        assertTrue(Progress.line(10, "x", 1, "img", -1).endsWith("ETA --:-- "));
        assertTrue(Progress.line(250, "x", 1, "img", 0).startsWith("[########################] 100.0%"),
                "a percentage past 100 is clamped");
    }

    @Test
    void aCountingProgressEndsWithTheFullBarAndItsTime() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (Progress progress = new Progress("synthetic birds", 3, "images",
                new PrintStream(bytes, true, StandardCharsets.UTF_8))) {
            for (int i = 0; i < 3; i++) {
                progress.step();
            }
        }
        String printed = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(printed.startsWith("\r[########################] 100.0% synthetic birds 3/3 in "), printed);
        assertTrue(printed.endsWith("ETA 0:00:00 \n"), printed);
    }
}
