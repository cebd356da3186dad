package dev.stackgan.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
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

    @Test
    void requireLengthCountsCodePointsAndNamesTheFieldAndTheLimit() {
        Errors.requireLength("id", "i".repeat(128), 128);
        // 128 bird emoji are 256 chars but 128 characters
        Errors.requireLength("id", "\uD83D\uDC26".repeat(128), 128);
        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                () -> Errors.requireLength("id", "i".repeat(10_000), 128));
        assertEquals(Status.Code.INVALID_ARGUMENT, refused.getStatus().getCode());
        assertEquals("id has 10000 characters, at most 128 are allowed", refused.getStatus().getDescription());
    }
}
