package dev.stackgan.evaluation;

import dev.stackgan.datasets.synthetic.BirdColour;
import dev.stackgan.evaluation.AttributeClassifier.Attribute;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * How much of each stated colour the sentence vectors carry: every held-out caption that states a part's colour is
 * given the colour most of its {@value #NEIGHBOURS} nearest training captions (cosine similarity) state for that
 * part. A generator conditioned on these vectors cannot show a colour much more reliably than this, so the figure
 * tells a text encoder that loses a colour from a generator that does not draw it (docs/evaluation.md).
 */
public final class ConditionProbe {

    public static final int NEIGHBOURS = 15;

    /** Captions with their sentence vectors, {@code dimension} floats per caption. */
    public record Encoded(List<String> captions, float[] vectors, int dimension) {
        public Encoded {
            if (vectors.length != captions.size() * dimension) {
                throw new IllegalArgumentException(captions.size() + " captions need " + captions.size() * dimension
                        + " floats of dimension " + dimension + ", got " + vectors.length);
            }
            vectors = unit(vectors, dimension);
        }

        private float[] row(int i) {
            float[] row = new float[dimension];
            System.arraycopy(vectors, i * dimension, row, 0, dimension);
            return row;
        }
    }

    private ConditionProbe() {
    }

    /**
     * {@code condition_<part>_stated}: the share of {@code heldOut}'s captions stating the part's colour whose
     * neighbours in {@code reference} vote for that colour; {@code condition_<part>_stated_samples}: how many they
     * were (not finite when none), for crown, wing and belly.
     */
    public static Map<String, Double> measure(Encoded reference, Encoded heldOut) {
        Map<String, Double> figures = new LinkedHashMap<>();
        for (Attribute part : Attribute.COLOURS) {
            List<Integer> voters = new ArrayList<>();
            List<BirdColour> votes = new ArrayList<>();
            for (int i = 0; i < reference.captions().size(); i++) {
                BirdColour stated = StatedColours.of(reference.captions().get(i)).get(part);
                if (stated != null) {
                    voters.add(i);
                    votes.add(stated);
                }
            }
            int right = 0;
            int stated = 0;
            for (int j = 0; j < heldOut.captions().size(); j++) {
                BirdColour truth = StatedColours.of(heldOut.captions().get(j)).get(part);
                if (truth != null) {
                    stated++;
                    if (vote(reference, voters, votes, heldOut.row(j)) == truth) {
                        right++;
                    }
                }
            }
            String name = "condition_" + part.name().toLowerCase(java.util.Locale.ROOT) + "_stated";
            figures.put(name, stated == 0 ? Double.NaN : (double) right / stated);
            figures.put(name + "_samples", stated == 0 ? Double.NaN : stated);
        }
        return figures;
    }

    /** The colour most of the query's nearest voters state; null without voters. */
    private static BirdColour vote(Encoded reference, List<Integer> voters, List<BirdColour> votes, float[] query) {
        int d = reference.dimension();
        // the NEIGHBOURS most similar voters, least similar on top: {similarity, index into voters}
        PriorityQueue<double[]> nearest = new PriorityQueue<>((a, b) -> Double.compare(a[0], b[0]));
        for (int k = 0; k < voters.size(); k++) {
            int offset = voters.get(k) * d;
            double similarity = 0;
            for (int t = 0; t < d; t++) {
                similarity += reference.vectors()[offset + t] * query[t];
            }
            nearest.add(new double[] {similarity, k});
            if (nearest.size() > NEIGHBOURS) {
                nearest.poll();
            }
        }
        Map<BirdColour, Integer> counts = new EnumMap<>(BirdColour.class);
        BirdColour best = null;
        for (double[] neighbour : nearest) {
            BirdColour colour = votes.get((int) neighbour[1]);
            int count = counts.merge(colour, 1, Integer::sum);
            if (best == null || count > counts.get(best)) {
                best = colour;
            }
        }
        return best;
    }

    private static float[] unit(float[] vectors, int dimension) {
        float[] out = vectors.clone();
        for (int offset = 0; offset < out.length; offset += dimension) {
            double norm = 0;
            for (int t = 0; t < dimension; t++) {
                norm += out[offset + t] * out[offset + t];
            }
            float scale = norm == 0 ? 0f : (float) (1 / Math.sqrt(norm));
            for (int t = 0; t < dimension; t++) {
                out[offset + t] *= scale;
            }
        }
        return out;
    }
}
