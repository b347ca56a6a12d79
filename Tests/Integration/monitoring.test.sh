#!/usr/bin/env bash
# The monitoring of deploy/monitoring/ against the real thing, all on loopback: two Concierge colours (blue
# serving production = version 1, green serving version 2, as in the middle of a deploy) behind a real nginx,
# Debian's prometheus-nginx-exporter and prometheus-node-exporter, Alertmanager, and Prometheus with a
# configuration made from the shipped one (same jobs, labels and rule files; test addresses; 1 s intervals).
# Under a little traffic, through Prometheus's HTTP API: every target is up, counters grow, every recording
# rule has data, every rule evaluates cleanly, every PromQL expression of the dashboard and of the alerts
# evaluates (and each panel has data), and alerts go pending when their condition holds. Alertmanager, with
# the shipped configuration and templates, posts to a Slack stand-in on loopback and inhibits as designed.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
begin_test monitoring

MONITORING=$REPO/deploy/monitoring
CHECK=(python3 "$INTEGRATION_DIR/monitoring-check.py")
RULES=("$MONITORING"/rules/*.yml)
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

for tool in prometheus promtool amtool prometheus-alertmanager prometheus-nginx-exporter prometheus-node-exporter \
    "$NGINX"; do
    command -v "$tool" >/dev/null || fail_now "$tool is not installed (make test-deps installs it)"
done

# --- Two versions of the model: the sample production one, and an ALS one trained on a larger sample.
REGISTRY=$TEST_DIR/registry
sample_registry "$REGISTRY"
{
    "$CONCIERGE_BIN" sample --out "$REGISTRY/orders-2.csv" --guests 2000 --seed 4 &&
    "$CONCIERGE_BIN" ingest "$REGISTRY/orders-2.csv" --store "$REGISTRY/store-2.sqlite" &&
    "$CONCIERGE_BIN" train --store "$REGISTRY/store-2.sqlite" --registry "$REGISTRY/models" --no-tune \
        --factors 8 --iterations 5
} >"$REGISTRY/version-2.log" 2>&1 || { cat "$REGISTRY/version-2.log"; fail_now "could not train version 2"; }
# Green's ALS model gives the strategy mix more than one strategy (als for its guests, fold-in for recent items).
version_2_kind=$("$CONCIERGE_BIN" registry show roomservice 2 --json --registry "$REGISTRY/models" | jq -r .kind)
[ "$version_2_kind" = als ] || fail_now "version 2 is a $version_2_kind model, not ALS"

# Both colours ask for API keys: Prometheus presents one with the metrics scope, the traffic one for the API.
"$CONCIERGE_BIN" keys new --scopes metrics --name prometheus --token-file "$TEST_DIR/prometheus.token" >"$TEST_DIR/keys"
"$CONCIERGE_BIN" keys new --scopes recommend,model --name crm --token-file "$TEST_DIR/crm.token" >>"$TEST_DIR/keys"
BLUE_PORT=$(free_port)
GREEN_PORT=$(free_port)
start_process "$TEST_DIR/blue.log" "$CONCIERGE_BIN" serve --host 127.0.0.1 --port "$BLUE_PORT" \
    --registry "$REGISTRY/models" --version production --color blue --no-access-log --api-keys "$TEST_DIR/keys"
BLUE_PID=$LAST_PID
start_process "$TEST_DIR/green.log" "$CONCIERGE_BIN" serve --host 127.0.0.1 --port "$GREEN_PORT" \
    --registry "$REGISTRY/models" --version 2 --color green --no-access-log --api-keys "$TEST_DIR/keys"
GREEN_PID=$LAST_PID
wait_for_url "http://127.0.0.1:$BLUE_PORT/health" || fail_now "blue never became ready: $(cat "$TEST_DIR/blue.log")"
wait_for_url "http://127.0.0.1:$GREEN_PORT/health" || fail_now "green never became ready: $(cat "$TEST_DIR/green.log")"

# --- nginx in front of both colours, with stub_status where the shipped nginx has it.
NGINX_PORT=$(free_port)
NGINX_PREFIX=$TEST_DIR/nginx
mkdir -p "$NGINX_PREFIX/temp"
cat >"$NGINX_PREFIX/nginx.conf" <<EOF
daemon off;
worker_processes 1;
pid $NGINX_PREFIX/nginx.pid;
error_log $NGINX_PREFIX/error.log;
events { worker_connections 256; }
http {
    access_log off;
    client_body_temp_path $NGINX_PREFIX/temp/body;
    proxy_temp_path $NGINX_PREFIX/temp/proxy;
    fastcgi_temp_path $NGINX_PREFIX/temp/fastcgi;
    uwsgi_temp_path $NGINX_PREFIX/temp/uwsgi;
    scgi_temp_path $NGINX_PREFIX/temp/scgi;
    upstream concierge {
        server 127.0.0.1:$BLUE_PORT;
        server 127.0.0.1:$GREEN_PORT;
        keepalive 8;
    }
    server {
        listen 127.0.0.1:$NGINX_PORT;
        location = /nginx_status { stub_status; allow 127.0.0.1; deny all; }
        location / {
            proxy_pass http://concierge;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }
    }
}
EOF
start_process "$TEST_DIR/nginx.log" "$NGINX" -p "$NGINX_PREFIX" -c "$NGINX_PREFIX/nginx.conf" \
    -e "$NGINX_PREFIX/error.log"
wait_for_url "http://127.0.0.1:$NGINX_PORT/nginx_status" ||
    fail_now "nginx did not start: $(cat "$TEST_DIR/nginx.log" "$NGINX_PREFIX/error.log")"

# --- The exporters. The node exporter runs only the collectors the dashboard reads: the others probe
# hardware and services a CI container does not have.
NGINX_EXPORTER_PORT=$(free_port)
start_process "$TEST_DIR/nginx-exporter.log" prometheus-nginx-exporter \
    -nginx.scrape-uri="http://127.0.0.1:$NGINX_PORT/nginx_status" -web.listen-address="127.0.0.1:$NGINX_EXPORTER_PORT"
NODE_EXPORTER_PORT=$(free_port)
start_process "$TEST_DIR/node-exporter.log" prometheus-node-exporter \
    --web.listen-address="127.0.0.1:$NODE_EXPORTER_PORT" \
    --collector.disable-defaults --collector.cpu --collector.meminfo
wait_for_url "http://127.0.0.1:$NGINX_EXPORTER_PORT/metrics" ||
    fail_now "prometheus-nginx-exporter did not start: $(cat "$TEST_DIR/nginx-exporter.log")"
wait_for_url "http://127.0.0.1:$NODE_EXPORTER_PORT/metrics" ||
    fail_now "prometheus-node-exporter did not start: $(cat "$TEST_DIR/node-exporter.log")"

# --- Slack's stand-in, and Alertmanager with the shipped configuration reading the webhook URL from a file.
start_process "$TEST_DIR/slack.log" "${CHECK[@]}" slack-sink --port-file "$TEST_DIR/slack.port" \
    --messages "$TEST_DIR/slack-messages.jsonl"
deadline=$((SECONDS + 10))
until [ -s "$TEST_DIR/slack.port" ]; do
    [ "$SECONDS" -lt "$deadline" ] || fail_now "the Slack stand-in did not start: $(cat "$TEST_DIR/slack.log")"
    sleep 0.1
done
WEBHOOK_PATH=/services/T0TEST/B0TEST/webhook-secret
echo "http://127.0.0.1:$(cat "$TEST_DIR/slack.port")$WEBHOOK_PATH" >"$TEST_DIR/slack-webhook-url"
"${CHECK[@]}" alertmanager-config --shipped "$MONITORING/alertmanager.yml" --out "$TEST_DIR/alertmanager.yml" \
    --webhook-file "$TEST_DIR/slack-webhook-url" || fail_now "could not make the test Alertmanager configuration"
check "amtool check-config: the shipped Alertmanager configuration with the test webhook file" \
    amtool check-config "$TEST_DIR/alertmanager.yml"

ALERTMANAGER_PORT=$(free_port)
ALERTMANAGER=http://127.0.0.1:$ALERTMANAGER_PORT
start_process "$TEST_DIR/alertmanager.log" prometheus-alertmanager --config.file="$TEST_DIR/alertmanager.yml" \
    --storage.path="$TEST_DIR/alertmanager-data" --web.listen-address="127.0.0.1:$ALERTMANAGER_PORT" \
    --cluster.listen-address=
wait_for_url "$ALERTMANAGER/-/ready" || fail_now "Alertmanager did not start: $(cat "$TEST_DIR/alertmanager.log")"

# Three alerts as Prometheus would send them. The outage pages; the latency page is a symptom of it and must
# be inhibited; the target alert is no Concierge alert, so it still arrives (after the warning route's wait).
amtool_add() {
    amtool --alertmanager.url="$ALERTMANAGER" alert add "$@" >/dev/null || fail_now "amtool could not post $1"
}
amtool_add alertname=ConciergeNoReadyColor severity=page service=concierge \
    --annotation=summary="No Concierge colour is ready, so nginx has nowhere to send guests" \
    --annotation=description="Neither blue nor green reports ready. Check first: the colours' services." \
    --annotation=runbook_url=docs/operations.md#conciergenoreadycolor
amtool_add alertname=ConciergeHighLatency severity=page service=concierge job=concierge color=green \
    --annotation=summary="Concierge green p99 latency is 497ms (over 250 ms)" \
    --annotation=runbook_url=docs/operations.md#conciergehighlatency
amtool_add alertname=TargetDown severity=warning job=node instance=127.0.0.1:9100 \
    --annotation=summary="Prometheus cannot scrape node at 127.0.0.1:9100" \
    --annotation=runbook_url=docs/operations.md#targetdown

# --- Prometheus, with the shipped configuration pointed at the test's processes.
PROMETHEUS_PORT=$(free_port)
PROMETHEUS=http://127.0.0.1:$PROMETHEUS_PORT
"${CHECK[@]}" prometheus-config --shipped "$MONITORING/prometheus.yml" --out "$TEST_DIR/prometheus.yml" --interval 1s \
    --credentials-file "$TEST_DIR/prometheus.token" \
    --target "concierge/blue=127.0.0.1:$BLUE_PORT" --target "concierge/green=127.0.0.1:$GREEN_PORT" \
    --target "nginx=127.0.0.1:$NGINX_EXPORTER_PORT" --target "node=127.0.0.1:$NODE_EXPORTER_PORT" \
    --target "prometheus=127.0.0.1:$PROMETHEUS_PORT" --target "alertmanager=127.0.0.1:$ALERTMANAGER_PORT" ||
    fail_now "could not make the test Prometheus configuration"
check "promtool check config: the test copy of the shipped configuration" \
    promtool check config "$TEST_DIR/prometheus.yml"
start_process "$TEST_DIR/prometheus.log" prometheus --config.file="$TEST_DIR/prometheus.yml" \
    --storage.tsdb.path="$TEST_DIR/prometheus-data" --web.listen-address="127.0.0.1:$PROMETHEUS_PORT"
wait_for_url "$PROMETHEUS/-/ready" || fail_now "Prometheus did not start: $(cat "$TEST_DIR/prometheus.log")"

# --- Traffic through nginx: known guests of each version (each unknown to the other colour: 4xx), guests
# with recent items only (fold-in on green), new guests with a hotel (popular), /similar, /model, a 404;
# and straight to green, requests in an HTTP version it refuses with 505, so green has a 5xx ratio.
URLS=$TEST_DIR/traffic.curl
{
    printf 'header = "Authorization: Bearer %s"\n' "$(cat "$TEST_DIR/crm.token")"
    for version in 1 2; do
        head -n 10 "$REGISTRY/models/roomservice/$version/user_ids.txt" | while read -r user; do
            printf 'url = "http://127.0.0.1:%s/recommend?user=%s&k=5"\n' "$NGINX_PORT" "$user"
        done
    done
    head -n 5 "$REGISTRY/models/roomservice/2/item_ids.txt" | while read -r item; do
        printf 'url = "http://127.0.0.1:%s/recommend?recent=%s&k=5"\n' "$NGINX_PORT" "$item"
        printf 'url = "http://127.0.0.1:%s/similar?item=%s&k=5"\n' "$NGINX_PORT" "$item"
    done
    for hotel in $(head -n 3 "$REGISTRY/models/roomservice/1/hotel_ids.txt"); do
        printf 'url = "http://127.0.0.1:%s/recommend?user=walk-in-%s&hotel=%s&k=5"\n' "$NGINX_PORT" "$hotel" "$hotel"
    done
    printf 'url = "http://127.0.0.1:%s/model"\n' "$NGINX_PORT"
    printf 'url = "http://127.0.0.1:%s/no-such-route"\n' "$NGINX_PORT"
} | sed 's/$/\noutput = "\/dev\/null"/' >"$URLS"

refused_request() {
    local connection
    exec {connection}<>"/dev/tcp/127.0.0.1/$GREEN_PORT"
    printf 'GET /recommend?user=1 HTTP/3.0\r\nHost: test\r\n\r\n' >&"$connection"
    timeout 5 cat <&"$connection" >/dev/null
    exec {connection}>&-
}

# Rounds of 35 requests and two refused ones, paced to a few dozen a second, until the checks are done (at most 3 minutes).
generate_traffic() {
    local until=$((SECONDS + 180))
    while [ ! -e "$TEST_DIR/traffic.stop" ] && [ "$SECONDS" -lt "$until" ]; do
        curl --silent --config "$URLS" || echo "traffic round failed: curl exit $?"
        refused_request
        refused_request
        sleep 0.5
    done
}
start_process "$TEST_DIR/traffic.log" generate_traffic
TRAFFIC_PID=$LAST_PID

# --- Prometheus sees the stack.
check "every shipped scrape target is up, each colour with its label" \
    "${CHECK[@]}" targets-up --prometheus "$PROMETHEUS" --shipped "$MONITORING/prometheus.yml"
check "Prometheus sends alerts to the test Alertmanager" \
    "${CHECK[@]}" alertmanager --prometheus "$PROMETHEUS" --alertmanager "127.0.0.1:$ALERTMANAGER_PORT"
check "counters grow under traffic: requests per colour, recommendations per colour, nginx requests" \
    "${CHECK[@]}" increasing --prometheus "$PROMETHEUS" --deadline 20 \
        --expr 'sum by (color) (concierge_http_requests_total{route="/recommend"})' \
        --expr 'sum by (color) (concierge_recommendations_total)' \
        --expr 'nginx_http_requests_total'
check "every recording rule has data from its latest evaluations" "${CHECK[@]}" recorded --prometheus "$PROMETHEUS" \
    --rules "${RULES[@]}" --max-age 5
check "Prometheus evaluates every shipped rule without error" \
    "${CHECK[@]}" rules-healthy --prometheus "$PROMETHEUS" --rules "${RULES[@]}" --deadline 5

for color in blue green; do
    check "$color is ready in color:concierge_ready:bool" "${CHECK[@]}" has-series --prometheus "$PROMETHEUS" \
        --expr 'color:concierge_ready:bool == 1' --label color="$color"
done
check "the model version per colour: blue serves version 1" "${CHECK[@]}" has-series --prometheus "$PROMETHEUS" \
    --expr concierge_model_info --label color=blue --label version=1
check "the model version per colour: green serves version 2" "${CHECK[@]}" has-series --prometheus "$PROMETHEUS" \
    --expr concierge_model_info --label color=green --label version=2
for strategy in als fold-in popular; do
    check "the strategy mix has $strategy" "${CHECK[@]}" has-series --prometheus "$PROMETHEUS" \
        --expr 'job_strategy:concierge_recommendations:ratio_rate5m > 0' --label strategy="$strategy"
done

check "every dashboard and alert expression evaluates, every panel has data, every metric they read exists" \
    "${CHECK[@]}" expressions --prometheus "$PROMETHEUS" --rules "${RULES[@]}" \
        --dashboard "$MONITORING/grafana/dashboards/concierge.json"

# --- Alerts follow reality: both colours up is a deploy in progress; green's 505s are over 1% of its traffic.
check "ConciergeBothColorsUp is pending while both colours run" "${CHECK[@]}" alert-state --prometheus "$PROMETHEUS" \
    --alert ConciergeBothColorsUp --expect active --deadline 10
check "ConciergeHighErrorRatio is pending for green" "${CHECK[@]}" alert-state --prometheus "$PROMETHEUS" \
    --alert ConciergeHighErrorRatio --label color=green --expect active --deadline 20
# Blue's version is a popularity model, so blue answers everything by popularity; green knows its guests.
for quiet in "ConciergeHighErrorRatio --label color=blue" "ConciergePopularFallbacks --label color=green" \
    ConciergeNoReadyColor NginxDown TargetDown ConciergeHighLatency; do
    # shellcheck disable=SC2086 # the alert name and its label are separate words
    check "$quiet is not active" "${CHECK[@]}" alert-state --prometheus "$PROMETHEUS" --alert $quiet \
        --expect inactive --deadline 0
done

check "Slack gets the outage and the target alert, with runbooks; the latency page is inhibited by the outage" \
    "${CHECK[@]}" slack-delivery --messages "$TEST_DIR/slack-messages.jsonl" --alertmanager "$ALERTMANAGER" \
        --webhook-path "$WEBHOOK_PATH" --delivered ConciergeNoReadyColor TargetDown \
        --not-delivered ConciergeHighLatency --deadline 60

touch "$TEST_DIR/traffic.stop"
stop_process "$TRAFFIC_PID"

# --- Take the colours away: green drains and exits, then blue. Readiness and the alerts follow.
stop_process "$GREEN_PID"
check "green is not ready once stopped" "${CHECK[@]}" has-series --prometheus "$PROMETHEUS" --deadline 15 \
    --expr 'color:concierge_ready:bool == 0' --label color=green
check "ConciergeBothColorsUp ends when green stops" "${CHECK[@]}" alert-state --prometheus "$PROMETHEUS" \
    --alert ConciergeBothColorsUp --expect inactive --deadline 15
check "ConciergeNoReadyColor stays quiet while blue is ready" "${CHECK[@]}" alert-state --prometheus "$PROMETHEUS" \
    --alert ConciergeNoReadyColor --expect inactive --deadline 0
stop_process "$BLUE_PID"
check "ConciergeNoReadyColor goes pending when no colour is left" "${CHECK[@]}" alert-state \
    --prometheus "$PROMETHEUS" --alert ConciergeNoReadyColor --expect active --deadline 15
check "the stopped colours raise no TargetDown (the idle colour is down by design)" "${CHECK[@]}" alert-state \
    --prometheus "$PROMETHEUS" --alert TargetDown --expect inactive --deadline 0
