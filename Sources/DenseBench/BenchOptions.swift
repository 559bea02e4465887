/// The `--name value` options after a subcommand, checked against the names it takes.
struct BenchOptions {
    private var values: [String: String] = [:]

    /// Reads `arguments` as `--name value` pairs; every name must be in `known`.
    init(_ arguments: [String], known: Set<String>) throws(BenchError) {
        var rest = arguments[...]
        while let name = rest.popFirst() {
            guard known.contains(name) else {
                let takes = known.isEmpty ? "no options" : known.sorted().joined(separator: ", ")
                throw .badOption("\(name) (this subcommand takes \(takes))")
            }
            guard let value = rest.popFirst() else { throw .badOption("\(name) needs a value") }
            values[name] = value
        }
    }

    /// The value of `name`, or `fallback` when it was not given.
    func string(_ name: String, _ fallback: String) -> String { values[name] ?? fallback }

    /// The value of `name` as a positive whole number, or `fallback` when it was not given.
    func count(_ name: String, _ fallback: Int) throws(BenchError) -> Int {
        guard let text = values[name] else { return fallback }
        guard let value = Int(text), value > 0 else { throw .badOption("\(name) takes a positive whole number, not \(text)") }
        return value
    }

    /// The value of `name`, which must be one of `choices` (the first is the default).
    func choice(_ name: String, _ choices: [String]) throws(BenchError) -> String {
        guard let text = values[name] else { return choices[0] }
        guard choices.contains(text) else { throw .badOption("\(name) takes \(choices.joined(separator: "|")), not \(text)") }
        return text
    }
}
