import DenseKernel

/// A validated request, ready to run: the model with weights, the input, and what to report.
public struct InferencePlan: Sendable {
    public var model: DenseModel?
    public var input: Tensor?
    /// Shapes and parameters; nil when ``modelSection`` already holds them encoded.
    public var description: ModelDescription?
    /// The `model` response section, pre-encoded (registered models cache it).
    public var modelSection: [UInt8]?
    public var outputFormat: TensorFormat

    /// Rows the forward pass runs over (product of the leading axes).
    public var rows: Int { input.map { model?.rows(inputShape: $0.shape) ?? 0 } ?? 0 }

    /// Validates a decoded request and builds the model's weights.
    public init(request: DenseRequest, limits: DenseLimits) throws(ServiceError) {
        do {
            if let wire = request.input {
                let shape = wire.tensor.shape
                let model = try request.model.materialize(inputDim: shape.last!, limits: limits)
                try model.validate(inputShape: shape, limits: limits)
                self.model = model
                self.input = wire.tensor(roundedFor: model.inputDType)
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

    /// Plans a run of a registered model; its `model` section comes from the model's cache.
    public init(registered: RegisteredModel, input: WireTensor, outputFormat: TensorFormat?, limits: DenseLimits) throws(ServiceError) {
        let model = registered.model
        do {
            try model.validate(inputShape: input.tensor.shape, limits: limits)
            let symbolic = DenseModel.symbolicShape(of: input.tensor.shape)
            self.modelSection = try registered.modelSection(for: symbolic) { () throws(DenseError) in
                try model.describe(inputShape: symbolic)
            }
            self.description = nil
        } catch {
            throw .dense(error)
        }
        self.model = model
        self.input = input.tensor(roundedFor: model.inputDType)
        self.outputFormat = outputFormat ?? input.format
    }

    /// Runs the whole forward pass on the calling thread.
    public func runInline() -> Tensor? {
        guard let model, let input else { return nil }
        return model.forward(input)
    }
}
