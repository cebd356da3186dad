package dev.stackgan.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code --comparisons}: which of section 7's stacks a run compares. */
class StackComparisonsTest {

    @Test
    void namesPickThoseComparisonsInTheirOwnOrderAndAllPicksEvery() {
        List<String> picked = ServingBench.comparisons(List.of("stage2-overlap-session", "stage2-instances")).stream()
                .map(ServingBench.StackComparison::name).toList();
        assertEquals(List.of("stage2-instances", "stage2-overlap-session"), picked);
        assertEquals(ServingBench.STACK_COMPARISONS, ServingBench.comparisons(List.of("all")));
    }

    @Test
    void anUnknownNameIsRefusedNamingTheKnownOnes() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> ServingBench.comparisons(List.of("stage2-instances", "stage3")));
        String known = String.join(", ", ServingBench.STACK_COMPARISONS.stream()
                .map(ServingBench.StackComparison::name).toList());
        assertEquals("--comparisons: no comparison 'stage3'; known: all, " + known, refused.getMessage());
    }
}
