/// What a `PUT /v1/models/{name}` body is, told by its first bytes and never by
/// `Content-Type`: clients send whatever their tool sends (`curl -d` and Python's `urllib` a
/// form type, `curl -T` none), so the body says what it is.
///
/// Today a model is read only as JSON; a Keras file is recognised so that it gets a clear
/// answer (415, "not read yet") instead of a JSON syntax error at byte 0. Reading such files
/// is the next case to fill in here.
enum ModelBodyFormat: Sendable, Equatable {
    /// Anything that is not a known file: parsed as JSON (what is not JSON gets the parser's 400).
    case json
    /// A zip archive (`PK\u{3}\u{4}`): a Keras 3 `.keras` file.
    case kerasArchive
    /// The HDF5 signature (`\u{89}HDF\r\n\u{1A}\n`, at offset 0 where Keras writes it): a
    /// legacy Keras `.h5` file.
    case hdf5

    static let zipSignature: [UInt8] = [0x50, 0x4B, 0x03, 0x04]
    static let hdf5Signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]

    /// The format of `body`, by its leading bytes (at most 8 are read).
    static func sniff(_ body: [UInt8]) -> ModelBodyFormat {
        if body.starts(with: zipSignature) { return .kerasArchive }
        if body.starts(with: hdf5Signature) { return .hdf5 }
        return .json
    }

    /// How an error names it.
    var fileDescription: String {
        switch self {
        case .json: "JSON"
        case .kerasArchive: "a zip archive (a Keras .keras file)"
        case .hdf5: "an HDF5 file (a Keras .h5 file)"
        }
    }
}
