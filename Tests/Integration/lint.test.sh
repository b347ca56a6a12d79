#!/usr/bin/env bash
# Static checks: swift-format's lint of the Swift sources against .swift-format, shellcheck on every shell
# script in the repository, actionlint on .github/workflows (with shellcheck on their `run:` scripts), hadolint on
# the Dockerfile, `nginx -t` on nginx/ as tests run it and as production installs it, and systemd-analyze on the unit.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
begin_test lint

# tool NAME: the command, from PATH or from the scripts folder of the Python pip installs into.
tool() {
    command -v "$1" 2>/dev/null && return
    local scripts
    scripts=$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')
    [ -x "$scripts/$1" ] || fail_now "$1 is not installed (make test-deps)"
    echo "$scripts/$1"
}

# repository_files: tracked and new (not ignored) files, relative to the repository.
repository_files() {
    if git -C "$REPO" rev-parse --git-dir >/dev/null 2>&1; then
        git -C "$REPO" ls-files --cached --others --exclude-standard
    else
        (cd "$REPO" && find . -path ./.build -prune -o -path '*/.build' -prune -o -type f -print | sed 's|^\./||')
    fi
}

# shell_scripts: files named *.sh, and files whose first line runs a shell.
shell_scripts() {
    local file first_line shebang='^#!.*[/ ](ba|da|k)?sh( |$)'
    while IFS= read -r file; do
        [ -f "$REPO/$file" ] || continue
        first_line=""
        IFS= read -r first_line <"$REPO/$file" || true
        if [[ $file == *.sh || $first_line =~ $shebang ]]; then echo "$file"; fi
    done < <(repository_files)
}

# Swift style, as Hummingbird, swift-nio and swift-log enforce theirs: swift-format ships with the toolchain.
log "swift format $(swift format --version)"
check "swift format lint --strict: Sources, Tests, Package.swift" \
    swift format lint --strict --recursive "$REPO/Sources" "$REPO/Tests" "$REPO/Package.swift"

SHELLCHECK=$(tool shellcheck)
mapfile -t scripts < <(shell_scripts)
log "shellcheck $("$SHELLCHECK" --version | sed -n 's/^version: //p') on ${#scripts[@]} scripts"
[ "${#scripts[@]}" -gt 5 ] || fail_now "found only ${#scripts[@]} shell scripts; the search is broken"
for script in "${scripts[@]}"; do
    check "shellcheck $script" "$SHELLCHECK" --external-sources --source-path=SCRIPTDIR "$REPO/$script"
done

ACTIONLINT=$(tool actionlint)
log "actionlint $("$ACTIONLINT" --version | sed -n 1p)"
run_actionlint() { (cd "$REPO" && "$ACTIONLINT" -shellcheck "$SHELLCHECK"); }
check "actionlint .github/workflows" run_actionlint

HADOLINT=$(tool hadolint)
log "$("$HADOLINT" --version)"
check "hadolint Dockerfile" "$HADOLINT" "$REPO/Dockerfile"

# nginx.conf exactly as it is in the repository, under a scratch prefix.
mkdir -p "$TEST_DIR/nginx-prefix"
check "nginx -t: nginx/nginx.conf as is" \
    nginx -q -t -p "$TEST_DIR/nginx-prefix/" -c "$REPO/nginx/nginx.conf" -e "$TEST_DIR/nginx-prefix/error.log"

# The production site, installed as its comments say into a copy of Debian's /etc/nginx layout, with
# the absolute /etc/nginx paths moved into the scratch folder.
etc=$TEST_DIR/etc-nginx
mkdir -p "$etc/concierge" "$etc/sites-enabled"
cp "$REPO/nginx/concierge-http.conf" "$REPO/nginx/concierge-locations.conf" "$REPO/nginx/upstream.conf" "$etc/concierge/"
sed "s|/etc/nginx/|$etc/|g; s|/var/log/nginx/|$TEST_DIR/|g; s|listen 80;|listen 127.0.0.1:$(free_port);|; /listen \[::\]:80;/d" \
    "$REPO/nginx/concierge-site.conf" >"$etc/sites-enabled/concierge"
cat >"$etc/nginx.conf" <<EOF
pid $TEST_DIR/site-nginx.pid;
events {}
http {
    client_body_temp_path $TEST_DIR/body;
    proxy_temp_path $TEST_DIR/proxy;
    fastcgi_temp_path $TEST_DIR/fastcgi;
    uwsgi_temp_path $TEST_DIR/uwsgi;
    scgi_temp_path $TEST_DIR/scgi;
    include $etc/sites-enabled/*;
}
EOF
check "nginx -t: nginx/concierge-site.conf in a Debian layout" \
    nginx -q -t -c "$etc/nginx.conf" -e "$TEST_DIR/site-error.log"

# systemd checks the unit's every directive; the binary it starts exists only on a serving host.
unit_dir=$TEST_DIR/systemd
mkdir -p "$unit_dir"
sed 's|^ExecStart=/var/lib/concierge/%i/concierge |ExecStart=/bin/true |' "$REPO/deploy/systemd/concierge@.service" \
    >"$unit_dir/concierge@.service"
# Unknown or misspelt directives are only warnings to systemd: any output fails the check.
verify_unit() {
    local complaints
    complaints=$(cd "$unit_dir" && systemd-analyze verify --man=no ./concierge@blue.service 2>&1) || true
    [ -z "$complaints" ] || { echo "$complaints"; return 1; }
    (cd "$unit_dir" && systemd-analyze verify --man=no ./concierge@blue.service)
}
check "systemd-analyze verify concierge@.service: no complaint" verify_unit
