# labels: CWE-319
"""Nightly job pushing customer records to the CRM."""

import requests

CRM_ENDPOINT = "http://crm.internal-partner.com/api/v1/customers"


def sync_customer(customer, api_token):
    payload = {
        "email": customer["email"],
        "phone": customer["phone"],
        "ssn": customer["ssn"],
    }
    response = requests.post(
        CRM_ENDPOINT,
        json=payload,
        headers={"Authorization": f"Token {api_token}"},
        timeout=30,
    )
    response.raise_for_status()
    return response.json()
