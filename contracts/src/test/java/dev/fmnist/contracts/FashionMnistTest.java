package dev.fmnist.contracts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class FashionMnistTest {
    @Test
    void parsesEveryIndexAndEveryCanonicalName() {
        for (int i = 0; i < FashionMnist.CLASSES; i++) {
            assertEquals(i, FashionMnist.parseLabel(Integer.toString(i)));
            assertEquals(i, FashionMnist.parseLabel(FashionMnist.LABELS.get(i)));
            assertEquals(FashionMnist.LABELS.get(i), FashionMnist.label(i));
        }
        assertEquals(784, FashionMnist.PIXELS);
        assertEquals(10, FashionMnist.LABELS.size());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            " 7 |7", "09|9", "t-shirt/top|0", "T-SHIRT/TOP|0", "tshirt|0", "T shirt|0", "top|0", "T_Shirt|0",
            "trouser|1", "PULLOVER|2", "dress|3", "Coat|4", "sandal|5", "shirt|6", "sneaker|7", "bag|8",
            "Ankle boot|9", "ankle_boot|9", "ankle-boot|9", "ANKLEBOOT|9", "  Ankle Boot  |9"})
    void parsesSpellings(String text, int expected) {
        assertEquals(expected, FashionMnist.parseLabel(text));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"   "})
    void missingLabelIsAnError(String text) {
        String message = assertThrows(IllegalArgumentException.class, () -> FashionMnist.parseLabel(text)).getMessage();
        assertTrue(message.contains("label is missing"), message);
    }

    @ParameterizedTest
    @ValueSource(strings = {"10", "123", "99999999999999999999"})
    void indexOutOfRangeIsAnError(String text) {
        String message = assertThrows(IllegalArgumentException.class, () -> FashionMnist.parseLabel(text)).getMessage();
        assertTrue(message.contains("is not in 0-9"), message);
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "boot", "shoe", "t-shirt/top/dress", "1.0", "sneakers"})
    void unknownNameIsAnErrorListingTheChoices(String text) {
        String message = assertThrows(IllegalArgumentException.class, () -> FashionMnist.parseLabel(text)).getMessage();
        assertTrue(message.contains("unknown label '" + text.trim() + "'"), message);
        assertTrue(message.contains("Ankle boot"), message);
    }

    @Test
    void labelOfABadIndexIsAnError() {
        assertThrows(IllegalArgumentException.class, () -> FashionMnist.label(-1));
        assertThrows(IllegalArgumentException.class, () -> FashionMnist.label(10));
    }
}
