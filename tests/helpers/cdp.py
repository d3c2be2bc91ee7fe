#!/usr/bin/python3
"""A learner at a browser terminal, driven over the Chrome DevTools
Protocol: opens URL in the headless Chromium listening on PORT, then does
each STEP in turn and prints the page's text after the last.

  wait:TEXT    wait (up to 20 s) until the page's text holds TEXT
  absent:TEXT  fail unless the page's text lacks TEXT now
  type:TEXT    type TEXT key by key
  enter        press Enter

Exits 1, with the page's text, when a step fails.
Usage: cdp.py PORT URL STEP...
"""
import json
import sys
import time
import urllib.request

import websocket


class Page:
    def __init__(self, port):
        for _ in range(200):
            try:
                url = f"http://127.0.0.1:{port}/json/list"
                targets = json.load(urllib.request.urlopen(url))
                break
            except OSError:
                time.sleep(0.1)
        else:
            sys.exit(f"cdp: no Chromium answers on port {port}")
        page = next(t for t in targets if t["type"] == "page")
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"],
                                              suppress_origin=True)
        self.n = 0

    def call(self, method, **params):
        self.n += 1
        self.ws.send(json.dumps({"id": self.n, "method": method,
                                 "params": params}))
        while True:
            m = json.loads(self.ws.recv())
            if m.get("id") == self.n:
                return m.get("result", {})

    def text(self):
        r = self.call("Runtime.evaluate", expression=
                      "document.body ? document.body.innerText : ''")
        return r.get("result", {}).get("value", "")

    def key(self, kind, **k):
        self.call("Input.dispatchKeyEvent", type=kind, **k)


def run(page, step):
    word, _, arg = step.partition(":")
    if word == "wait":
        deadline = time.time() + 20
        while arg not in page.text():
            if time.time() > deadline:
                return False
            time.sleep(0.1)
    elif word == "absent":
        return arg not in page.text()
    elif word == "type":
        for ch in arg:
            page.key("char", text=ch)
    elif word == "enter":
        enter = dict(key="Enter", code="Enter", windowsVirtualKeyCode=13)
        page.key("rawKeyDown", **enter)
        page.key("char", text="\r")
        page.key("keyUp", **enter)
    else:
        sys.exit(f"cdp: no step {step!r}")
    return True


def main():
    page = Page(sys.argv[1])
    page.call("Page.navigate", url=sys.argv[2])
    for step in sys.argv[3:]:
        if not run(page, step):
            print(f"cdp: step {step!r} failed; the page holds:")
            print(page.text())
            sys.exit(1)
    print(page.text())


main()
