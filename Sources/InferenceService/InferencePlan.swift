import DenseKernel

/// A validated request, ready to run: the model with weights, the input, and what to report.
public struct InferencePlan: Sendable {
    public var model: DenseModel?
    public var input: Tensor?
    public var description: ModelDescription
    public var outputFormat: TensorFormat

    /// Rows the forward pass runs over (product of the leading axes).
    public var rows: Int { input.map { $0.shape.dropLast().reduce(1, *) } ?? 0 }

    /// Validates a decoded request and builds the model's weights.
    public init(request: DenseRequest, limits: DenseLimits) throws(ServiceError) {
        do {
            if let wire = request.input {
                let shape = wire.tensor.shape
                let model = try request.model.materialize(inputDim: shape.last!, limits: limits)
                try model.validate(inputShape: shape, limits: limits)
                self.model = model
                self.input = wire.tensor
                self.description = try model.describe(inputShape: DenseModel.symbolicShape(of: shape))
                self.outputFormat = request.outputFormat ?? wire.format
            } else {
                let shape = request.inputShape!
                self.model = nil
                self.input = nil
                self.description = try request.model.describe(inputShape: shape)
                self.outputFormat = request.outputFormat ?? .nested
            }
        } catch {
            throw .dense(error)
        }
    }

    /// Plans a run of an already built model (a registered one).
    public init(model: DenseModel, input: WireTensor, outputFormat: TensorFormat?, limits: DenseLimits) throws(ServiceError) {
        do {
            try model.validate(inputShape: input.tensor.shape, limits: limits)
            self.description = try model.describe(inputShape: DenseModel.symbolicShape(of: input.tensor.shape))
        } catch {
            throw .dense(error)
        }
        self.model = model
        self.input = input.tensor
        self.outputFormat = outputFormat ?? input.format
    }

    /// Runs the whole forward pass on the calling thread.
    public func runInline() -> Tensor? {
        guard let model, let input else { return nil }
        return model.forward(input)
    }
}
