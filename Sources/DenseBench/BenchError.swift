/// Why a bench stopped: the command line was wrong, or what it measured or checked failed.
/// `dense-bench` prints it after the subcommand's name and exits non-zero.
enum BenchError: Error, CustomStringConvertible {
    /// An option's value was not what it takes (`--runs abc`), or an option it does not know.
    case badOption(String)
    /// A check failed, or a tool a baseline needs did not run; the words say which.
    case failed(String)

    var description: String {
        switch self {
        case .badOption(let message): "bad option: \(message)"
        case .failed(let message): message
        }
    }
}
