import TestSupport
import Testing

@testable import TensorJSON

@Suite struct Base64Tests {
    static let vectors: [(String, String)] = [  // RFC 4648 §10
        ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="),
        ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy"),
    ]

    @Test(arguments: vectors)
    func rfcVectors(_ plain: String, _ encoded: String) throws {
        #expect(Base64.encode(Array(plain.utf8)) == encoded)
        #expect(try Base64.decode(encoded) == Array(plain.utf8))
        #expect(Base64.encodedCount(of: plain.utf8.count) == encoded.utf8.count)
    }

    @Test func randomRoundTrips() throws {
        var rng = SplitMix64(seed: 31)
        for n in 0..<300 {
            let bytes = (0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            let e = Base64.encode(bytes)
            #expect(try Base64.decode(e) == bytes)
            let count = Array(e.utf8).withUnsafeBytes { Base64.decodedCount($0) }
            #expect(count == n)
        }
    }

    @Test func floatTensorBytes() throws {
        let xs: [Float] = [1, -2.5, .pi, .nan]
        let e = xs.withUnsafeBytes { Base64.encode($0) }
        let back = try Base64.decode(e)
        let ys = back.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        #expect(zip(xs, ys).allSatisfy { $0.bitPattern == $1.bitPattern })
    }

    static let invalid: [(String, Int)] = [
        ("Zg=", 3),  // length
        ("Zm9", 3),
        ("Z", 1),
        ("Zm9vY", 5),
        ("Zm9v Zg==", 9),  // whitespace changes length too
        ("Zm 9", 2),  // space
        ("Zm-v", 2),  // URL-safe alphabet
        ("Zm_v", 2),
        ("Zm9\u{E9}", 3),  // non-ASCII (é is 2 bytes: length 5)
        ("Z===", 1),
        ("====", 0),
        ("Zg=a", 2),  // '=' before the end
        ("=Zg=", 0),
        ("Zm==Zm9v", 2),  // padding in the middle
        ("Zh==", 1),  // non-canonical: 'h' leaves nonzero bits
        ("Zm9=", 2),  // non-canonical: '9' leaves nonzero bits
    ]

    @Test(arguments: invalid)
    func rejectsInvalid(_ text: String, _ offset: Int) {
        do {
            let out = try Base64.decode(text)
            Issue.record("accepted \(text) as \(out)")
        } catch {
            #expect(error.code == "invalid_base64")
            if text.utf8.count % 4 == 0 { #expect(error.offset == offset, "\(text): \(error)") }
        }
    }
}
