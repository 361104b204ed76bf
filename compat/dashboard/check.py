"""Headless-Chromium check of rocketmq-dashboard against one cluster (rocketd or the Java reference).

Opens the cluster, topic, consumer and message pages, waits for the data compat/dashboard/seed put there
(the broker, the topic, the group with its lag, a message found by key), saves a screenshot of each page
and writes result.json. Exit status 1 when a page misses its data.

    check.py --url http://127.0.0.1:8080 --out build/dashboard/rocketd --broker broker-a
"""
import argparse
import json
import os
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By


def wait_text(driver, needles, timeout):
    deadline = time.time() + timeout
    text = ""
    while time.time() < deadline:
        text = driver.find_element(By.TAG_NAME, "body").text
        if all(n in text for n in needles):
            return True, text
        time.sleep(0.5)
    return False, text


def row_with(driver, needle):
    for tr in driver.find_elements(By.TAG_NAME, "tr"):
        if needle in tr.text:
            return tr.text
    return ""


SCOPE_JS = """
var el = document.querySelector('[ng-click="%s()"]');
var s = angular.element(el).scope();
while (s && !Object.prototype.hasOwnProperty.call(s, '%s')) { s = s.$parent; }
%s
s.%s();
s.$apply();
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--broker", required=True)
    ap.add_argument("--topic", default="DashTopic")
    ap.add_argument("--group", default="DashGroup")
    ap.add_argument("--key", default="dash-key-1")
    ap.add_argument("--lag", default="3")
    ap.add_argument("--timeout", type=float, default=60)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)

    opts = webdriver.ChromeOptions()
    opts.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1600,1000"):
        opts.add_argument(arg)
    driver = webdriver.Chrome(service=Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")), options=opts)
    results = {}
    try:
        # Cluster page: the broker and its address.
        driver.get(a.url + "/#/cluster")
        ok, text = wait_text(driver, [a.broker], a.timeout)
        results["cluster"] = {"ok": ok, "row": row_with(driver, a.broker)}
        driver.save_screenshot(os.path.join(a.out, "cluster.png"))

        # Topic page: the seeded topic.
        driver.get(a.url + "/#/topic")
        ok, text = wait_text(driver, [a.topic], a.timeout)
        results["topic"] = {"ok": ok, "row": row_with(driver, a.topic)}
        driver.save_screenshot(os.path.join(a.out, "topic.png"))

        # Consumer page: the group and its lag (messages sent minus the committed offset).
        driver.get(a.url + "/#/consumer")
        ok, text = wait_text(driver, [a.group], a.timeout)
        row = row_with(driver, a.group)
        lag_ok = ok and (" " + a.lag + " ") in (" " + row + " ")
        results["consumer"] = {"ok": bool(lag_ok), "row": row, "want_lag": a.lag}
        driver.save_screenshot(os.path.join(a.out, "consumer.png"))

        # Message page, "Topic" tab: the topic's messages from 3 hours ago (the page's default) to an hour ahead
        # (the default end is the page's load time cut to the minute, which can precede the messages).
        driver.get(a.url + "/#/message")
        wait_text(driver, ["Message Key"], a.timeout)
        time.sleep(1)
        driver.execute_script(SCOPE_JS % ("queryMessagePageByTopic", "queryMessagePageByTopic",
                                          "s.selectedTopic = %s; s.timepickerEnd = moment().add(1, 'hour');"
                                          % json.dumps(a.topic), "queryMessagePageByTopic"))
        ok, text = wait_text(driver, [a.key], a.timeout)
        results["message_by_topic"] = {"ok": ok, "row": row_with(driver, a.key)}
        driver.save_screenshot(os.path.join(a.out, "message-topic.png"))

        # "Message Key" tab: the message found by topic and key.
        driver.execute_script("""
            for (const el of document.querySelectorAll('a')) {
              if (el.textContent.trim().toLowerCase() === 'message key') { el.click(); break; }
            }""")
        time.sleep(1)
        driver.execute_script(SCOPE_JS % ("queryMessageByTopicAndKey", "queryMessageByTopicAndKey",
                                          "s.selectedTopic = %s; s.key = %s;" % (json.dumps(a.topic), json.dumps(a.key)),
                                          "queryMessageByTopicAndKey"))
        ok, text = wait_text(driver, [a.key], a.timeout)
        results["message_by_key"] = {"ok": ok, "row": row_with(driver, a.key)}
        driver.save_screenshot(os.path.join(a.out, "message-key.png"))
    finally:
        driver.quit()
    with open(os.path.join(a.out, "result.json"), "w") as f:
        json.dump(results, f, indent=2)
    print(json.dumps(results, indent=2))
    return 0 if all(r["ok"] for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
