import KerasFile
import Testing

@Suite struct KerasSaveKeyTests {
    /// Keras's own to_snake_case output for each class name (the generator asked Keras).
    @Test func snakeCaseMatchesKeras() {
        let expected = Fixtures.manifest["class_keys"] as? [String: String] ?? [:]
        #expect(expected.count >= 10)
        for (className, key) in expected {
            #expect(KerasSaveKey.snakeCase(className) == key, "\(className)")
        }
    }

    @Test func perClassCounters() {
        #expect(
            KerasSaveKey.keys(forClassNames: ["Dense", "Dropout", "Dense", "BatchNormalization", "Dense"])
                == ["dense", "dropout", "dense_1", "batch_normalization", "dense_2"])
    }
}
