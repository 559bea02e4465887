#if canImport(Glibc)
    import Glibc
#endif

/// Standard input, output and error as bytes, through `read`/`write` on descriptors 0–2: the
/// executable links FoundationEssentials only (no `FileHandle`), which keeps Foundation's
/// and ICU's libraries out of the process and its idle RSS.
enum StandardStreams {
    /// Writes all of `bytes` to descriptor `fd`, retrying short writes and `EINTR`; gives up
    /// silently on any other error (nothing is left to report a broken stdout to).
    static func write(_ bytes: [UInt8], to fd: Int32) {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return }
                offset += n
            }
        }
    }

    /// `bytes` and a newline on standard output.
    static func printLine(_ bytes: [UInt8]) { write(bytes + [0x0A], to: 1) }

    /// `text` on standard error, as given (callers end it with a newline).
    static func printError(_ text: String) { write(Array(text.utf8), to: 2) }

    /// Everything on standard input until end of file.
    static func readAll() -> [UInt8] {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(0, $0.baseAddress!, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return out }
            out.append(contentsOf: chunk[0..<n])
        }
    }
}

extension String {
    /// The string without leading and trailing white space (`Character.isWhitespace`), and
    /// with `newlines` also without line breaks there: what Foundation's
    /// `trimmingCharacters(in: .whitespaces)` and `(in: .whitespacesAndNewlines)` do.
    func trimmingWhitespace(newlines: Bool) -> String {
        let trim: (Character) -> Bool = { $0.isWhitespace && (newlines || !$0.isNewline) }
        guard let first = firstIndex(where: { !trim($0) }), let last = lastIndex(where: { !trim($0) }) else { return "" }
        return String(self[first...last])
    }
}
