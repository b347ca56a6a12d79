/// What fits the ALS candidates. Item-item and popularity are always computed in process.
public enum TrainingEngine: Sendable {
    /// `ImplicitALS`, in process.
    case native
    /// Spark MLlib's implicit ALS, one Spark job per stage of training.
    case spark(SparkJob)

    /// The manifest's `engine`.
    public var name: String {
        switch self {
        case .native: "native"
        case .spark: "spark"
        }
    }
}
