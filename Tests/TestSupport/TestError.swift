/// Why a test client failed before a test could assert anything.
public enum TestError: Error {
    /// `socket` or `connect` failed with this `errno`.
    case connect(Int32)
    /// Anything else a client could not do, said in words.
    case io(String)
}
