import GRPCCore
import Testing

/// `grpc-message`: UTF-8 bytes outside 0x20–0x7E and `%` become `%XX`.
@Suite struct GRPCPercentEncodingTests {
    @Test func tritonclientsExample() {
        let encoded = GRPCPercentEncoding.encode("100% sure, café")
        #expect(encoded == "100%25 sure, caf%C3%A9")
        #expect(GRPCPercentEncoding.decode(encoded) == "100% sure, café")
    }

    @Test(arguments: [
        ("plain ASCII ~!", "plain ASCII ~!"), ("line\nbreak", "line%0Abreak"), ("\u{7F}", "%7F"), ("\t", "%09"), ("%", "%25"),
        ("日本", "%E6%97%A5%E6%9C%AC"), ("", ""),
    ])
    func encodes(_ message: String, _ encoded: String) {
        #expect(GRPCPercentEncoding.encode(message) == encoded)
        #expect(GRPCPercentEncoding.decode(encoded) == message)
    }

    /// Decoding is lenient: a `%` without two hex digits stays, bad UTF-8 becomes U+FFFD.
    @Test(arguments: [("%", "%"), ("%4", "%4"), ("%zz", "%zz"), ("100%", "100%"), ("%41%4a", "AJ"), ("%e9", "\u{FFFD}"), ("a%2", "a%2")])
    func decodesLeniently(_ encoded: String, _ message: String) {
        #expect(GRPCPercentEncoding.decode(encoded) == message)
    }
}
