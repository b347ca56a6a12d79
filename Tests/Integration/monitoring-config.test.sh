#!/usr/bin/env bash
# The shipped monitoring configuration (deploy/monitoring/) is valid to the real tools, its alerts pass their
# unit tests, and every alert and panel is explained in docs/operations.md. Quick: no process runs long.
# monitoring.test.sh runs the same files against live processes.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
begin_test monitoring-config

MONITORING=$REPO/deploy/monitoring
OPERATIONS=$REPO/docs/operations.md
CHECK=(python3 "$INTEGRATION_DIR/monitoring-check.py")
RULES=("$MONITORING"/rules/*.yml)

for tool in promtool amtool; do
    command -v "$tool" >/dev/null || fail_now "$tool is not installed (make test-deps installs it)"
done

# promtool wants the API key file Prometheus presents to Concierge to exist, as it will on a host: the test checks a
# copy that names an empty stand-in, with its rule_files made absolute.
SHIPPED_TOKEN=/etc/prometheus/concierge.token
PROMETHEUS_COPY=$TEST_DIR/prometheus.yml
: >"$TEST_DIR/concierge.token"
sed -e "s|credentials_file: $SHIPPED_TOKEN\$|credentials_file: $TEST_DIR/concierge.token|" \
    -e "s|^  - rules/|  - $MONITORING/rules/|" "$MONITORING/prometheus.yml" >"$PROMETHEUS_COPY"
check "prometheus.yml presents an API key to Concierge from $SHIPPED_TOKEN" \
    grep -q "credentials_file: $TEST_DIR/concierge.token" "$PROMETHEUS_COPY"
check "promtool check config: prometheus.yml and the rule files it names" \
    promtool check config "$PROMETHEUS_COPY"
check "promtool check rules: ${RULES[*]##*/}" promtool check rules "${RULES[@]}"
check "promtool test rules: every alert fires, and does not where it should not" \
    promtool test rules "$MONITORING"/tests/*.test.yml
check "amtool check-config: alertmanager.yml and its Slack templates" \
    amtool check-config "$MONITORING/alertmanager.yml"
check "every alert has a severity, summary, description and runbook section in docs/operations.md" \
    "${CHECK[@]}" alerts-lint --rules "${RULES[@]}" --docs "$OPERATIONS" --repo "$REPO"
check "the Grafana dashboard is well formed, uses the provisioned data source, and docs explain each panel" \
    "${CHECK[@]}" dashboard-lint --dashboard "$MONITORING/grafana/dashboards/concierge.json" \
        --datasources "$MONITORING/grafana/provisioning/datasources/concierge.yml" \
        --providers "$MONITORING/grafana/provisioning/dashboards/concierge.yml" --docs "$OPERATIONS"

# The webhook URL is a secret: the file that holds it on a host must never be committed from a checkout.
check "a Slack webhook file in deploy/monitoring/ is ignored by git" \
    git -C "$REPO" check-ignore -q deploy/monitoring/slack-webhook-url
