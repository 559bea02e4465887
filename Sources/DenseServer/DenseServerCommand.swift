import ArgumentParser
import DenseKernel
import InferenceService

#if canImport(Glibc)
    import Glibc
#endif

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `dense-server`: the DenseServe executable.
@main
struct DenseServerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dense-server",
        abstract: "Keras Dense-layer inference over HTTP/1.1.",
        version: DenseServeVersion.string,
        subcommands: [ServeCommand.self, PredictCommand.self, InspectCommand.self, HealthcheckCommand.self],
        defaultSubcommand: ServeCommand.self)

    /// Parses the command line and runs the subcommand.
    static func main() {
        main(nil)
    }
}

enum DenseServeVersion {
    static let string = "0.1.0"
}

/// Reads FILE, or standard input for `-`.
func readInput(_ file: String) throws -> [UInt8] {
    if file == "-" { return StandardStreams.readAll() }
    guard let data = FileManager.default.contents(atPath: file) else { throw ValidationError("cannot read \(file)") }
    return Array(data)
}

/// `dense-server predict [--model M] [FILE|-]`: a request body in, the response body out.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Run one request body offline and print the response body.",
        discussion: """
            Without --model, reads exactly the body POST /v1/dense takes (see GET /openapi.yaml) from FILE, or \
            from standard input when FILE is - or omitted, and prints exactly the response body. With \
            --model M (a Keras .keras or .h5 file, or a PUT /v1/models/{name} JSON body), the body is the \
            one POST /v1/models/{name}/predict takes ({"input": ...}) and the answer is that route's. On a \
            bad request or model it prints the same JSON error the server would send and exits with status 1.
            """)

    @Option(help: "A model to predict with: a .keras or .h5 file as model.save writes it, or a PUT body.")
    var model: String?

    @Argument(help: "The request body file, or - for standard input.")
    var file: String = "-"

    func run() throws {
        let body = try readInput(file)
        if let model {
            let (status, response) = DenseService.respond(toPredict: body, model: try readInput(model), limits: ServiceLimits())
            StandardStreams.printLine(response)
            if status != 200 {
                StandardStreams.printError("dense-server: status \(status)\n")
                throw ExitCode(1)
            }
            return
        }
        switch DenseService.respond(toOneShot: body, limits: ServiceLimits()) {
        case .success(let response):
            StandardStreams.printLine(response)
        case .failure(let error):
            StandardStreams.printLine(error.jsonBody)
            StandardStreams.printError("dense-server: \(error.status) \(error.code): \(error.message)\n")
            throw ExitCode(1)
        }
    }
}

/// `dense-server inspect FILE`: a model's summary offline.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Print a model file's summary offline, as model.summary() does.",
        discussion: """
            FILE is a Keras model file (.keras, or .h5 from model.save) or a PUT /v1/models/{name} JSON body. \
            It is read exactly as PUT reads it, and refused with the same error (exit status 1). Prints the \
            input and output shapes, the weights digest (SHA-256 over get_weights()) and the summary table; \
            --json prints GET /v1/models/{name}'s answer instead.
            """)

    @Flag(help: "Print the model's metadata as JSON (GET /v1/models/{name}).")
    var json = false

    @Argument(help: "The model file, or - for standard input.")
    var file: String

    func run() throws {
        switch DenseService.inspect(model: try readInput(file), limits: ServiceLimits()) {
        case .success(let (summary, metadata)):
            StandardStreams.printLine(json ? metadata : Array(summary.utf8))
        case .failure(let error):
            StandardStreams.printLine(error.jsonBody)
            StandardStreams.printError("dense-server: \(error.status) \(error.code): \(error.message)\n")
            throw ExitCode(1)
        }
    }
}
