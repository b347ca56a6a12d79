import Foundation

/// Seconds since 1970, and waiting: the watch's window outlives one process (deploy.sh stops the old colour between
/// two runs of `concierge deploy-check watch`), so it is measured on the wall clock.
package protocol WallClock {
    func now() -> Double
    func sleep(seconds: Double)
}

package struct SystemWallClock: WallClock {
    package init() {}

    package func now() -> Double { Date().timeIntervalSince1970 }

    package func sleep(seconds: Double) { Thread.sleep(forTimeInterval: seconds) }
}
