import Foundation
import TestSupport
import Testing

/// Hostile HTTP/2 clients (`Tests/HTTP2/h2_hostile.py`, Python `h2` + `hyperframe`) against the
/// real binary: rapid resets, CONTINUATION and SETTINGS/PING floods, oversized header lists,
/// the stream past `http2_max_concurrent_streams`, a silent preface, a client that never
/// reads, a byte-at-a-time preface, a body over `max_body_bytes`. Each case must be answered,
/// refused, reset or sent away as RFC 9113 and the server's limits say, and the server must
/// then still answer a fresh HTTP/1.1 and a fresh HTTP/2 request with bounded memory.
///
/// Each case runs on its own server (so a failure names its case), then all of them run on
/// one server (so their RSS growth adds up against one bound); under a sanitizer only the latter. The Python is `.venv-test`'s
/// (`scripts/test-env.sh` installs the pinned h2); without it the tests are skipped, except
/// under CI (`CI` set), where they fail.
@Suite(.serialized) struct HTTP2HostileTests {
    static let script = Repository.root.appendingPathComponent("Tests/HTTP2/h2_hostile.py").path

    /// The settings the script assumes (its docstring lists the same; its options default to them).
    static let serverArguments = [
        "--set", "header_read_timeout_s=1", "--set", "write_timeout_s=5", "--set", "max_body_bytes=1024",
        "--set", "max_header_bytes=16384", "--set", "http2_max_concurrent_streams=100",
        "--set", "max_buffered_response_bytes=8388608",
    ]

    /// The script's cases, in its order (`h2_hostile.py --list` must say the same).
    static let cases = [
        "rapid-reset", "rapid-reset-work", "continuation-flood", "headers-200k", "headers-20k", "concurrent-streams",
        "silent-preface", "never-reads", "preface-byte-at-a-time", "settings-flood", "ping-flood", "body-too-large",
    ]

    /// Whether the test Python can import the pinned HTTP/2 libraries.
    static let hasH2: Bool = {
        guard let python = TestPython.path else { return false }
        return (try? run(python, ["-c", "import h2, hyperframe, hpack"], timeout: 60).status) == 0
    }()

    static var required: Bool { hasH2 || ProcessInfo.processInfo.environment["CI"] != nil }

    /// Under a sanitizer (scripts/sanitize.sh sets `DENSE_SANITIZER`) the cases run once, all on
    /// one server: the sanitizer sees the same traffic, and the per-case servers doubled the
    /// longest suite of `.ci/run` (about 400 s under AddressSanitizer).
    static var perCaseServers: Bool { required && ProcessInfo.processInfo.environment["DENSE_SANITIZER"] == nil }

    static func run(_ executable: String, _ arguments: [String], timeout: Double) throws -> (status: Int32, output: String) {
        let result = try ToolProcess.run(executable, arguments, timeout: timeout, mergingOutput: true)
        return (result.status, result.output)
    }

    /// Starts a server with `serverArguments`, runs the script (all cases, or `only`), stops it.
    static func runScript(only: String?, keepGoing: Bool = false, timeout: Double) throws -> (
        status: Int32, output: String, serverLog: String, exit: Int32
    ) {
        let python = try #require(TestPython.path, "no test Python: scripts/test.sh creates .venv-test")
        try #require(hasH2, "\(python) cannot import h2, hyperframe and hpack: run scripts/test.sh (it installs the pinned versions)")
        let server = try ServerProcess(arguments: serverArguments)
        var arguments = [script, "127.0.0.1:\(server.port)", "--pid", String(server.process.processIdentifier)]
        if let only { arguments += ["--only", only] }
        if keepGoing { arguments += ["--keep-going"] }
        // AddressSanitizer's shadow memory and quarantine inflate RSS (scripts/sanitize.sh sets this).
        if ProcessInfo.processInfo.environment["DENSE_SANITIZER"] != nil { arguments += ["--rss-bound-mb", "256"] }
        let result = try run(python, arguments, timeout: timeout)
        let running = server.process.isRunning
        let exit = server.stop()
        #expect(running, "the server died during the hostile cases (exit \(exit))\n\(server.stderr)")
        return (result.status, result.output, server.stderr, exit)
    }

    @Test(.enabled(if: required, "needs .venv-test with h2 + hyperframe: run scripts/test.sh"))
    func scriptListsTheCasesThisSuiteRuns() throws {
        let python = try #require(TestPython.path)
        let listed = try Self.run(python, [Self.script, "--list", "127.0.0.1:0"], timeout: 60)
        #expect(listed.status == 0, "\(listed.output)")
        #expect(listed.output.split(separator: "\n").map(String.init) == Self.cases, "\(listed.output)")
    }

    @Test(
        .enabled(if: perCaseServers, "needs .venv-test with h2 + hyperframe (run scripts/test.sh); not under a sanitizer"),
        arguments: cases)
    func hostileCase(_ name: String) throws {
        let result = try Self.runScript(only: name, timeout: 120)
        #expect(result.status == 0, "\(name):\n\(result.output)\nserver log:\n\(result.serverLog)")
        if result.status == 0 { #expect(result.output.contains("ok: "), "\(result.output)") }
        #expect(result.exit == 0, "server exit status \(result.exit) after SIGTERM")
    }

    /// Every case on one server, in a row (past a failing one: `--keep-going`): the RSS after
    /// all of them within 64 MB of before.
    @Test(.enabled(if: required, "needs .venv-test with h2 + hyperframe: run scripts/test.sh"))
    func allCasesOnOneServerKeepMemoryBounded() throws {
        let result = try Self.runScript(only: nil, keepGoing: true, timeout: 240)
        #expect(result.status == 0, "\(result.output)\nserver log:\n\(result.serverLog)")
        #expect(result.output.contains("rss: "), "no RSS summary:\n\(result.output)")
    }
}
