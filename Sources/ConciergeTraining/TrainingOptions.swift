/// What `ModelTrainer` is asked to do. The ALS settings are the starting point of the search
/// (and the only point when `tune` is off).
public struct TrainingOptions: Sendable {
    public var factors: Int
    public var iterations: Int
    public var regularization: Float
    public var alpha: Float
    public var seed: UInt64
    /// Share of each guest's items held out to estimate the published model's quality.
    public var holdout: Double
    /// Share of the remaining training items held out to choose among candidates.
    public var validation: Double
    /// How many validation cuts (each its own seed's) the leading candidates are compared on; 1 compares on one.
    public var validationCuts: Int
    /// Search a small grid of factors, regularization and alpha, and of EASE's λ and input, and compare with
    /// item-item and popularity.
    public var tune: Bool
    /// Neighbours kept per item for item-item scoring and `/similar`.
    public var neighbours: Int
    public var threads: Int
    /// Recommendations per guest when measuring (precision@k, MAP@k, NDCG@k).
    public var cutoff: Int
    public var engine: TrainingEngine
    /// The largest hotel menu EASE is fitted for: B is items² values (5,000 items: 100 MB in Float, about 300 MB
    /// while it is computed). Past it, EASE is left out of the candidates and the run says so.
    public var easeItemLimit: Int

    public init(
        factors: Int = 64, iterations: Int = 15, regularization: Float = 0.01, alpha: Float = 1,
        seed: UInt64 = 42, holdout: Double = 0.2, validation: Double = 0.2, validationCuts: Int = 3, tune: Bool = true,
        neighbours: Int = 50, threads: Int = 2, cutoff: Int = 10, engine: TrainingEngine = .native,
        easeItemLimit: Int = 5_000
    ) {
        self.factors = factors
        self.iterations = iterations
        self.regularization = regularization
        self.alpha = alpha
        self.seed = seed
        self.holdout = holdout
        self.validation = validation
        self.validationCuts = validationCuts
        self.tune = tune
        self.neighbours = neighbours
        self.threads = threads
        self.cutoff = cutoff
        self.engine = engine
        self.easeItemLimit = easeItemLimit
    }
}
