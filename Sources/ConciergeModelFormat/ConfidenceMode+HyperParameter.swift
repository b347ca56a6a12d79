public import ConciergeModel

/// How a manifest's `confidence` hyper-parameter spells each ALS confidence mode (docs/model-format.md).
extension ImplicitALS.ConfidenceMode {
    public var hyperParameter: HyperParameter {
        switch self {
        case .linear: .string("1+alpha*units")
        case .implicitLibrary: .string("alpha*units")
        }
    }

    /// The mode a manifest names; the paper's linear confidence when it names none, as versions before the
    /// parameter existed were trained with it.
    public init(hyperParameter: HyperParameter?) {
        self = hyperParameter == Self.implicitLibrary.hyperParameter ? .implicitLibrary : .linear
    }
}
