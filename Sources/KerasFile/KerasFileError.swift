/// The one error of the KerasFile module: what is wrong with a model file, in three classes
/// that map onto HTTP statuses (the service maps them in its one error table).
///
/// Every message names where (zip member, HDF5 path, byte offset) and what was expected.
public enum KerasFileError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The bytes break their format (zip APPNOTE, HDF5 file format spec, a Keras file's
    /// required members): HTTP 400.
    case malformed(String)
    /// A declared or produced size passes a limit of ``KerasFileLimits``: HTTP 413.
    /// `limit` is the limit's value, `what` names what it limits (and where).
    case overLimit(what: String, limit: Int)
    /// Well-formed, but outside the subset this module reads (zip64, encryption, HDF5 v2
    /// object headers, chunked or filtered data, big-endian, …): HTTP 422.
    case unsupported(String)

    /// The HTTP status class of the error: 400, 413 or 422.
    public var status: Int {
        switch self {
        case .malformed: 400
        case .overLimit: 413
        case .unsupported: 422
        }
    }

    public var description: String {
        switch self {
        case .malformed(let message): "malformed model file: \(message)"
        case .overLimit(let what, let limit): "model file too large: \(what) exceeds the limit of \(limit)"
        case .unsupported(let message): "unsupported model file: \(message)"
        }
    }
}
