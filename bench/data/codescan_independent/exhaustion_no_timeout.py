# labels: CWE-400
"""Currency rates refreshed by a background worker."""

import requests

RATES_URL = "https://api.exchange-rates.example/latest"


def refresh_rates():
    response = requests.get(RATES_URL)
    response.raise_for_status()
    return response.json()["rates"]
