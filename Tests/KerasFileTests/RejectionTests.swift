@_spi(Fuzzing) import KerasFile
import Testing

/// Every hostile or unsupported fixture gives the manifest's status class at the manifest's
/// stage, and nothing else; files the service must refuse read cleanly here.
@Suite struct RejectionTests {
    @Test(arguments: Fixtures.names(expect: "reject") + Fixtures.names(expect: "load_or_reject"))
    func rejects(_ name: String) throws {
        let entry = Fixtures.entry(name)
        let status = entry["format_status"] as? Int ?? entry["status"] as? Int ?? 0
        let stage = entry["stage"] as? String ?? ""
        let bytes = Fixtures.bytes(name)
        func outcome() -> Int? {
            do {
                let file = try KerasModelFile(bytes)
                // The service refuses int8 kernels by their config; float values are read elsewhere.
                _ = try readWeights(file, values: stage != "service")
                _ = try KerasFileFuzzing.readEverything(file)
                return nil
            } catch {
                return error.status
            }
        }
        switch stage {
        case "open":
            #expect(throws: KerasFileError.self) { try KerasModelFile(bytes) }
            #expect(outcome() == status, "\(name)")
        case "weights":
            #expect(throws: Never.self) { try KerasModelFile(bytes) }
            #expect(outcome() == status, "\(name)")
        case "service":
            #expect(outcome() == nil, "\(name)")
        default:  // bit flips: a clean 4xx or a file that reads
            #expect([nil, 400, 413, 422].contains(outcome()), "\(name)")
        }
    }

    @Test func zipBombNamesTheCap() {
        #expect(throws: KerasFileError.overLimit(what: "zip member config.json (33554432 bytes uncompressed)", limit: 16 << 20)) {
            try KerasModelFile(Fixtures.bytes("bad-zip-bomb.keras"))
        }
    }

    @Test func hugeDeclaredShapeIsReadableBeforeAnyCopy() throws {
        let file = try KerasModelFile(Fixtures.bytes("bad-h5-huge-declared-shape.h5"))
        let kernel = try file.weights.dataset(at: "model_weights/dense/sequential/dense/kernel")
        #expect(kernel.shape == [1 << 20, 1 << 20])
        #expect(kernel.elementCount == 1 << 40)
        #expect(throws: KerasFileError.self) { try kernel.readFloats() }
        #expect((try? kernel.readFloats()) == nil)
        do {
            _ = try kernel.readFloats(maxElements: 1000)
        } catch {
            #expect(error.status == 413)
            #expect(error.description.contains("1000"))
        }
    }

    @Test func linkCycleEndsInAnError() throws {
        let file = try KerasModelFile(Fixtures.bytes("bad-h5-link-cycle.h5"))
        #expect(throws: KerasFileError.self) { try file.legacyWeights(layerName: "dense") }
        #expect(throws: KerasFileError.self) { try KerasFileFuzzing.readEverything(file) }
        // A lookup by path works; one that goes round the loop is refused (it meets a group twice).
        #expect(try file.weights.dataset(at: "model_weights/dense/sequential/dense/kernel").shape == [4, 8])
        #expect(throws: KerasFileError.self) {
            try file.weights.dataset(at: "model_weights/dense/sequential/dense/loop/dense/sequential/dense/kernel")
        }
    }
}
