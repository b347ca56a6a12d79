import ConciergeDeploy
import Testing

@Suite struct DeployStatusTests {
    private let blue = DeployInstance(host: "127.0.0.1", port: 8081)
    private let green = DeployInstance(host: "127.0.0.1", port: 8082)

    @Test func healthAsDeployShReadsIt() {
        #expect(
            InstanceHealth.summary(ofBody: #"{"status":"ready","version":3,"color":"green","model":"x"}"#)
                == "ready 3 green")
        #expect(InstanceHealth.summary(ofBody: #"{"status":"starting"}"#) == "starting null null")
        #expect(InstanceHealth.summary(ofBody: "<html>502</html>") == nil)
        #expect(InstanceHealth.summary(ofBody: "[1]") == nil)
    }

    @Test func readinessWaitsForTheFirstInstanceNotReady() {
        let other = DeployInstance(host: "127.0.0.2", port: 8082)
        let deadline = DeployDuration("30")!
        func readiness(_ answers: [(DeployInstance, String?)]) -> InstanceHealth.Readiness {
            InstanceHealth.readiness(
                of: answers.map { (instance: $0.0, summary: $0.1) }, colour: .green, version: "2", deadline: deadline)
        }
        #expect(readiness([(green, "ready 2 green"), (other, "ready 2 green")]) == .ready)
        #expect(
            readiness([(green, "ready 2 green"), (other, nil)])
                == .waiting("127.0.0.2:8082 (green) not ready after 30 s (its /health says: nothing)"))
        #expect(
            readiness([(green, "starting 2 green"), (other, nil)])
                == .waiting("127.0.0.1:8082 (green) not ready after 30 s (its /health says: starting 2 green)"))
        #expect(
            readiness([(green, "ready 1 blue")])
                == .conflict(
                    "127.0.0.1:8082 answers 'ready 1 blue', expected 'ready 2 green': another instance holds its port"))
    }

    @Test func nginxServesTheColourOnlyWhenEveryLookSaysSo() throws {
        let settings = try DeploySettings(environment: ["CONCIERGE_DEPLOY_FLIP_TIMEOUT": "15"])
        #expect(NginxAnswers.servedBy(colour: "green", model: "roomservice/2") == "green roomservice/2")
        #expect(NginxAnswers.servedBy(colour: nil, model: "roomservice/2") == nil)
        func mismatch(_ looks: [String?]) -> String? {
            NginxAnswers.mismatch(looks, colour: .green, model: "roomservice", version: "2", settings: settings)
        }
        #expect(mismatch(Array(repeating: "green roomservice/2", count: 3)) == nil)
        #expect(
            mismatch(["green roomservice/2", "blue roomservice/1", nil])
                == "nginx at http://127.0.0.1 still answers from 'blue roomservice/1' after 15 s, not green roomservice/2"
        )
        #expect(mismatch(["green roomservice/2", nil])?.contains("answers from 'nothing' after") == true)
    }

    @Test func theReportAndWhetherTheActiveColourServes() throws {
        let settings = try DeploySettings(environment: [
            "CONCIERGE_DEPLOY_LAUNCHER": "process", "CONCIERGE_DEPLOY_STATE_DIR": "/tmp/stack",
            "CONCIERGE_DEPLOY_NGINX_UPSTREAM": "/tmp/stack/upstream.conf",
        ])
        let rows: [DeployStatus.Row] = [
            .init(colour: .blue, instance: blue, running: false, health: nil, lastVersion: "1"),
            .init(colour: .green, instance: green, running: true, health: "ready 2 green", lastVersion: "2"),
        ]
        let status = DeployStatus(active: .green, rows: rows, nginx: "green roomservice/2")
        #expect(
            status.report(settings) == """
                upstream /tmp/stack/upstream.conf -> green (launcher: process, state: /tmp/stack)
                  COLOUR ROLE    PROCESS  INSTANCE               /health                LAST STARTED ON
                  blue   idle    stopped  127.0.0.1:8081         no answer              roomservice/1
                  green  active  running  127.0.0.1:8082         ready 2 green          roomservice/2
                  nginx at http://127.0.0.1 answers from: green roomservice/2
                """)
        #expect(status.isHealthy)
        #expect(
            status.oneLine
                == "upstream -> green; nginx answers from green roomservice/2; blue 127.0.0.1:8081: stopped; "
                + "green 127.0.0.1:8082: ready 2 green")
        #expect(!DeployStatus(active: .blue, rows: rows, nginx: "blue roomservice/1").isHealthy, "blue does not answer")
        #expect(!DeployStatus(active: .green, rows: rows, nginx: "blue roomservice/1").isHealthy, "nginx serves blue")
        #expect(!DeployStatus(active: .green, rows: rows, nginx: nil).isHealthy)
        #expect(!DeployStatus(active: nil, rows: rows, nginx: "green roomservice/2").isHealthy)
        let unreadable = DeployStatus(active: nil, rows: [], nginx: nil)
        #expect(unreadable.oneLine == "upstream -> unreadable; nginx answers from ")
        #expect(unreadable.report(settings).contains(" -> unknown (launcher: process, "))
        #expect(unreadable.report(settings).hasSuffix("answers from: nothing"))
    }
}
