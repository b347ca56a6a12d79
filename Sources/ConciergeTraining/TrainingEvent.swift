/// What training reports while it runs, for a progress display.
public enum TrainingEvent: Sendable {
    /// A stage begins; `steps` of them will follow as `.step`.
    case stage(name: String, steps: Int)
    /// One step of the current stage is done; `detail` says which, and `loss` is set for ALS iterations.
    case step(detail: String, loss: Double?)
    /// Something the operator should know about the run, such as a candidate left out; one line, logged as is.
    case notice(String)
}
