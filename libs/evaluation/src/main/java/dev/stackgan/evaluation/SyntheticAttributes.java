package dev.stackgan.evaluation;

import dev.stackgan.datasets.synthetic.BirdAttributes;
import dev.stackgan.datasets.synthetic.SyntheticBirds;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The true attributes of a synthetic-birds set, by image id (the real CUB set has no such file). */
public final class SyntheticAttributes {

    private SyntheticAttributes() {
    }

    /** Reads {@code cubRoot/attributes/synthetic_attributes.tsv}; empty when the data set has none. */
    public static Optional<Map<Integer, BirdAttributes>> read(Path cubRoot) throws IOException {
        Path file = cubRoot.resolve(SyntheticBirds.ATTRIBUTES_FILE);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        Map<Integer, BirdAttributes> byImage = new HashMap<>();
        int columns = BirdAttributes.TSV_COLUMNS.size();
        for (int i = 1; i < lines.size(); i++) { // line 0 is the header
            if (lines.get(i).isBlank()) {
                continue;
            }
            List<String> fields = List.of(lines.get(i).split("\t"));
            if (fields.size() < 3 + columns) {
                throw new IOException(file + " line " + (i + 1) + ": expected at least " + (3 + columns)
                        + " tab-separated fields, got " + fields.size());
            }
            try {
                byImage.put(Integer.parseInt(fields.get(0)), BirdAttributes.parse(fields.subList(3, 3 + columns)));
            } catch (IllegalArgumentException e) {
                throw new IOException(file + " line " + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return Optional.of(byImage);
    }
}
