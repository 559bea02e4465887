import Dispatch
import Foundation
import TestSupport
import Testing

@testable import HTTPServer

/// Absolute path of `name` on PATH, or nil (tests then skip with a message).
func findExecutable(_ name: String) -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
    for dir in path.split(separator: ":") + ["/usr/bin", "/usr/local/bin"] {
        let candidate = "\(dir)/\(name)"
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
}

func tempFile(_ bytes: [UInt8]) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("http-body-\(UUID().uuidString)").path
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    return path
}

let curlPath = findExecutable("curl")
let pythonPath = findExecutable("python3")
let wrkPath = findExecutable("wrk")

/// Real clients against a live server. Each test is skipped (reported as skipped,
/// with the reason) only when its client binary is not installed.
@Suite(.serialized) struct RealClientTests {

    @Test(.enabled(if: curlPath != nil, "curl is not installed")) func curlKeepAliveReusesTheConnection() throws {
        let curl = try #require(curlPath)
        try withServer { _, port in
            let r = try ToolProcess.run(curl, ["-sS", "-v", "http://127.0.0.1:\(port)/one", "http://127.0.0.1:\(port)/two"])
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stderr.contains("X-Path: /one") && r.stderr.contains("X-Path: /two"))
            #expect(
                r.stderr.localizedCaseInsensitiveContains("Re-using existing connection")
                    || r.stderr.localizedCaseInsensitiveContains("Reusing existing"), "\(r.stderr)")
        }
    }

    @Test(.enabled(if: curlPath != nil, "curl is not installed")) func curlExpect100ContinueWithFiveMegabytes() throws {
        let curl = try #require(curlPath)
        try withServer { _, port in
            let body = (0..<5_000_000).map { UInt8(truncatingIfNeeded: $0 % 251) }
            let path = try tempFile(body)
            defer { try? FileManager.default.removeItem(atPath: path) }
            let out = path + ".echo"
            defer { try? FileManager.default.removeItem(atPath: out) }
            let r = try ToolProcess.run(
                curl,
                [
                    "-sS", "-D", "-", "-o", out, "-H", "Expect: 100-continue", "-H", "Content-Type: application/octet-stream",
                    "--data-binary", "@\(path)", "http://127.0.0.1:\(port)/upload",
                ])
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stdout.contains("HTTP/1.1 100 Continue"), "\(r.stdout)")
            #expect(r.stdout.contains("X-Body-Count: 5000000"), "\(r.stdout)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: out)) == Data(body))
        }
    }

    @Test(.enabled(if: curlPath != nil, "curl is not installed")) func curlCompressedResponse() throws {
        let curl = try #require(curlPath)
        try withServer { _, port in
            let r = try ToolProcess.run(curl, ["-sS", "--compressed", "-D", "/dev/stderr", "http://127.0.0.1:\(port)/text"])
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stderr.lowercased().contains("content-encoding: gzip"), "\(r.stderr)")
            #expect(r.stdout == String(repeating: "{\"outputs\":[0.125,0.25,0.5]}\n", count: 700))
        }
    }

    @Test(.enabled(if: curlPath != nil, "curl is not installed")) func curlChunkedUploadFromStdin() throws {
        let curl = try #require(curlPath)
        try withServer { _, port in
            let text = String(repeating: "streamed line of input\n", count: 20_000)
            let path = try tempFile(Array(text.utf8))
            defer { try? FileManager.default.removeItem(atPath: path) }
            let r = try ToolProcess.run(curl, ["-sS", "-v", "-T", "-", "http://127.0.0.1:\(port)/chunked"], stdinFile: path)
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stderr.contains("Transfer-Encoding: chunked"), "\(r.stderr)")
            #expect(r.stderr.contains("X-Method: PUT"))
            #expect(r.stdout == text)
        }
    }

    @Test(.enabled(if: pythonPath != nil, "python3 is not installed")) func pythonHTTPClient() throws {
        let python = try #require(pythonPath)
        try withServer { _, port in
            let script = """
                import http.client, gzip
                c = http.client.HTTPConnection("127.0.0.1", \(port), timeout=10)
                out = []
                c.request("GET", "/py?x=1"); r = c.getresponse(); b = r.read()
                out.append(f"{r.status} {r.getheader('X-Query')} {r.getheader('Connection')} {len(b)}")
                c.request("POST", "/py", body=b"abc" * 1000, headers={"Content-Type": "application/octet-stream"})
                r = c.getresponse(); b = r.read(); out.append(f"{r.status} {len(b)} {b == b'abc' * 1000}")
                c.request("POST", "/py", body=iter([b"one", b"two", b"three"]), encode_chunked=True)
                r = c.getresponse(); b = r.read(); out.append(f"{r.status} {b.decode()}")
                c.request("HEAD", "/big?n=77"); r = c.getresponse(); b = r.read()
                out.append(f"{r.status} {r.getheader('Content-Length')} {len(b)}")
                c.request("GET", "/text", headers={"Accept-Encoding": "gzip"}); r = c.getresponse(); b = r.read()
                out.append(f"{r.status} {r.getheader('Content-Encoding')} {len(gzip.decompress(b))}")
                c.request("POST", "/z", body=gzip.compress(b"q" * 100000), headers={"Content-Encoding": "gzip"})
                r = c.getresponse(); b = r.read(); out.append(f"{r.status} {len(b)}")
                c.request("GET", "/", headers={"X-Bad": "ok"}); r = c.getresponse(); r.read()
                out.append(f"{r.status} {r.getheader('Server')}")
                print("|".join(out))
                """
            let r = try ToolProcess.run(python, ["-c", script])
            #expect(r.status == 0, "\(r.stderr)")
            let parts = r.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "|").map(String.init)
            #expect(
                parts == [
                    "200 x=1 keep-alive 0", "200 3000 True", "200 onetwothree", "200 77 0", "200 gzip 20300", "200 100000",
                    "200 DenseServe/test",
                ], "\(r.stdout) \(r.stderr)")
        }
    }

    @Test(.enabled(if: wrkPath != nil, "wrk is not installed")) func wrkBurstHasNoSocketErrors() throws {
        let wrk = try #require(wrkPath)
        try withServer { server, port in
            let r = try ToolProcess.run(wrk, ["-t1", "-c8", "-d1s", "http://127.0.0.1:\(port)/v2/health/live"], timeout: 30)
            #expect(r.status == 0, "\(r.stderr)")
            #expect(!r.stdout.contains("Socket errors"), "\(r.stdout)")
            #expect(!r.stdout.contains("Non-2xx"), "\(r.stdout)")
            let requests =
                r.stdout.split(separator: "\n").first { $0.contains("requests in") }
                .flatMap { Int($0.trimmingCharacters(in: .whitespaces).split(separator: " ").first ?? "") } ?? 0
            #expect(requests > 100, "\(r.stdout)")
            #expect(eventually { server.openConnectionCount <= 8 })
        }
    }
}
