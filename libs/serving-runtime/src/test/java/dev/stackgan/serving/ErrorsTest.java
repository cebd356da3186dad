package dev.stackgan.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ErrorsTest {

    @Test
    void excerptKeepsValuesUpTo128CharactersAndCutsLongerOnesWithTheirLength() {
        String longestBundleId = "b".repeat(Errors.MAX_ECHO);
        assertEquals(longestBundleId, Errors.excerpt(longestBundleId));
        assertEquals("b".repeat(128) + "... (10000 characters)", Errors.excerpt("b".repeat(10_000)));
        // a bird emoji (two chars) straddling the cut is dropped whole, never left half a surrogate pair
        String straddling = "b".repeat(127) + "\uD83D\uDC26" + "b".repeat(10);
        assertEquals("b".repeat(127) + "... (139 characters)", Errors.excerpt(straddling));
    }
}
