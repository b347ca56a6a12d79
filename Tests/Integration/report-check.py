"""Opens a training page in headless Chromium (Debian's, through chromedriver) and checks it as people see it.

Usage: report-check.py PAGE.html SHOW.json LIST.json SCREENSHOT.png
  SHOW.json: `concierge registry show MODEL VERSION --json` of the version the page is about;
  LIST.json: `concierge registry list MODEL --json`.
Checks that the page loads with no console message above INFO, that every chart is drawn (has a size on screen),
and that the charts' data-* attributes carry the registry's figures. Prints one line per failed check and exits 1
if there is any; saves a screenshot of the whole page.
"""

import json
import math
import pathlib
import sys

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

page, show_path, list_path, screenshot = sys.argv[1:5]
show = json.loads(pathlib.Path(show_path).read_text())
versions = json.loads(pathlib.Path(list_path).read_text())
manifest = show["manifest"]
problems = []


def expect(condition, message):
    if not condition:
        problems.append(message)


def same(left, right):
    return math.isclose(float(left), float(right), rel_tol=1e-12, abs_tol=1e-15)


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=900,1200"]:
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))


def chart(driver, name):
    """The chart's marks (rect bars or circle points) as attribute dictionaries, after checking it is drawn."""
    found = driver.find_elements(By.CSS_SELECTOR, f'svg[data-chart="{name}"]')
    expect(len(found) == 1, f"{name}: {len(found)} charts, expected 1")
    if not found:
        return []
    size = found[0].size
    expect(size["width"] > 100 and size["height"] > 20, f"{name}: drawn at {size}")
    marks = found[0].find_elements(By.CSS_SELECTOR, "rect[data-value], circle[data-y]")
    names = ["data-value", "data-label", "data-highlighted", "data-candidate", "data-model", "data-metric",
             "data-hotel", "data-series", "data-x", "data-y"]
    return [{name: mark.get_attribute(name) for name in names} for mark in marks]


driver = browser()
try:
    driver.get(pathlib.Path(page).resolve().as_uri())
    expect(driver.execute_script("return document.readyState") == "complete", "the page did not finish loading")
    expect(driver.title == f'{show["model"]} version {show["version"]}', f"title is {driver.title!r}")

    candidates = manifest["candidates"]
    bars = chart(driver, "candidates")
    expect(len(bars) == len(candidates), f"candidates: {len(bars)} bars for {len(candidates)} candidates")
    for bar in bars:
        candidate = candidates[int(bar["data-candidate"])]
        expect(same(bar["data-value"], candidate["metrics"]["map@10"]),
               f'candidate {bar["data-candidate"]}: {bar["data-value"]} vs map@10 {candidate["metrics"]["map@10"]}')
    winners = [bar for bar in bars if bar["data-highlighted"] == "true"]
    expect(len(winners) == 1, f"candidates: {len(winners)} winners marked")
    for winner in winners:
        chosen = candidates[int(winner["data-candidate"])]
        expect(chosen["kind"] == manifest["kind"], f'the marked winner is a {chosen["kind"]}, not {manifest["kind"]}')
        expect(all(manifest["hyper_parameters"].get(k) == v for k, v in chosen["hyper_parameters"].items()),
               "the marked winner's hyper-parameters are not the version's")

    metrics = manifest["metrics"]
    holdout = chart(driver, "holdout")
    expect(len(holdout) >= 6, f"holdout: only {len(holdout)} bars")
    for bar in holdout:
        key = bar["data-metric"] if bar["data-model"] == "version" else f'{bar["data-model"]}.{bar["data-metric"]}'
        expect(key in metrics and same(bar["data-value"], metrics[key]), f"holdout {key}: {bar['data-value']}")

    hotels = manifest["hotel_metrics"]
    for name, key in [("hotel-map", "map@10"), ("hotel-coverage", "coverage")]:
        bars = chart(driver, name)
        expect(sorted(bar["data-hotel"] for bar in bars) == sorted(hotels), f"{name}: hotels differ")
        for bar in bars:
            expect(same(bar["data-value"], hotels[bar["data-hotel"]][key]), f'{name} {bar["data-hotel"]}')

    losses = manifest.get("loss_history")
    if losses:
        points = chart(driver, "loss")
        expect([float(p["data-y"]) for p in points] == losses, "loss: the points are not the loss history")
        expect([float(p["data-x"]) for p in points] == list(range(1, len(losses) + 1)), "loss: iterations")

    earlier = [v for v in versions if v["version"] <= show["version"]]
    points = [p for p in chart(driver, "history") if p["data-series"] == "MAP@10"]
    expect([int(float(p["data-x"])) for p in points] == [v["version"] for v in earlier], "history: versions")
    for point, version in zip(points, earlier):
        expect(same(point["data-y"], version["metrics"]["map@10"]), f'history: version {version["version"]}')
    highlighted = [int(float(p["data-x"])) for p in points if p["data-highlighted"] == "true"]
    expect(highlighted == [show["version"]], f"history: {highlighted} highlighted")

    aliases = {row.find_elements(By.TAG_NAME, "td")[0].text: int(row.find_elements(By.TAG_NAME, "td")[1].text)
               for row in driver.find_elements(By.CSS_SELECTOR, "#aliases tbody tr")}
    expected = {alias: v["version"] for v in versions for alias in v["aliases"]}
    expect(aliases == expected, f"aliases: {aliases} vs {expected}")

    seen = {row.find_elements(By.TAG_NAME, "td")[0].text: row.find_elements(By.TAG_NAME, "td")[1].text
            for row in driver.find_elements(By.CSS_SELECTOR, "#data-seen tr")}
    data = manifest["data_seen"]
    for label, key in [("Guests with a paid order", "guests"), ("Paid menu items", "items"),
                       ("Order lines learnt from", "order_lines"), ("Rows quarantined by ingest", "quarantined_rows")]:
        expect(seen.get(label, "").replace(",", "") == str(data[key]), f"data: {label} {seen.get(label)}")

    messages = [entry for entry in driver.get_log("browser") if entry["level"] not in ("DEBUG", "INFO")]
    for entry in messages:
        problems.append(f'console {entry["level"]}: {entry["message"]}')

    # The window's size includes what the browser draws around the page: grow it until the page fits.
    for _ in range(3):
        viewport = driver.execute_script("return window.innerHeight")
        height = driver.execute_script("return document.documentElement.scrollHeight")
        if viewport >= height:
            break
        driver.set_window_size(900, driver.get_window_size()["height"] + height - viewport)
    driver.save_screenshot(screenshot)
finally:
    driver.quit()

for problem in problems:
    print(problem)
sys.exit(1 if problems else 0)
