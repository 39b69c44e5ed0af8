# labels: CWE-611
"""Stream large order exports posted by the warehouse system."""

from xml.dom import pulldom

from flask import Flask, request

app = Flask(__name__)


@app.post("/warehouse/orders")
def orders():
    events = pulldom.parseString(request.data.decode("utf-8"))
    count = 0
    for event, node in events:
        if event == pulldom.START_ELEMENT and node.tagName == "order":
            count += 1
    return {"orders": count}
