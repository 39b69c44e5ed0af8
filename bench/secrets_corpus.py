# ruff: noqa: E501  (templates of whole files read best on one line each)
"""A labelled secrets corpus for bench/secret_scan.py, written apart from the rules' test fixtures.

Files are generated (deterministic seed) so that no credential-shaped string is committed: each
secret is drawn in its vendor's issued format (GitHub and npm tokens with their CRC32 checksum,
AWS ids in base32...) and placed the way projects commit them: configuration, code, scripts and
CI files, documentation and notebooks, URLs and connection strings, HTTP headers, keys split
across literals. Negative files hold what is *not* a secret: placeholders, documentation samples,
digests, UUIDs, look-alikes, test values in test files, data URIs, lock files.

``build(root)`` writes the files and returns the labels: ``(path, line, family, placement)``.
"""

from __future__ import annotations

import base64
import binascii
import json
import random
import string
from dataclasses import dataclass
from pathlib import Path

__all__ = ["HARD_PLACEMENTS", "Label", "build"]

HARD_PLACEMENTS = frozenset({"url", "split", "docs"})
_AN = string.ascii_letters + string.digits
_B62 = string.digits + string.ascii_uppercase + string.ascii_lowercase


@dataclass(frozen=True, slots=True)
class Label:
    path: str
    line: int
    family: str
    placement: str


