import DenseKernel

/// The request/response model shared by `POST /v1/dense` and `dense-server predict`.
public enum DenseService {
    /// Decodes a one-shot body, runs it on the calling thread, and encodes the response.
    /// The HTTP route runs the compute on the worker pool instead; both share the decoding
    /// and encoding here.
    public static func respond(toOneShot body: [UInt8], limits: ServiceLimits) -> Result<[UInt8], ServiceError> {
        do throws(ServiceError) {
            let request = try DenseRequest.decode(body, limits: limits)
            let plan = try InferencePlan(request: request, limits: limits.dense)
            let clock = ContinuousClock()
            let start = clock.now
            let output = plan.runInline()
            let computeMs = milliseconds(clock.now - start)
            return .success(
                ResponseEncoder.denseResponse(
                    output: output, format: plan.outputFormat, plan: plan,
                    timing: .init(queueMs: 0, computeMs: computeMs)))
        } catch {
            return .failure(error)
        }
    }

    static func milliseconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }
}
