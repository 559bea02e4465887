@_spi(Fuzzing) import KerasFile
import Testing

@Suite struct ZipArchiveTests {
    @Test func storedMembersAreSlicesOfTheUpload() throws {
        let bytes = Fixtures.bytes("mlp.keras")
        let zip = try ZipArchive(bytes)
        #expect(zip.entries.map(\.name).sorted() == ["config.json", "metadata.json", "model.weights.h5"])
        let entry = try #require(zip.entry(named: "model.weights.h5"))
        #expect(entry.method == .stored)
        let data = try zip.contents(of: entry, cap: 1 << 20)
        #expect(data.startIndex == entry.dataRange.lowerBound)
        #expect(Array(data) == Array(bytes[entry.dataRange]))
    }

    @Test func deflatedMembersInflateToTheStoredOnes() throws {
        let stored = try ZipArchive(Fixtures.bytes("mlp.keras"))
        let deflated = try ZipArchive(Fixtures.bytes("deflated-mlp.keras"))
        for entry in deflated.entries {
            #expect(entry.method == .deflated)
            #expect(Array(try deflated.contents(of: entry, cap: 1 << 20)) == Array(try stored.contents(named: entry.name, cap: 1 << 20)))
        }
    }

    @Test func capsAreNamed() throws {
        let zip = try ZipArchive(Fixtures.bytes("deflated-mlp.keras"))
        let entry = try #require(zip.entry(named: "config.json"))
        #expect(throws: KerasFileError.overLimit(what: "zip member config.json (\(entry.uncompressedSize) bytes uncompressed)", limit: 10))
        {
            try zip.contents(of: entry, cap: 10)
        }
        #expect(throws: KerasFileError.overLimit(what: "zip member count (3 members)", limit: 2)) {
            try ZipArchive(Fixtures.bytes("mlp.keras"), maxMembers: 2)
        }
    }

    @Test func sizeLiesInTheDeflateStreamAreCaught() throws {
        // The central directory and local header both declare 100 bytes less than config.json inflates to.
        var bytes = Fixtures.bytes("deflated-mlp.keras")
        let zip = try ZipArchive(bytes)
        let entry = try #require(zip.entry(named: "config.json"))
        let lie = UInt32(entry.uncompressedSize - 100)
        func put(_ at: Int) { for i in 0..<4 { bytes[at + i] = UInt8(truncatingIfNeeded: lie >> (8 * UInt32(i))) } }
        let local = entry.dataRange.lowerBound - 30 - entry.name.utf8.count
        put(local + 22)
        // The EOCD's central directory offset, then the central entry of config.json.
        var c = Int(bytes[bytes.count - 6]) | Int(bytes[bytes.count - 5]) << 8 | Int(bytes[bytes.count - 4]) << 16
        while true {
            let n = Int(bytes[c + 28]) | Int(bytes[c + 29]) << 8
            if String(decoding: bytes[(c + 46)..<(c + 46 + n)], as: UTF8.self) == "config.json" { break }
            c += 46 + n + (Int(bytes[c + 30]) | Int(bytes[c + 31]) << 8) + (Int(bytes[c + 32]) | Int(bytes[c + 33]) << 8)
        }
        put(c + 24)
        let lying = try ZipArchive(bytes)
        #expect(throws: KerasFileError.malformed("zip member config.json inflates past its declared \(lie) bytes")) {
            try lying.contents(named: "config.json", cap: 1 << 20)
        }
    }

    @Test func hostileNamesAreRefused() throws {
        #expect(throws: KerasFileError.self) { try ZipArchive(Fixtures.bytes("path-traversal.keras")) }
        #expect(throws: KerasFileError.self) { try ZipArchive(Fixtures.bytes("bad-duplicate-config.keras")) }
        #expect(throws: KerasFileError.malformed("0 bytes: shorter than a zip end of central directory record (22 bytes)")) {
            try ZipArchive([UInt8]())
        }
    }
}