class _Keys:
    """Credentials in their vendors' formats, from one seeded generator."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def s(self, n: int, alphabet: str = _AN) -> str:
        return "".join(self.rng.choice(alphabet) for _ in range(n))

    def crc(self, prefix: str) -> str:
        body = self.s(30)
        number, digits = binascii.crc32(body.encode()), ""
        while number:
            number, rest = divmod(number, 62)
            digits = _B62[rest] + digits
        return prefix + body + digits.rjust(6, "0")

    def pem(self, kind: str) -> str:
        lines = "\n".join(self.s(64, _AN + "+/") for _ in range(8))
        return f"-----BEGIN {kind}PRIVATE KEY-----\n{lines}\n-----END {kind}PRIVATE KEY-----"

    def password(self) -> str:
        return self.s(6) + self.rng.choice("!#%&*") + self.s(7)

    def vendor(self, family: str) -> str:
        r = self.s
        return {
            "openai": lambda: "sk-proj-" + r(58, _AN + "_-") + "T3BlbkFJ" + r(58, _AN + "_-"),
            "anthropic": lambda: "sk-ant-api03-" + r(93, _AN + "_-") + "AA",
            "google": lambda: "AIzaSy" + r(27, _AN + "_-") + r(3, string.digits) + r(3),
            "huggingface": lambda: "hf_" + r(34),
            "groq": lambda: "gsk_" + r(52),
            "replicate": lambda: "r8_" + r(37),
            "perplexity": lambda: "pplx-" + r(48),
            "xai": lambda: "xai-" + r(80),
            "github": lambda: self.crc("ghp_"),
            "github-fine": lambda: "github_pat_11" + r(20) + "_" + r(59),
            "gitlab": lambda: "glpat-" + r(20, _AN + "_-"),
            "npm": lambda: self.crc("npm_"),
            "pypi": lambda: "pypi-AgEIcHlwaS5vcmc" + r(140, _AN + "_-"),
            "dockerhub": lambda: "dckr_pat_" + r(27, _AN + "_-"),
            "slack": lambda: f"xoxb-{r(12, string.digits)}-{r(13, string.digits)}-{r(24)}",
            "slack-webhook": lambda: (
                f"https://hooks.slack.com/services/T{r(8, string.ascii_uppercase + string.digits)}/B{r(10, string.ascii_uppercase + string.digits)}/{r(24)}"
            ),
            "discord-webhook": lambda: (
                f"https://discord.com/api/webhooks/{r(18, string.digits)}/{r(68, _AN + '_-')}"
            ),
            "stripe": lambda: "sk_live_51" + r(97),
            "stripe-restricted": lambda: "rk_live_51" + r(97),
            "shopify": lambda: "shpat_" + r(32, "0123456789abcdef"),
            "square": lambda: "EAAA" + r(60, _AN + "_-"),
            "sendgrid": lambda: f"SG.{r(22, _AN + '_-')}.{r(43, _AN + '_-')}",
            "digitalocean": lambda: "dop_v1_" + r(64, "0123456789abcdef"),
            "linear": lambda: "lin_api_" + r(40),
            "notion": lambda: "ntn_" + r(11, string.digits) + r(35),
            "sourcegraph": lambda: (
                "sgp_" + r(16, "0123456789abcdef") + "_" + r(40, "0123456789abcdef")
            ),
            "facebook": lambda: "EAAG" + r(170),
            "telegram": lambda: f"{r(10, string.digits)}:AA{r(33, _AN + '_-')}",
            "aws-id": lambda: "AKIA" + r(16, string.ascii_uppercase + "234567"),
            "aws-secret": lambda: r(40, _AN + "/+"),
            "aws-session": lambda: "IQoJb3JpZ2luX2VjE" + r(380, _AN + "/+"),
            "azure-storage": lambda: r(86, _AN + "+/") + "==",
            "entra": lambda: r(3) + "8Q~" + r(34, _AN + "_~.-"),
            "canvas": lambda: f"{r(4, string.digits)}~{r(64)}",
            "postman": lambda: f"PMAK-{r(24, '0123456789abcdef')}-{r(34, '0123456789abcdef')}",
        }[family]()


def _notebook(cells: list[tuple[str, list[str]]]) -> str:
    data = {"cells": [{"cell_type": kind, "metadata": {}, "source": [f"{s}\n" for s in src],
                       **({"outputs": [], "execution_count": None} if kind == "code" else {})}
                      for kind, src in cells],
            "metadata": {}, "nbformat": 4, "nbformat_minor": 5}  # fmt: skip
    return json.dumps(data, indent=1)


def _positives(k: _Keys) -> dict[str, tuple[str, list[tuple[str, str, str]]]]:
    """path -> (text, [(marker, family, placement)]): the labelled line holds the marker."""
    files: dict[str, tuple[str, list[tuple[str, str, str]]]] = {}
    pw = k.password

    def add(path: str, text: str, labels: list[tuple[str, str, str]]) -> None:
        files[path] = (text, labels)

    ai = [("openai", "OPENAI_API_KEY"), ("anthropic", "ANTHROPIC_API_KEY"), ("google", "GOOGLE_API_KEY"),
          ("huggingface", "HF_TOKEN"), ("groq", "GROQ_API_KEY"), ("replicate", "REPLICATE_API_TOKEN"),
          ("perplexity", "PERPLEXITY_API_KEY"), ("xai", "XAI_API_KEY")]  # fmt: skip
    for i, (family, var) in enumerate(ai):
        v = k.vendor(family)
        add(
            f"services/svc{i}/.env",
            f"# service {i}\nLOG_LEVEL=info\n{var}={v}\nPORT=80{i}0\n",
            [(v, "ai", "config")],
        )
        v2 = k.vendor(family)
        add(f"services/svc{i}/client.py",
            f'import os\n\n\nclass Client:\n    def __init__(self):\n        self.key = "{v2}"\n'
            "        self.timeout = 30\n", [(v2, "ai", "code")])  # fmt: skip
    dev = ["github", "github-fine", "gitlab", "npm", "pypi", "dockerhub", "linear", "notion",
           "sourcegraph", "postman"]  # fmt: skip
    for i, family in enumerate(dev):
        v = k.vendor(family)
        add(f".github/workflows/release{i}.yml",
            f"name: release\non: push\njobs:\n  publish:\n    runs-on: ubuntu-latest\n    env:\n"
            f"      TOKEN: {v}\n    steps:\n      - run: make publish\n", [(v, "dev", "config")])  # fmt: skip
        v2 = k.vendor(family)
        add(f"docs/setup{i}.md",
            f"# Setting up\n\nRun the installer, then paste your token:\n\n```sh\nexport TOKEN={v2}\n"
            "```\n\nThat's it.\n", [(v2, "dev", "docs")])  # fmt: skip
    chat = ["slack", "slack-webhook", "discord-webhook", "telegram", "sendgrid", "facebook"]
    for i, family in enumerate(chat):
        v = k.vendor(family)
        add(f"ops/notify{i}.js",
            f"const axios = require('axios');\n\nconst CONFIG = {{\n  target: '{v}',\n  retries: 3,\n}};\n"
            "module.exports = CONFIG;\n", [(v, "chat-social", "code")])  # fmt: skip
    pay = ["stripe", "stripe-restricted", "shopify", "square", "digitalocean", "canvas"]
    for i, family in enumerate(pay):
        v = k.vendor(family)
        add(f"config/settings{i}.yaml", f"app:\n  name: shop\n  payments:\n    api_key: {v}\n    currency: EUR\n",
            [(v, "payment-cloud", "config")])  # fmt: skip
    aws_id, aws_secret = k.vendor("aws-id"), k.vendor("aws-secret")
    add("deploy/credentials", f"[default]\naws_access_key_id = {aws_id}\naws_secret_access_key = {aws_secret}\n"
        "region = eu-west-1\n", [(aws_secret, "aws", "config")])  # fmt: skip
    session = k.vendor("aws-session")
    add(
        "deploy/session.sh",
        f"#!/bin/sh\nexport AWS_SESSION_TOKEN={session}\naws s3 ls\n",
        [(session, "aws", "config")],
    )
    storage = k.vendor("azure-storage")
    add("infra/appsettings.json", json.dumps({"Logging": {"Level": "Warning"}, "Storage":
        f"DefaultEndpointsProtocol=https;AccountName=shopprod;AccountKey={storage};EndpointSuffix=core.windows.net"},
        indent=2), [(storage, "azure-gcp", "config")])  # fmt: skip
    sas = k.s(43, _AN + "%")
    add("infra/download.py", f'URL = "https://shopprod.blob.core.windows.net/exports/q3.csv?sv=2023-01-03&st=2025-01-01T00%3A00%3A00Z&se=2026-01-01&sr=b&sp=r&sig={sas}%3D"\n',
        [(sas, "azure-gcp", "url")])  # fmt: skip
    entra = k.vendor("entra")
    add("infra/terraform.tfvars", f'tenant_id     = "3c1f3d2e-7a41-4c1b-9b8e-2f6a1d0c9e7b"\nclient_secret = "{entra}"\n',
        [(entra, "azure-gcp", "config")])  # fmt: skip
    sa_key = k.pem("").replace("\n", "\\n")
    add("infra/gcp-key.json", "{\n" + '  "type": "service_account",\n  "project_id": "shop-analytics",\n'
        f'  "private_key_id": "{k.s(40, "0123456789abcdef")}",\n  "private_key": "{sa_key}\\n",\n'
        '  "client_email": "etl@shop-analytics.iam.gserviceaccount.com"\n}\n',
        [("private_key\"", "azure-gcp", "config")])  # fmt: skip
    for i, kind in enumerate(["RSA ", "EC ", "OPENSSH ", "", "ENCRYPTED "]):
        block = k.pem(kind)
        add(f"keys/id_{i}", block + "\n", [(f"BEGIN {kind}PRIVATE", "private-key", "config")])
    pgp = (
        "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n"
        + "\n".join(k.s(64, _AN + "+/") for _ in range(10))
        + f"\n={k.s(4)}\n-----END PGP PRIVATE KEY BLOCK-----\n"
    )
    add("keys/release.asc", pgp, [("BEGIN PGP", "private-key", "config")])
    putty = ("PuTTY-User-Key-File-3: ssh-rsa\nEncryption: none\nComment: deploy@ci\nPublic-Lines: 2\n"
             f"{k.s(64, _AN + '+/')}\n{k.s(40, _AN + '+/')}\nPrivate-Lines: 2\n{k.s(64, _AN + '+/')}\n"
             f"{k.s(44, _AN + '+/')}\nPrivate-MAC: {k.s(64, '0123456789abcdef')}\n")  # fmt: skip
    add("keys/deploy.ppk", putty, [("PuTTY-User", "private-key", "config")])
    dsns = [("postgresql", "orders", "5432"), ("mysql", "shop", "3306"), ("mongodb+srv", "events", ""),
            ("rediss", "", "6380"), ("amqp", "worker", "5672"), ("smtp", "alerts", "587"),
            ("https", "deploy", "")]  # fmt: skip
    for i, (scheme, user, port) in enumerate(dsns):
        p = pw()
        host = f"db{i}.internal.shop.io" + (f":{port}" if port else "")
        add(f"app/db{i}.py", f'import sqlalchemy\n\nENGINE_URL = "{scheme}://{user}:{p}@{host}/main"\n'
            "engine = sqlalchemy.create_engine(ENGINE_URL)\n", [(p, "url-dsn", "url")])  # fmt: skip
    p = pw()
    add("docker-compose.yml", f"services:\n  api:\n    image: shop/api\n    environment:\n"
        f"      DATABASE_URL: postgres://api:{p}@postgres:5432/shop\n", [(p, "url-dsn", "url")])  # fmt: skip
    p = pw()
    add("scripts/sync.sh", f"#!/bin/bash\nset -e\ncurl -sf -u admin:{p} https://nexus.shop.io/api/upload\n",
        [(p, "http-auth", "config")])  # fmt: skip
    t = k.s(40, _AN + "_-")
    add("docs/api.md", f"## Calling the API\n\n```bash\ncurl -H \"Authorization: Bearer {t}\" https://api.shop.io/v2/orders\n```\n",
        [(t, "http-auth", "docs")])  # fmt: skip
    basic = base64.b64encode(f"ci:{pw()}".encode()).decode()
    add("docs/registry.rst", f"Registry\n========\n\nUse the header ``Authorization: Basic {basic}`` for pushes.\n",
        [(basic, "http-auth", "docs")])  # fmt: skip
    p = pw()
    add("app/fetch.py", f'import requests\n\n\ndef pull():\n    return requests.get("https://x.shop.io", auth=("etl", "{p}"))\n',
        [(p, "http-auth", "code")])  # fmt: skip
    npm_token = k.vendor("npm")
    add(".npmrc", f"registry=https://registry.npmjs.org/\n//registry.npmjs.org/:_authToken={npm_token}\n",
        [(npm_token, "dev", "config")])  # fmt: skip
    pypi = k.vendor("pypi")
    add(".pypirc", f"[distutils]\nindex-servers = pypi\n\n[pypi]\nusername = __token__\npassword = {pypi}\n",
        [(pypi, "dev", "config")])  # fmt: skip
    for i, family in enumerate(["openai", "github", "stripe", "anthropic", "slack"]):
        v = k.vendor(family)
        cut = len(v) // 2
        if i % 3 == 0:
            text = f'API_KEY = "{v[:cut]}" + "{v[cut:]}"\n'
        elif i % 3 == 1:
            text = f'TOKEN = (\n    "{v[:cut]}"\n    "{v[cut:]}"\n)\n'
        else:
            text = f'HEAD = "{v[:cut]}"\nTAIL = "{v[cut:]}"\nSECRET = f"{{HEAD}}{{TAIL}}"\n'
        marker = ("API_KEY =", "TOKEN = (", "SECRET = f")[i % 3]
        add(f"app/split{i}.py", "# obfuscated on purpose\n" + text, [(marker, "split", "split")])
    v = k.vendor("anthropic")
    add("notebooks/explore.ipynb", _notebook([
        ("markdown", ["# Exploration"]),
        ("code", ["import anthropic", f'client = anthropic.Anthropic(api_key="{v}")'])]),
        [(v, "ai", "docs")])  # fmt: skip
    v = k.vendor("openai")
    add("notebooks/eval.ipynb", _notebook([
        ("markdown", ["Set the key first:", "", f"    export OPENAI_API_KEY={v}"]),
        ("code", ["print('ok')"])]), [(v, "ai", "docs")])  # fmt: skip
    secret = k.s(32)
    add("app/settings.py", f'DEBUG = False\nSESSION_SECRET = "{secret}"\nALLOWED_HOSTS = ["shop.io"]\n',
        [(secret, "generic", "code")])  # fmt: skip
    p = pw()
    add(
        "config/app.ini",
        f"[db]\nhost = db.internal\nuser = app\npassword = {p}\n",
        [(p, "generic", "config")],
    )
    return files


def _negatives(k: _Keys) -> dict[str, str]:
    digest = k.s(64, "0123456789abcdef")
    return {
        "clean/.env.example": "OPENAI_API_KEY=sk-...\nANTHROPIC_API_KEY=<your-key>\nDATABASE_URL=postgres://user:password@localhost:5432/app\n"
        "STRIPE_SECRET_KEY=sk_test_xxxxxxxxxxxxxxxxxxxxxxxx\nGITHUB_TOKEN=${GITHUB_TOKEN}\n",
        "clean/README.md": '# Shop\n\nSet `OPENAI_API_KEY` (looks like `sk-proj-...`).\n\n```bash\ncurl -H "Authorization: Bearer $TOKEN" https://api.example.com\n'
        "curl -u $USER:$PASSWORD https://api.example.com\n```\n\nAWS docs keys: AKIAIOSFODNN7EXAMPLE / wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
        "clean/checksums.txt": "\n".join(
            f"{k.s(64, '0123456789abcdef')}  dist/pkg-{i}.tar.gz" for i in range(20)
        )
        + "\n",
        "clean/ids.py": "\n".join(
            f'REQUEST_{i} = "{k.s(8, "0123456789abcdef")}-{k.s(4, "0123456789abcdef")}-4{k.s(3, "0123456789abcdef")}-a{k.s(3, "0123456789abcdef")}-{k.s(12, "0123456789abcdef")}"'
            for i in range(10)
        )
        + "\n",
        "clean/lookalike.js": "// Not keys: identifiers and words in key-like shapes\nconst AIzaSyThisIsNotARealKeyJustWordsOk = 1;\n"
        "const cssClass = 'sk-skeleton-loader-placeholder-animation-large';\nconst route = '/api/v1/ghp_settings/profile';\n",
        "clean/app.py": f'import hashlib\n\nFILE_SHA256 = "{digest}"\ntoken_count = 4096\npassword_min_length = 12\n'
        'api_key_header = "X-Api-Key"\nsecret_name = "prod/stripe/api-key"\nAPI_KEY = os.environ["API_KEY"]\n',
        "clean/tests/test_auth.py": 'def test_login(client):\n    r = client.post("/login", json={"username": "alice", "password": "Sup3rTest!42"})\n'
        '    assert r.status_code == 200\n\nFAKE_TOKEN = "q8Z2vL0x7Rk3Nf9Tb1Ws5Yh4"\nDB = "postgresql://test:S3cretTest9@localhost/test"\n',
        "clean/page.html": f'<img src="data:image/png;base64,{k.s(600, _AN + "+/")}=">\n',
        "clean/package-lock.json": json.dumps(
            {
                "packages": {
                    f"node_modules/p{i}": {"integrity": f"sha512-{k.s(86, _AN + '+/')}=="}
                    for i in range(10)
                }
            },
            indent=2,
        ),
        "clean/jwt.md": "Example: `eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c`\n",
        "clean/k8s.yaml": 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: api\nstringData:\n  token: "{{ .Values.apiToken }}"\n  password: ${DB_PASSWORD}\n',
        "clean/git.log": "\n".join(
            f"commit {k.s(40, '0123456789abcdef')}\nAuthor: dev <dev@shop.io>\n" for _ in range(10)
        ),
    }


def build(root: Path, seed: int = 20261204) -> list[Label]:
    """Write the corpus under ``root``; return the label of every secret in it."""
    k = _Keys(seed)
    labels: list[Label] = []
    for rel, (text, marks) in _positives(k).items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        lines = text.splitlines()
        for marker, family, placement in marks:
            line = next(n for n, t in enumerate(lines, 1) if marker in t)
            labels.append(Label(rel, line, family, placement))
    for rel, text in _negatives(k).items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return labels
