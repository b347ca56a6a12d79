public import ConciergeModel
public import ConciergeModelFormat

/// One way of scoring guests that training compares: ALS with given settings (fitted natively or on Spark),
/// item-item, EASE, EASE and ALS blended, or popularity by distinct guests or by units.
public enum CandidateModel: Sendable, Hashable, CustomStringConvertible {
    case als(ImplicitALS.Configuration)
    case sparkALS(SparkALSParameters)
    case itemItem(neighbours: Int)
    case ease(EASE.Configuration)
    /// EASE and native ALS fitted on the same data, their scores blended (`ModelKind.easeALS`): each divided by its
    /// standard deviation over the guest's hotel, ALS's times `weight`.
    case easeALS(EASE.Configuration, ImplicitALS.Configuration, weight: Double)
    case popular(Popularity.Measure)

    public var kind: ModelKind {
        switch self {
        case .als, .sparkALS: .als
        case .itemItem: .itemItem
        case .ease: .ease
        case .easeALS: .easeALS
        case .popular: .popular
        }
    }

    public var hyperParameters: [String: HyperParameter] {
        switch self {
        case .als(let configuration):
            [
                "factors": .number(Double(configuration.factors)),
                "iterations": .number(Double(configuration.iterations)),
                "regularization": .number(Double(configuration.regularization)),
                "alpha": .number(Double(configuration.alpha)),
                "cg_steps": .number(Double(configuration.cgSteps)),
                "confidence": configuration.confidence.hyperParameter,
                "seed": .number(Double(configuration.seed)),
            ]
        case .sparkALS(let parameters):
            parameters.hyperParameters
        case .itemItem(let neighbours):
            ["neighbours": .number(Double(neighbours)), "similarity": "cosine"]
        case .ease(let configuration):
            ["lambda": .number(configuration.lambda), "input": .string(configuration.input.rawValue)]
        case .easeALS(let ease, let als, let weight):
            CandidateModel.ease(ease).hyperParameters.merging(CandidateModel.als(als).hyperParameters) { $1 }
                .merging(["weight": .number(weight)]) { $1 }
        case .popular(let measure):
            ["measure": .string(measure.name)]
        }
    }

    public var description: String {
        switch self {
        case .als(let configuration):
            "als(factors \(configuration.factors), regularization \(configuration.regularization), alpha \(configuration.alpha))"
        case .sparkALS(let parameters):
            "spark-als(rank \(parameters.rank), regParam \(parameters.regParam), alpha \(parameters.alpha))"
        case .itemItem(let neighbours): "item-item(cosine, \(neighbours) neighbours)"
        case .ease(let configuration): "ease(λ \(configuration.lambda), \(configuration.input.rawValue) X)"
        case .easeALS(let ease, let als, let weight):
            "ease-als(λ \(ease.lambda), \(ease.input.rawValue) X; factors \(als.factors), regularization "
                + "\(als.regularization), alpha \(als.alpha); weight \(weight))"
        case .popular(let measure): "popular(\(measure.name))"
        }
    }

    /// Simpler models win ties: they are cheaper to serve and easier to trust.
    var simplicity: Int {
        switch self {
        case .popular: 0
        case .itemItem, .ease: 1
        case .als, .sparkALS: 2
        case .easeALS: 3
        }
    }
}

extension Popularity.Measure {
    /// The manifest's spelling, in the `measure` hyper-parameter.
    public var name: String {
        switch self {
        case .distinctGuests: "distinct guests"
        case .totalUnits: "units"
        }
    }
}
