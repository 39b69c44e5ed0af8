"""TLS verification disabled."""
import ssl
import urllib.request

import aiohttp
import httpx
import requests
from openai import OpenAI


def fetch(url):
    return requests.get(url, verify=False, timeout=10)  # expect: CF-PY-TLS-VERIFY-DISABLED


def client():
    return httpx.Client(verify=False)  # expect: CF-PY-TLS-VERIFY-DISABLED


def llm():
    return OpenAI(http_client=httpx.Client(verify=False), timeout=30)  # expect: CF-PY-TLS-VERIFY-DISABLED


async def scrape(url):
    async with aiohttp.ClientSession() as session:
        async with session.get(url, ssl=False) as response:  # expect: CF-PY-TLS-VERIFY-DISABLED
            return await response.text()


def legacy(url):
    context = ssl._create_unverified_context()  # expect: CF-PY-TLS-VERIFY-DISABLED
    return urllib.request.urlopen(url, context=context)  # expect: CF-PY-REQUEST-NO-TIMEOUT


def manual_context():
    context = ssl.create_default_context()
    context.check_hostname = False  # expect: CF-PY-TLS-VERIFY-DISABLED
    context.verify_mode = ssl.CERT_NONE  # expect: CF-PY-TLS-VERIFY-DISABLED
    return context


def good(url, ca_bundle):
    requests.get(url, verify=True, timeout=10)  # ok: CF-PY-TLS-VERIFY-DISABLED
    requests.get(url, verify=ca_bundle, timeout=10)  # ok: CF-PY-TLS-VERIFY-DISABLED
    context = ssl.create_default_context(cafile=ca_bundle)
    context.check_hostname = True  # ok: CF-PY-TLS-VERIFY-DISABLED
    return context
