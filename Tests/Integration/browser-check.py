"""Drives Debian's Chromium (headless, through chromedriver) for Tests/Integration/browser.test.sh: loads the page
from a page origin and has it call Concierge with fetch, then prints what the page saw as JSON.

Usage: browser-check.py PAGE_URL CONCIERGE_URL TOKEN|- USER
"""

import json
import os
import sys

from selenium import webdriver
from selenium.webdriver.chrome.service import Service


def main():
    page, concierge, token, user = sys.argv[1:5]
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"):
        options.add_argument(argument)
    if os.geteuid() == 0:
        # Chromium's sandbox refuses to run as root.
        options.add_argument("--no-sandbox")
    driver = webdriver.Chrome(options=options, service=Service(executable_path="/usr/bin/chromedriver"))
    try:
        driver.set_script_timeout(20)
        driver.get(page)
        seen = driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "callConcierge(arguments[0], arguments[1], arguments[2]).then(done, e => done({ failed: String(e) }));",
            concierge,
            None if token == "-" else token,
            user,
        )
    finally:
        driver.quit()
    print(json.dumps(seen))


if __name__ == "__main__":
    main()
