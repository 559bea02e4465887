/// `withUnsafeBytes` / `withUnsafeMutableBytes` for bodies with a typed error: the standard
/// library's `rethrows` forgets the type, and the store's writes and reads throw `ServiceError`.
extension Array where Element: BitwiseCopyable {
    func withBytes<E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> Void) throws(E) {
        var failure: E?
        withUnsafeBytes { bytes in
            do throws(E) { try body(bytes) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    mutating func withMutableBytes<E: Error>(_ body: (UnsafeMutableRawBufferPointer) throws(E) -> Void) throws(E) {
        var failure: E?
        withUnsafeMutableBytes { bytes in
            do throws(E) { try body(bytes) } catch { failure = error }
        }
        if let failure { throw failure }
    }
}
