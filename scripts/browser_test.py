#!/usr/bin/python3
"""make test-browser: the real pages in headless Chromium.

Starts newsletterd (http.listen on an ephemeral loopback port, Maildir transport) in a fresh
folder, then, as a carer would: loads the sign-up form, fills it in and sends it; opens the
confirmation email's link, presses "Confirm my subscription"; opens the unsubscribe link of
the welcome email, presses "Unsubscribe". After each step it checks the database, and it
keeps a screenshot of every page (at phone width, and the form at 320px) in
test-artifacts/browser/. Needs chromium, chromium-driver and python3-selenium (make deps).
"""
import email
import email.policy
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN_DIR = os.environ.get("BIN_DIR") or os.path.join(ROOT, ".build", "debug")
ARTIFACTS = os.path.join(ROOT, "test-artifacts", "browser")

passed = 0
failed = 0


def check(condition, what):
    global passed, failed
    if condition:
        passed += 1
        print(f"ok      {what}")
    else:
        failed += 1
        print(f"FAILED  {what}")


def wait_for(condition, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    return condition()


def page_has(driver, text, timeout=15):
    """Whether the page shows `text` within `timeout`: a click on a submit button may return
    before the next page has loaded."""
    return bool(wait_for(lambda: text in driver.page_source, timeout))


def main():
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    os.makedirs(ARTIFACTS)
    work = tempfile.mkdtemp(prefix="newsletter-browser-")
    os.makedirs(os.path.join(work, "site", "money"))
    with open(os.path.join(work, "site", "money", "grants.md"), "w") as f:
        f.write("---\ntitle: Small grants for carers\ntopics: [money]\n---\nGrants.\n\n"
                "This information was last updated on 05/05/2022\n")
    os.makedirs(os.path.join(work, "site", "respite"))
    with open(os.path.join(work, "site", "respite", "breaks.md"), "w") as f:
        f.write("---\ntitle: Taking a break\ntopics: [respite care]\n---\nBreaks.\n\n"
                "This information was last updated on 05/05/2022\n")
    config = os.path.join(work, "newsletter.yaml")
    with open(config, "w") as f:
        f.write(f"""database:
  path: data/newsletter.db
site:
  name: Peak District Carers
  base_url: https://carers.example.org
  content_dir: site
  postal_address: 1 High Street, Matlock DE4 3AG
mail:
  from: "Peak District Carers <news@carers.example.org>"
  transport: maildir
  maildir: Maildir
http:
  public_url: https://carers.example.org/newsletter
  listen: 127.0.0.1:0
templates:
  dir: {os.path.join(ROOT, "config", "templates")}
""")
    db = os.path.join(work, "data", "newsletter.db")

    notify_path = os.path.join(work, "notify.sock")
    notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    notify.bind(notify_path)
    notify.settimeout(30)
    env = dict(os.environ, NOTIFY_SOCKET=notify_path)
    env.pop("NEWSLETTER_CONFIG", None)
    log = open(os.path.join(ARTIFACTS, "newsletterd.log"), "w")
    daemon = subprocess.Popen([os.path.join(BIN_DIR, "newsletterd"), "--config", config], env=env, stderr=log, stdout=log)
    driver = None
    try:
        base = None
        deadline = time.time() + 30
        while base is None and time.time() < deadline:
            message = notify.recv(4096).decode()
            if "READY=1" in message:
                match = re.search(r"web (http://127\.0\.0\.1:\d+)", message)
                base = match.group(1) if match else None
                break
        check(base is not None, "newsletterd is ready and says where its pages are")
        if base is None:
            return

        def status(address):
            with sqlite3.connect(db) as conn:
                row = conn.execute("SELECT status FROM subscriber WHERE email_key = ?", (address,)).fetchone()
            return row[0] if row else None

        def message(subject):
            folder = os.path.join(work, "Maildir", "new")
            for name in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
                with open(os.path.join(folder, name), "rb") as f:
                    parsed = email.message_from_binary_file(f, policy=email.policy.default)
                if subject in str(parsed["Subject"]):
                    return parsed
            return None

        options = webdriver.ChromeOptions()
        for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=390,900"]:
            options.add_argument(argument)
        options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
        driver = webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"), options=options)

        def shot(name):
            height = driver.execute_script("return document.documentElement.scrollHeight")
            width = driver.get_window_size()["width"]
            driver.set_window_size(width, max(600, height + 120))
            driver.save_screenshot(os.path.join(ARTIFACTS, name + ".png"))

        # The sign-up form, at 320px: nothing wider than the screen.
        driver.set_window_size(320, 900)
        driver.get(base + "/subscribe")
        check(driver.title == "Sign up for updates - Peak District Carers", f"the form's title ({driver.title!r})")
        width = driver.execute_script("return document.documentElement.scrollWidth")
        check(width <= 320, f"the form fits 320px without scrolling sideways (scroll width {width})")
        shot("01-subscribe-320px")
        driver.set_window_size(390, 900)
        labels = {label.get_attribute("for") for label in driver.find_elements(By.TAG_NAME, "label")}
        fields = [field.get_attribute("id") for field in driver.find_elements(By.CSS_SELECTOR, "input:not([type=hidden])")]
        check(all(field in labels for field in fields), f"every field has a label ({fields})")
        check(len(driver.find_elements(By.TAG_NAME, "script")) == 0, "no JavaScript on the page")

        email_field = driver.find_element(By.ID, "email")
        email_field.send_keys("sam.carer@example.org")
        outline = driver.execute_script("return getComputedStyle(document.activeElement).outlineStyle")
        check(outline not in ("none", ""), f"the focused field has a visible outline ({outline})")
        driver.find_element(By.ID, "name").send_keys("Sam")
        driver.find_element(By.ID, "digest-monthly").click()
        driver.find_element(By.ID, "topic-money").click()
        # The consent box by keyboard: Tab to it, Space ticks it.
        consent = driver.find_element(By.ID, "consent")
        consent.send_keys(Keys.SPACE)
        check(consent.is_selected(), "the consent box ticks with the keyboard")
        shot("02-subscribe-filled")
        driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        check(page_has(driver, "Check your inbox"), "sending the form shows 'Check your inbox'")
        shot("03-check-your-inbox")
        check(status("sam.carer@example.org") == "pending", "the database has Sam as pending")

        confirmation = wait_for(lambda: message("confirm"))
        check(confirmation is not None, "the confirmation email arrives in the Maildir")
        text = confirmation.get_body(preferencelist=("plain",)).get_content()
        token = re.search(r"/newsletter/confirm/([A-Za-z0-9._-]+)", text).group(1)
        driver.get(base + "/confirm/" + token)
        check("Confirm your subscription" in driver.page_source, "the confirmation link shows the button")
        shot("04-confirm")
        check(status("sam.carer@example.org") == "pending", "opening the link changed nothing")
        driver.find_element(By.XPATH, "//button[normalize-space()='Confirm my subscription']").click()
        check(page_has(driver, "You are signed up"), "pressing it says 'You are signed up'")
        shot("05-confirmed")
        check(status("sam.carer@example.org") == "active", "the database has Sam as active")

        driver.find_element(By.LINK_TEXT, "Change what you get").click()
        check(page_has(driver, "Your email choices"), "the preferences page opens from there")
        driver.find_element(By.ID, "digest-weekly").click()
        driver.find_element(By.XPATH, "//button[normalize-space()='Save my choices']").click()
        check(page_has(driver, "Your choices are saved."), "saving preferences says so")
        shot("06-preferences-saved")
        with sqlite3.connect(db) as conn:
            digest = conn.execute("SELECT digest FROM subscriber WHERE email_key = 'sam.carer@example.org'").fetchone()[0]
        check(digest == "weekly", "the database has the new cadence")

        welcome = wait_for(lambda: message("Welcome"))
        check(welcome is not None, "the welcome email arrives")
        link = re.search(r"<(https://[^>]+/unsubscribe/[^>]+)>", str(welcome["List-Unsubscribe"])).group(1)
        driver.get(base + "/unsubscribe/" + link.rsplit("/", 1)[1])
        check(len(driver.find_elements(By.TAG_NAME, "button")) == 1, "the unsubscribe page has one button")
        shot("07-unsubscribe")
        check(status("sam.carer@example.org") == "active", "opening the unsubscribe link changed nothing")
        driver.find_element(By.XPATH, "//button[normalize-space()='Unsubscribe']").click()
        check(page_has(driver, "You are unsubscribed"), "pressing it says 'You are unsubscribed'")
        shot("08-unsubscribed")
        check(status("sam.carer@example.org") == "unsubscribed", "the database has Sam as unsubscribed")

        driver.get(base + "/unsubscribe/1.AAAAAAAAAAAAAAAAAAAAAA")
        check("This link does not work" in driver.page_source, "a bad link shows a friendly page")
        shot("09-bad-link")
    finally:
        if driver is not None:
            driver.quit()
        daemon.send_signal(signal.SIGTERM)
        try:
            code = daemon.wait(timeout=30)
        except subprocess.TimeoutExpired:
            daemon.kill()
            code = daemon.wait()
        check(code == 0, f"newsletterd stops on SIGTERM with exit 0 (exit {code})")
        notify.close()
        log.close()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    try:
        main()
    except Exception as error:  # a failed step is a failure, with its reason
        failed += 1
        print(f"FAILED  {type(error).__name__}: {error}")
    print(f"browser: {passed} passed, {failed} failed")
    print(f"screenshots: {ARTIFACTS}")
    sys.exit(1 if failed else 0)
