"""Secrets where they are hard to see: URLs and DSNs, curl and HTTP headers in scripts and docs,
basic auth built in code, keys split across literals; one finding per secret; the allow-list."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from confiance.codescan import ScanOptions, scan
from confiance.codescan.secretpolicy import SecretPolicy, load_policy
from confiance.codescan.secrets import scan_secrets
from confiance.errors import UsageError

from .tokens import github_token

GH = github_token("Zx8Qm2Lp5Vt9Rk3Nw7Hb1Jc4Fd6Gs0")
OPENAI = "sk-proj-" + "Qm2Lp5Vt9Rk3Nw7Hb1Jc4Fd6Gs0Zx8Ty5Ua3Ie7Ow1Pq9Ks2Ld4Mf6Ng8Hh0Jj"
PASSWORD = "Vq7#Lk2!pZ9x"


def _rules(text: str, path: str = "app.py", **kw: object) -> list[tuple[int, str]]:
    found = scan_secrets(text, path, quoted_only=path.endswith((".py", ".js", ".ts")), **kw)  # type: ignore[arg-type]
    return [(f.line, f.rule_id) for f in found.findings]


@pytest.mark.parametrize(
    "url",
    [f"postgresql://billing:{PASSWORD}@db.internal:5432/billing",
     f"mysql+pymysql://app:{PASSWORD}@mysql.internal/shop",
     f"mongodb+srv://reporting:{PASSWORD}@cluster0.ab12c.mongodb.net/db",
     f"rediss://:{PASSWORD}@cache.internal:6380/0",
     f"amqp://worker:{PASSWORD}@rabbit.internal:5672/%2F"],
)  # fmt: skip
def test_dsn_passwords_are_found(url: str) -> None:
    assert _rules(f"DATABASE_URL={url}\n", ".env") == [(1, "CF-SECRET-DATABASE-URL")]


@pytest.mark.parametrize(
    "url",
    [f"smtp://alerts:{PASSWORD}@smtp.mailhost.io:587", f"https://deploy:{PASSWORD}@git.corp.io/a.git",
     f"ftp://backup:{PASSWORD}@files.corp.io/"],
)  # fmt: skip
def test_other_url_passwords_are_found(url: str) -> None:
    assert _rules(f"remote: {url}\n", "deploy.yaml") == [(1, "CF-SECRET-URL-CREDENTIAL")]


@pytest.mark.parametrize(
    "url",
    ["postgresql://user:password@localhost/db", "postgresql://app:${DB_PASSWORD}@db/app",
     "mysql://root:<password>@db/shop", "redis://:changeme@cache:6379", "amqp://guest:guest@mq//",
     "https://user:pass@example.com/x", "postgres://u:%s@db/x", "mongodb://admin:xxxxxxxx@mongo/db",
     "postgresql://app:$PGPASSWORD@db/app", "smtp://u:{password}@mail:25"],
)  # fmt: skip
def test_placeholder_passwords_in_urls_are_not_secrets(url: str) -> None:
    assert _rules(f"url = {url}\n", "settings.ini") == []


def test_curl_basic_and_bearer_in_scripts_and_docs() -> None:
    token = "q8Z2vL0x7Rk3Nf9Tb1Ws5Yh4mP6cD2eR"
    script = (
        f"curl -u admin:{PASSWORD} https://api.corp.io/v1/orders\n"
        f'curl -H "Authorization: Bearer {token}" https://api.corp.io/v1/me\n'
        "curl -H 'Authorization: Basic ZGVwbG95OlZxN0xrMnBaOXhRbTR0' https://api.corp.io\n"
        'curl -H "Authorization: Bearer $TOKEN" https://api.corp.io/v1/me\n'
        "curl -u $USER:$PASS https://api.corp.io\n"
    )
    expected = [(1, "CF-SECRET-BASIC-AUTH"), (2, "CF-SECRET-BEARER-TOKEN"),
                (3, "CF-SECRET-BASIC-AUTH")]  # fmt: skip
    assert _rules(script, "deploy.sh") == expected
    assert _rules(f"```bash\n{script}```\n", "README.md") == [(n + 1, r) for n, r in expected]


def test_basic_auth_built_in_code() -> None:
    code = (
        f'r = requests.get(url, auth=("deploy", "{PASSWORD}"))\n'
        f'auth = HTTPBasicAuth("svc", "{PASSWORD}")\n'
        f'header = "Basic " + base64.b64encode(b"svc:{PASSWORD}").decode()\n'
        'ok = requests.get(url, auth=(user, os.environ["PW"]))\n'
    )
    assert _rules(code) == [(1, "CF-SECRET-BASIC-AUTH"), (2, "CF-SECRET-BASIC-AUTH"),
                            (3, "CF-SECRET-BASIC-AUTH")]  # fmt: skip


def test_keys_split_across_literals_are_joined() -> None:
    head, tail = OPENAI[:12], OPENAI[12:]
    code = (
        f'KEY = "{head}" + "{tail}"\n'
        f'TOKEN = ("{GH[:20]}"\n         "{GH[20:]}")\n'
        f'PREFIX = "{head}"\nREST = "{tail}"\n'
        'CLIENT_KEY = f"{PREFIX}{REST}"\n'
        f'const k = ["{GH[:10]}", "{GH[10:]}"].join("");\n'
    )
    found = scan_secrets(code, "app.py", quoted_only=True)
    assert [(f.line, f.rule_id) for f in found.findings] == [
        (1, "CF-SECRET-OPENAI"), (2, "CF-SECRET-GITHUB"), (6, "CF-SECRET-OPENAI"),
    ]  # fmt: skip
    for finding in found.findings:
        assert tail not in finding.snippet and GH[20:] not in finding.snippet


def test_joined_literals_only_in_code_and_not_from_unrelated_strings() -> None:
    code = 'MSG = "Hello, " + "world, this is a long message"\nA = "x" "y"\n'
    assert _rules(code) == []
    head, tail = OPENAI[:12], OPENAI[12:]
    assert _rules(f'KEY = "{head}" + "{tail}"\n', "notes.txt") == []


def test_one_finding_per_secret_masked_one_way(tmp_path: Path) -> None:
    (tmp_path / "client.py").write_text(
        "from openai import OpenAI\n"
        f'client = OpenAI(api_key="{OPENAI}", timeout=10)\n'
        f'GITHUB_TOKEN = "{GH}"\n'
    )
    result = scan([tmp_path], ScanOptions(root=tmp_path, jobs=1))
    found = sorted((f.line, f.rule_id) for f in result.findings)
    assert found == [(2, "CF-SECRET-OPENAI"), (3, "CF-SECRET-GITHUB")]
    for f in result.findings:
        assert "…(" in f.snippet and "*****" not in f.snippet


def test_allow_list_file_extends_values_paths_and_fixtures(tmp_path: Path) -> None:
    (tmp_path / ".confiance-secrets.toml").write_text(
        '[allow]\nvalues = ["ghp_Zx8Q.*"]\npaths = ["docs/examples/**"]\n'
        '[fixtures]\npaths = ["qa/"]\n'
    )
    other = github_token("Ab8Qm2Lp5Vt9Rk3Nw7Hb1Jc4Fd6Gs0")
    files = {
        "a.env": f"GITHUB_TOKEN={GH}\nOTHER={other}\n",
        "docs/examples/setup.md": f"export GITHUB_TOKEN={other}\n",
        "qa/data.env": f"SESSION_SECRET=Ntn8HxyULJIm3G8FybthHX39YXo4a\nGH={other}\n",
        "tests/test_login.py": 'client_secret = "ltKM0EqHVgM8WC1wqo8jkHCVs0iXfeJo"\n',
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    result = scan([tmp_path], ScanOptions(root=tmp_path, jobs=1, rules=("CF-SECRET-*",)))
    assert sorted((f.path, f.line, f.rule_id) for f in result.findings) == [
        ("a.env", 2, "CF-SECRET-GITHUB"), ("qa/data.env", 2, "CF-SECRET-GITHUB"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("body", "message"),
    [("[allow]\nvalue = []\n", "unknown key 'value' in [allow]"),
     ("[skip]\n", "unknown section [skip]"),
     ('[allow]\nvalues = ["("]\n', "bad regex"),
     ("[allow]\nvalues = 3\n", "must be a list of strings"),
     ("[allow\n", "cannot read")],
)  # fmt: skip
def test_bad_allow_list_is_a_usage_error_naming_the_file(
    tmp_path: Path, body: str, message: str
) -> None:
    (tmp_path / ".confiance-secrets.toml").write_text(body)
    with pytest.raises(UsageError, match=re.escape(message)) as caught:
        load_policy(tmp_path)
    assert ".confiance-secrets.toml" in str(caught.value)


def test_missing_explicit_allow_list_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="does not exist"):
        load_policy(tmp_path, tmp_path / "nope.toml")
    assert load_policy(tmp_path) == SecretPolicy()


def test_cli_secrets_config_option_and_its_errors(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from confiance.cli.main import app

    (tmp_path / "a.env").write_text(f"GITHUB_TOKEN={GH}\n")
    allow = tmp_path / "allow.toml"
    allow.write_text(f'[allow]\nvalues = ["{GH}"]\n')
    runner = CliRunner()
    flagged = runner.invoke(app, ["scan", str(tmp_path), "--format", "json"])
    assert flagged.exit_code == 1
    allowed = runner.invoke(
        app, ["scan", str(tmp_path), "--format", "json", "--secrets-config", str(allow)]
    )
    assert allowed.exit_code == 0, allowed.output
    missing = runner.invoke(app, ["scan", str(tmp_path), "--secrets-config", "nope.toml"])
    assert missing.exit_code == 2
    assert "--secrets-config: nope.toml does not exist" in missing.output


def test_split_key_and_curl_header_in_a_notebook() -> None:
    import json

    head, tail = OPENAI[:12], OPENAI[12:]
    token = "q8Z2vL0x7Rk3Nf9Tb1Ws5Yh4mP6cD2eR"
    notebook = {"cells": [
        {"cell_type": "markdown", "metadata": {}, "source": ["# Try the API\n"]},
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": 1,
         "source": ["import openai\n", f'KEY = "{head}" + "{tail}"\n']},
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": 2,
         "source": [f'!curl -H "Authorization: Bearer {token}" https://api.corp.io/v1/me\n']},
    ], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}  # fmt: skip
    text = json.dumps(notebook, indent=1)
    found = scan_secrets(text, "explore.ipynb", quoted_only=False)
    lines = text.splitlines()
    assert [(f.rule_id, lines[f.line - 1].strip()[:12]) for f in found.findings] == [
        ("CF-SECRET-OPENAI", '"KEY = \\"sk-'), ("CF-SECRET-BEARER-TOKEN", '"!curl -H \\"'),
    ]  # fmt: skip
    for finding in found.findings:
        assert tail not in finding.snippet and token not in finding.snippet
