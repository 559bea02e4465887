import ArgumentParser
import DenseKernel
import Foundation
import InferenceService

/// `dense-server`: the DenseServe executable.
@main
struct DenseServerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dense-server",
        abstract: "Keras Dense-layer inference over HTTP/1.1.",
        version: DenseServeVersion.string,
        subcommands: [ServeCommand.self, PredictCommand.self, HealthcheckCommand.self],
        defaultSubcommand: ServeCommand.self)

    /// Keeps OpenBLAS off a generic fallback core (a re-execution, before anything else
    /// runs), then parses the command line.
    static func main() {
        ComputeBackend.selectBLASCore()
        main(nil)
    }
}

enum DenseServeVersion {
    static let string = "0.1.0"
}

/// `dense-server predict [FILE|-]`: the `POST /v1/dense` request body in, the response body out.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Run one /v1/dense request body offline and print the response body.",
        discussion: """
            Reads exactly the body POST /v1/dense takes (see GET /openapi.yaml) from FILE, or from standard \
            input when FILE is - or omitted, and prints exactly the response body. On a bad request \
            it prints the same JSON error the server would send and exits with status 1.
            """)

    @Argument(help: "The request body file, or - for standard input.")
    var file: String = "-"

    func run() throws {
        GEMM.useSingleThreadedBLAS()
        let body: [UInt8]
        if file == "-" {
            body = Array(FileHandle.standardInput.readDataToEndOfFile())
        } else {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw ValidationError("cannot read \(file)")
            }
            body = Array(data)
        }
        switch DenseService.respond(toOneShot: body, limits: ServiceLimits()) {
        case .success(let response):
            FileHandle.standardOutput.write(Data(response + [0x0A]))
        case .failure(let error):
            FileHandle.standardOutput.write(Data(error.jsonBody + [0x0A]))
            FileHandle.standardError.write(Data("dense-server: \(error.status) \(error.code): \(error.message)\n".utf8))
            throw ExitCode(1)
        }
    }
}
