# labels: CWE-522
"""Client for the legacy billing API."""

import requests

BILLING = "https://billing.partner.example/api"


def fetch_invoices(username, password):
    url = f"{BILLING}/invoices?user={username}&password={password}"
    return requests.get(url, timeout=20).json()
