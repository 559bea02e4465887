import GRPCCore
import Testing

@Suite struct GRPCStatusCodeTests {
    @Test func codesAndNames() {
        let names = [
            "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED",
            "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE",
            "DATA_LOSS", "UNAUTHENTICATED",
        ]
        #expect(GRPCStatusCode.allCases.map(\.name) == names)
        #expect(GRPCStatusCode.allCases.map(\.rawValue) == Array(0...16))
        #expect(GRPCStatusCode.internal.trailerValue == "13")
        #expect("\(GRPCStatusCode.invalidArgument)" == "INVALID_ARGUMENT")
    }

    @Test func trailerValues() {
        #expect(GRPCStatusCode(trailerValue: "0") == .ok)
        #expect(GRPCStatusCode(trailerValue: "16") == .unauthenticated)
        for bad in ["17", "", "+3", "-1", " 3", "3 ", "three", "256"] { #expect(GRPCStatusCode(trailerValue: bad) == nil, "\(bad)") }
    }

    /// One error, three statuses: the caller picks the status from the case.
    @Test func errorStatuses() {
        #expect(GRPCCoreError.malformed(path: "A.b", expected: "x").statusCode == .internal)
        #expect(GRPCCoreError.invalid(path: "A.b", expected: "x").statusCode == .invalidArgument)
        #expect(GRPCCoreError.messageTooLarge(length: 2, limit: 1).statusCode == .resourceExhausted)
        #expect(GRPCCoreError.malformed(path: "A.b", expected: "x").message == "malformed protobuf: A.b: expected x")
    }
}
