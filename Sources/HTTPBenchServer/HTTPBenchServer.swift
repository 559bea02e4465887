import Dispatch
import Glibc
import HTTPServer

/// Benchmark target: `http-bench-server [port] [ioQueues]` answers
/// `GET /v2/health/live` with `{"live":true}` and everything else with 404,
/// printing `listening on http://127.0.0.1:PORT` once bound.
@main
enum HTTPBenchServer {
    static func main() {
        let args = CommandLine.arguments
        let port = args.count > 1 ? Int(args[1]) ?? 0 : 0
        let queues = args.count > 2 ? Int(args[2]) ?? HTTPServerConfiguration.onlineCPUCount : HTTPServerConfiguration.onlineCPUCount
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 {
            limit.rlim_cur = limit.rlim_max
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        let config = HTTPServerConfiguration(
            host: "127.0.0.1", port: port, maxConnections: 20_000, serverName: "DenseServe/0.1", ioQueueCount: queues)
        let live = Array("{\"live\":true}".utf8)
        let json: HTTPHeaders = ["Content-Type": "application/json"]
        let server = HTTPServer(configuration: config) { request, responder in
            if request.path == "/v2/health/live" {
                responder.send(HTTPResponse(status: 200, headers: json, body: live))
            } else {
                responder.send(
                    HTTPResponse(status: 404, headers: json, body: Array("{\"error\":\"not found\",\"code\":\"not_found\"}".utf8)))
            }
        }
        do {
            let bound = try server.start()
            print("listening on http://127.0.0.1:\(bound)")
            fflush(nil)
        } catch {
            print("error: \(error.message)")
            exit(1)
        }
        dispatchMain()
    }
}
