import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Issue 11, finding 3: without an admin token, model changes are allowed only while the server
/// listens on a loopback address. Behind a same-host proxy (KServe's queue-proxy, an Istio
/// sidecar) every outside request arrives from 127.0.0.x, so a loopback peer proved nothing.
@Suite struct AdminListenAddressTests {
    static let model = #"{"layer": {"units": 2, "seed": 1}, "input_shape": [null, 3]}"#

    @Test func withoutATokenANonLoopbackListenerRefusesModelChanges() async throws {
        // Listening on all interfaces; the test still connects over 127.0.0.1, as a proxy would.
        let server = try ServerProcess(arguments: ["--host", "0.0.0.0"])
        defer { server.stop() }
        let put = try await Client.call("PUT", server.baseURL + "/v1/models/m", json: Self.model)
        #expect(put.status == 403, "\(put.text)")
        #expect(put.json["code"] as? String == "forbidden")
        #expect((put.json["error"] as? String)?.contains("admin_token") == true, "\(put.text)")
        let delete = try await Client.call("DELETE", server.baseURL + "/v1/models/m")
        #expect(delete.status == 403, "\(delete.text)")
        // Reading and inference are not admin routes.
        #expect(try await Client.call("GET", server.baseURL + "/v2/health/ready").status == 200)
    }

    @Test func withATokenANonLoopbackListenerAcceptsTheBearer() async throws {
        let server = try ServerProcess(arguments: ["--host", "0.0.0.0", "--admin-token", "s3cret"])
        defer { server.stop() }
        let refused = try await Client.call("PUT", server.baseURL + "/v1/models/m", json: Self.model)
        #expect(refused.status == 401, "\(refused.text)")
        let put = try await Client.call(
            "PUT", server.baseURL + "/v1/models/m", body: Data(Self.model.utf8),
            headers: ["Content-Type": "application/json", "Authorization": "Bearer s3cret"])
        #expect(put.status == 201, "\(put.text)")
    }

    @Test func aLoopbackListenerWithoutATokenStillAcceptsLoopbackChanges() async throws {
        let server = try ServerProcess()  // 127.0.0.1, as scripts/run.sh
        defer { server.stop() }
        #expect(try await Client.call("PUT", server.baseURL + "/v1/models/m", json: Self.model).status == 201)
    }

    /// Also reported: a token from a secret file keeps its trailing newline; surrounding
    /// whitespace is ignored, so `Bearer <token>` matches.
    @Test func aTokenWithATrailingNewlineStillMatches() async throws {
        let server = try ServerProcess(arguments: ["--host", "0.0.0.0"], environment: ["DENSE_ADMIN_TOKEN": "s3cret\n"])
        defer { server.stop() }
        let put = try await Client.call(
            "PUT", server.baseURL + "/v1/models/m", body: Data(Self.model.utf8),
            headers: ["Content-Type": "application/json", "Authorization": "Bearer s3cret"])
        #expect(put.status == 201, "\(put.text)")
    }
}
