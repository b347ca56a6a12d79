import Glibc

/// Test hook for crash-safety tests: with `CONCIERGE_FAULT_INJECT=publish:<step>` in the environment,
/// the process calls `_exit(70)` when publish reaches that step, as if it had been killed there.
/// Inert unless the variable is set. The steps, in order:
///
/// - `publish:temp-created`: the temporary folder exists and is locked, empty.
/// - `publish:files-written`: data files written and fsynced; the folder itself not yet fsynced.
/// - `publish:locked`: inside the registry's write transaction, before the version number is chosen.
/// - `publish:manifest-written`: the manifest is written; the folder is still temporary.
/// - `publish:renamed`: the folder has its version name, but its parent is not fsynced and no row exists.
/// - `publish:registered`: rows inserted, transaction not committed.
/// - `publish:committed`: the version is published; only cleanup remains.
enum FaultInjection {
    private static let step: String? = getenv("CONCIERGE_FAULT_INJECT").map { String(cString: $0) }

    static func crashPoint(_ name: String) {
        if step == name { _exit(70) }
    }
}
