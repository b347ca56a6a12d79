import ConciergeModelFormat
import ConciergeRegistry
import ConciergeTestSupport
import Testing

@Suite struct PromotionPolicyTests {
    @Test func promotesWithinToleranceAndKeepsProductionOtherwise() {
        let policy = PromotionPolicy(tolerance: 0.01)
        let map10 = ModelMetric(.meanAveragePrecision, at: 10)
        #expect(
            policy.decide(candidate: ["map@10": 0.2], production: nil) == .promoteFirst(metric: map10, candidate: 0.2))
        #expect(policy.decide(candidate: ["map@10": 0.195], production: ["map@10": 0.2])?.promotes == true)
        #expect(policy.decide(candidate: ["map@10": 0.25], production: ["map@10": 0.2])?.promotes == true)
        #expect(
            policy.decide(candidate: ["map@10": 0.18], production: ["map@10": 0.2])
                == .keep(metric: map10, candidate: 0.18, production: 0.2))
    }

    @Test func theCandidatesCutoffIsTheOneCompared() {
        let policy = PromotionPolicy(tolerance: 0.01)
        let map20 = ModelMetric(.meanAveragePrecision, at: 20)
        let candidate = ["map@20": 0.1, "popular.map@20": 0.4, "precision@20": 0.9]
        #expect(
            policy.decide(candidate: candidate, production: ["map@20": 0.3])
                == .keep(metric: map20, candidate: 0.1, production: 0.3))
        #expect(
            policy.decide(candidate: candidate, production: ["map@10": 0.3])
                == .keepIncomparable(metric: map20, candidate: 0.1))
        #expect(policy.decide(candidate: ["popular.map@10": 0.4], production: nil) == nil)
    }

    @Test func metricKeysCarryMeasureCutoffAndBaseline() {
        #expect(ModelMetric(.meanAveragePrecision, at: 10).key == "map@10")
        #expect(ModelMetric(.ndcg, at: 5, baseline: "item-item").key == "item-item.ndcg@5")
        #expect(ModelMetric(.precision, at: 20).label == "PRECISION@20")
        let own = ModelMetric.own(.ndcg, in: ["item-item.ndcg@5": 0.9, "ndcg@20": 0.3, "auc": 0.7])
        #expect(own?.metric == ModelMetric(.ndcg, at: 20) && own?.value == 0.3)
    }
}

@Suite struct PublishAndPromoteTests {
    private func artifacts(map: Double) -> ModelArtifacts {
        var artifacts = sampleArtifacts()
        artifacts.metrics = ["map@10": map, "precision@10": 0.05]
        return artifacts
    }

    @Test func theFirstVersionIsPromotedAndAWorseOneIsPublishedButKept() throws {
        let registry = ScratchDirectory().registry
        let policy = PromotionPolicy(tolerance: 0.01)
        let first = try registry.publish(model: "roomservice", artifacts: artifacts(map: 0.2), promotingBy: policy)
        #expect(first.version == 1 && first.production == nil && first.decision.promotes)
        let worse = try registry.publish(model: "roomservice", artifacts: artifacts(map: 0.1), promotingBy: policy)
        #expect(worse.version == 2 && worse.production == 1 && !worse.decision.promotes)
        let better = try registry.publish(model: "roomservice", artifacts: artifacts(map: 0.21), promotingBy: policy)
        #expect(better.version == 3 && better.production == 1 && better.decision.promotes)
        #expect(try registry.resolve(model: "roomservice", versionOrAlias: "production") == 3)
        #expect(try registry.list(model: "roomservice").map(\.aliases) == [[], [], ["production"]])
    }

    @Test func aVersionWithoutTheMeasureIsRefusedBeforeAnythingIsWritten() throws {
        let scratch = ScratchDirectory()
        var unmeasured = sampleArtifacts()
        unmeasured.metrics = [:]
        let error = registryError {
            try scratch.registry.publish(model: "roomservice", artifacts: unmeasured, promotingBy: PromotionPolicy())
        }
        #expect(error?.description.contains("no map figure") == true)
        #expect(registryError { try scratch.registry.list() }?.description.contains("no model registry here") == true)
    }
}
