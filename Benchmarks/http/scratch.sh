# shellcheck shell=bash
# Sourced by the load scripts: `begin_scratch NAME` makes a scratch folder in $WORK and an EXIT trap that
# stops the server whose PID the script puts in $SERVER_PID, then removes the folder.

begin_scratch() {
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/concierge-$1.XXXXXX")
    SERVER_PID=
    trap end_scratch EXIT
}

end_scratch() {
    if [[ -n $SERVER_PID ]]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
