# ruff: noqa: E501  (one fixture pair per line reads best)
"""The shared credential formats: a true and a false positive for every format (like gitleaks'
rule fixtures), the GitHub/npm CRC32 checksum, and the API the gateway's redaction imports.

Random parts are drawn from a seeded generator (``{an:36}`` = 36 alphanumerics, ``{hex:32}``,
``{b64:86}``, ``{url:40}`` URL-safe base64, ``{dig:10}``, ``{lo:10}`` lower case); ``{gh}`` and
``{npm}`` are the 36 characters of a token body with a valid checksum."""

from __future__ import annotations

import base64
import json
import random
import re
import string

import pytest

from confiance.codescan.secretformats import (
    FORMATS,
    base62_crc32_ok,
    find_secrets,
    format_named,
)

from .tokens import with_checksum

_ALPHABETS = {
    "an": string.ascii_letters + string.digits,
    "hex": "0123456789abcdef",
    "b64": string.ascii_letters + string.digits + "+/",
    "url": string.ascii_letters + string.digits + "_-",
    "dig": string.digits,
    "lo": string.ascii_lowercase + string.digits,
    "up": string.ascii_uppercase + string.digits,
    "bech": "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L",
    "b32": string.ascii_uppercase + "234567",
}
_SLOT = re.compile(
    r"\{(an|hex|b64|url|dig|lo|up|bech|b32):(\d+)\}|\{(gh|npm|pem|basic|jwt|bedrock)\}"
)


def checksummed(rng: random.Random) -> str:
    return with_checksum("".join(rng.choice(_ALPHABETS["an"]) for _ in range(30)))


def _pem(rng: random.Random) -> str:
    return "\n".join("".join(rng.choice(_ALPHABETS["b64"]) for _ in range(64)) for _ in range(6))


def _jwt(rng: random.Random) -> str:
    def part(data: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    sig = "".join(rng.choice(_ALPHABETS["url"]) for _ in range(43))
    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part({'sub': 'svc-7', 'iat': 1})}.{sig}"


def fill(template: str, seed: int) -> str:
    rng = random.Random(seed)

    def one(m: re.Match[str]) -> str:
        if m.group(1):
            return "".join(rng.choice(_ALPHABETS[m.group(1)]) for _ in range(int(m.group(2))))
        special = m.group(3)
        if special in ("gh", "npm"):
            return checksummed(rng)
        if special == "pem":
            return _pem(rng)
        if special == "jwt":
            return _jwt(rng)
        if special == "bedrock":
            raw = b"BedrockAPIKey-" + bytes(rng.randrange(256) for _ in range(90))
            return base64.b64encode(raw).decode()
        return base64.b64encode(b"deploy:" + fill("{an:18}", seed).encode()).decode()

    return _SLOT.sub(one, template)


# format name -> (a text that holds one credential of that format, a near miss that holds none)
CASES: dict[str, tuple[str, str]] = {
    "gcp-service-account": (
        '{"type": "service_account", "private_key": "-----BEGIN PRIVATE KEY-----\\n{b64:64}\\n'
        '{b64:64}\\n-----END PRIVATE KEY-----\\n", "client_email": "a@p.iam.gserviceaccount.com"}',
        '{"type": "service_account", "private_key": "-----BEGIN PRIVATE KEY-----\\n...\\n'
        '-----END PRIVATE KEY-----\\n"}'),
    "anthropic-admin": ("key = 'sk-ant-admin01-{url:93}AA'", "key = 'sk-ant-admin01-xxxx'"),
    "anthropic-api": ("ANTHROPIC_API_KEY=sk-ant-api03-{url:93}AA",
                      "ANTHROPIC_API_KEY=sk-ant-api03-your-key-here"),
    "openai-admin": ("OPENAI_ADMIN_KEY=sk-admin-{url:60}", "prefix = 'sk-admin-'"),
    "openai-project": ("OPENAI_API_KEY=sk-proj-{url:120}",
                       "OPENAI_API_KEY=sk-proj-XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"),
    "openai-legacy": ("openai.api_key = 'sk-{an:20}T3BlbkFJ{an:20}'",
                      "css = 'sk-skeleton-loader-placeholder-animation'"),
    "google-api-key": ("GOOGLE_API_KEY=AIzaSy{url:26}7Qa2zK9", "key=AIzaSyThisIsNotARealKeyJustWordsHere"),
    "google-oauth-secret": ("client_secret: GOCSPX-{url:28}", "client_secret: GOCSPX-<secret>"),
    "huggingface": ("HF_TOKEN=hf_{an:34}", "from huggingface_hub import hf_hub_download_with_cache"),
    "groq": ("GROQ_API_KEY=gsk_{an:52}", "GROQ_API_KEY=gsk_your_groq_key"),
    "replicate": ("REPLICATE_API_TOKEN=r8_{an:37}", "REPLICATE_API_TOKEN=r8_xxxxxxxxxxxxxxxxxxxxxxxxxx"),
    "perplexity": ("PPLX_KEY=pplx-{an:48}", "PPLX_KEY=pplx-<your-key>"),
    "xai": ("XAI_API_KEY=xai-{an:80}", "XAI_API_KEY=xai-key"),
    "together": ("TOGETHER_API_KEY=tgp_v1_{url:43}", "TOGETHER_API_KEY=tgp_v1_changeme"),
    "together-legacy": ("TOGETHER_API_KEY = '{hex:64}'", "together_model_sha = 'meta-llama/Llama-3-8b'"),
    "cohere": ("COHERE_API_KEY = '{an:40}'", "cohere_model = 'command-r-plus-08-2024'"),
    "mistral": ("MISTRAL_API_KEY: {an:32}", "mistral_model: mistral-large-latest"),
    "langsmith": ("LANGSMITH_API_KEY=lsv2_pt_{hex:32}_{hex:10}", "LANGSMITH_API_KEY=lsv2_pt_..."),
    "aws-access-key-id": ("aws_access_key_id = AKIA{b32:16}", "aws_access_key_id = AKIAXXXXXXXXXXXXXXXX"),
    "aws-secret-key": ("aws_secret_access_key = {b64:40}", "aws_secret_access_key = ${AWS_SECRET}"),
    "aws-session-token": ("aws_session_token = IQoJb3JpZ2luX2Vj{b64:300}",
                          "aws_session_token = ${AWS_SESSION_TOKEN}"),
    "aws-bedrock": ("AWS_BEARER_TOKEN_BEDROCK=ABSK{bedrock}", "AWS_BEARER_TOKEN_BEDROCK=ABSK{b64:120}"),
    "aws-bedrock-short": ("AWS_BEARER_TOKEN_BEDROCK=bedrock-api-key-{b64:200}",
                          "docs: bedrock-api-key-<token>"),
    "azure-storage-key": ("DefaultEndpointsProtocol=https;AccountName=shop;AccountKey={b64:86}==",
                          "AccountKey=<account-key>"),
    "azure-shared-access-key": ("Endpoint=sb://x.servicebus.windows.net/;SharedAccessKeyName=s;"
                                "SharedAccessKey={b64:43}=", "SharedAccessKey=${SB_KEY}"),
    "azure-sas": ("https://acct.blob.core.windows.net/c/f.csv?sv=2022-11-02&ss=b&srt=o&sp=r"
                  "&se=2026-01-01T00:00:00Z&sig={b64:43}%3D",
                  "https://acct.blob.core.windows.net/c/f.csv?sv=2022-11-02&sig=<signature>"),
    "azure-entra-secret": ("AZURE_CLIENT_SECRET=abc8Q~{url:34}", "AZURE_CLIENT_SECRET=<client-secret>"),
    "azure-annotated-key": ("AZURE_AI_KEY={an:52}JQQJ99{an:26}", "AZURE_AI_KEY=JQQJ99"),
    "azure-openai-key": ("AZURE_OPENAI_API_KEY: {hex:32}", "AZURE_OPENAI_DEPLOYMENT: gpt-4o-2024-08-06"),
    "alibaba-key-id": ("ALIBABA_CLOUD_ACCESS_KEY_ID=LTAI5t{an:16}", "ALIBABA_CLOUD_ACCESS_KEY_ID=LTAIxxxxxxxxxxxxxxxx"),
    "alibaba-secret": ("ALIBABA_CLOUD_ACCESS_KEY_SECRET={an:30}",
                       "ALIBABA_CLOUD_ACCESS_KEY_SECRET=${ALIYUN_SECRET}"),
    "digitalocean": ("DIGITALOCEAN_TOKEN=dop_v1_{hex:64}", "DIGITALOCEAN_TOKEN=dop_v1_<token>"),
    "heroku": ("HEROKU_API_KEY=HRKU-AA{url:58}", "HEROKU_API_KEY=HRKU-your-key"),
    "heroku-legacy": ("HEROKU_API_KEY=3f2b8a9c-1d4e-4f6a-9b7c-2e5d8f1a3b6c",
                      "request_id=3f2b8a9c-1d4e-4f6a-9b7c-2e5d8f1a3b6c"),
    "cloudflare-origin-ca": ("CF_ORIGIN_CA_KEY=v1.0-{hex:24}-{hex:146}", "CF_ORIGIN_CA_KEY=v1.0-..."),
    "cloudflare-token": ("CLOUDFLARE_API_TOKEN={url:40}", "CLOUDFLARE_ZONE=shop-example-zone"),
    "cloudflare-global-key": ("CLOUDFLARE_API_KEY={hex:37}", "CLOUDFLARE_API_KEY=${CF_KEY}"),
    "vercel-blob": ("BLOB_READ_WRITE_TOKEN=vercel_blob_rw_{an:16}_{an:30}",
                    "BLOB_READ_WRITE_TOKEN=vercel_blob_rw_..."),
    "vercel-token": ("VERCEL_TOKEN={an:24}", "VERCEL_PROJECT=my-nextjs-storefront"),
    "netlify": ("NETLIFY_AUTH_TOKEN=nfp_{an:36}", "NETLIFY_AUTH_TOKEN=nfp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
    "netlify-legacy": ("NETLIFY_AUTH_TOKEN={url:43}", "NETLIFY_SITE_NAME=shop-front"),
    "github-classic": ("GITHUB_TOKEN=ghp_{gh}", "GITHUB_TOKEN=ghp_{an:36}"),
    "github-fine-grained": ("GH_TOKEN=github_pat_11{an:20}_{an:59}", "GH_TOKEN=github_pat_<token>"),
    "gitlab-pat": ("GITLAB_TOKEN=glpat-{url:20}", "GITLAB_TOKEN=glpat-xxxxxxxxxxxxxxxxxxxx"),
    "gitlab-token": ("CI_DEPLOY=gldt-{url:20}", "CI_DEPLOY=gldt-<deploy-token>"),
    "bitbucket-app-password": ("BITBUCKET_APP_PASSWORD=ATBB{an:32}", "BITBUCKET_APP_PASSWORD=ATBB..."),
    "atlassian-token": ("JIRA_API_TOKEN=ATATT3xFfGF0{url:170}=ABCD1234", "JIRA_API_TOKEN=ATATT3xFfGF0..."),
    "atlassian-legacy": ("JIRA_API_TOKEN={an:24}", "JIRA_BASE_URL=shop.atlassian.net"),
    "sourcegraph": ("SRC_ACCESS_TOKEN=sgp_{hex:16}_{hex:40}", "SRC_ACCESS_TOKEN=sgp_<token>"),
    "notion": ("NOTION_TOKEN=ntn_{dig:11}{an:35}", "NOTION_TOKEN=secret_your_integration_token"),
    "linear": ("LINEAR_API_KEY=lin_api_{an:40}", "LINEAR_API_KEY=lin_api_xxxxxxxx"),
    "npm": ("//registry.npmjs.org/:_authToken=npm_{npm}", "NPM_TOKEN=npm_{an:36}"),
    "pypi": ("password = pypi-AgEIcHlwaS5vcmc{url:120}", "password = pypi-AgEIcHlwaS5vcmc..."),
    "rubygems": ("GEM_HOST_API_KEY=rubygems_{hex:48}", "GEM_HOST_API_KEY=rubygems_<key>"),
    "dockerhub": ("DOCKERHUB_TOKEN=dckr_pat_{url:27}", "DOCKERHUB_TOKEN=dckr_pat_xxxxxxxxxxxxxxxxxxxxxxxxxxx"),
    "sidekiq": ("BUNDLE_ENTERPRISE__CONTRIBSYS__COM={hex:8}:{hex:8}",
                "BUNDLE_ENTERPRISE__CONTRIBSYS__COM=${SIDEKIQ_CREDS}"),
    "postman": ("POSTMAN_API_KEY=PMAK-{hex:24}-{hex:34}", "POSTMAN_API_KEY=PMAK-..."),
    "sentry": ("SENTRY_AUTH_TOKEN=sntrys_{b64:120}", "SENTRY_AUTH_TOKEN=sntrys_..."),
    "grafana": ("GRAFANA_TOKEN=glsa_{an:32}_{hex:8}", "GRAFANA_TOKEN=glsa_<token>"),
    "terraform-cloud": ("TFE_TOKEN={an:14}.atlasv1.{url:67}", "TFE_TOKEN=<token>.atlasv1.<rest>"),
    "slack-token": ("SLACK_BOT_TOKEN=xoxb-{dig:12}-{dig:13}-{an:24}",
                    "SLACK_BOT_TOKEN=xoxb-your-bot-token"),
    "slack-rotating-token": ("SLACK_TOKEN=xoxe.xoxp-1-{an:140}", "SLACK_TOKEN=xoxe.xoxp-1-..."),
    "slack-app-token": ("SLACK_APP_TOKEN=xapp-1-A{up:10}-{dig:13}-{hex:64}",
                        "SLACK_APP_TOKEN=xapp-1-<token>"),
    "slack-webhook": ("url: https://hooks.slack.com/services/T{up:8}/B{up:10}/{an:24}",
                      "url: https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX"),
    "discord-webhook": ("https://discord.com/api/webhooks/{dig:18}/{url:68}",
                        "https://discord.com/api/webhooks/<id>/<token>"),
    "discord-bot-token": ("DISCORD_BOT_TOKEN=MT{url:24}.G{url:5}.{url:38}",
                          "DISCORD_BOT_TOKEN=your.discord.token"),
    "teams-webhook": ("https://contoso.webhook.office.com/webhookb2/3f2b8a9c-1d4e-4f6a-9b7c-2e5d8f"
                      "1a3b6c@9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d/IncomingWebhook/{hex:32}/"
                      "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
                      "https://contoso.webhook.office.com/webhookb2/<group>@<tenant>/IncomingWebhook/<id>"),
    "teams-workflow": ("https://prod-12.westeurope.logic.azure.com:443/workflows/{hex:32}/triggers/"
                       "manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun"
                       "&sv=1.0&sig={url:43}",
                       "https://prod-12.westeurope.logic.azure.com/workflows/<id>/triggers/manual"),
    "telegram-bot-token": ("TELEGRAM_BOT_TOKEN={dig:10}:AA{url:33}", "TELEGRAM_BOT_TOKEN=123456:ABC-DEF"),
    "sendgrid": ("SENDGRID_API_KEY=SG.{url:22}.{url:43}", "SENDGRID_API_KEY=SG.xxxxx.yyyyy"),
    "twilio-auth-token": ("TWILIO_AUTH_TOKEN={hex:32}", "TWILIO_ACCOUNT_NAME=shop-notifications"),
    "mailgun": ("MAILGUN_API_KEY=key-{hex:32}", "MAILGUN_API_KEY=key-<your-key>"),
    "mailchimp": ("MAILCHIMP_KEY={hex:32}-us21", "MAILCHIMP_DC=us21"),
    "facebook-access-token": ("FB_PAGE_TOKEN=EAAG{an:160}", "FB_PAGE_TOKEN=EAAG..."),
    "facebook-app-token": ("FB_APP_TOKEN={dig:15}|{url:27}", "ids = '123456789012345|abc'"),
    "facebook-app-secret": ("FACEBOOK_APP_SECRET={hex:32}", "FACEBOOK_APP_SECRET=${FB_SECRET}"),
    "twitter-bearer": ("TWITTER_BEARER_TOKEN=AAAAAAAAAAAAAAAAAAAAA{an:30}%3D{an:50}",
                       "TWITTER_BEARER_TOKEN=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
    "twitter-secret": ("TWITTER_CONSUMER_SECRET={an:50}", "TWITTER_CONSUMER_SECRET=<consumer-secret>"),
    "twitter-access-token": ("TWITTER_ACCESS_TOKEN={dig:18}-{an:40}",
                             "TWITTER_ACCESS_TOKEN=${TWITTER_ACCESS_TOKEN}"),
    "stripe-secret": ("STRIPE_SECRET_KEY=sk_live_51{an:97}", "STRIPE_SECRET_KEY=sk_test_51{an:97}"),
    "stripe-webhook-secret": ("STRIPE_WEBHOOK_SECRET=whsec_{an:32}", "STRIPE_WEBHOOK_SECRET=whsec_..."),
    "square-access-token": ("SQUARE_ACCESS_TOKEN=EAAA{url:60}", "SQUARE_ACCESS_TOKEN=EAAA<token>"),
    "square-legacy": ("SQUARE_SECRET=sq0csp-{url:43}", "SQUARE_SECRET=sq0csp-xxxxxxxx"),
    "shopify": ("SHOPIFY_ACCESS_TOKEN=shpat_{hex:32}", "SHOPIFY_ACCESS_TOKEN=shpat_<token>"),
    "braintree": ("BT_TOKEN=access_token$production${lo:16}${hex:32}",
                  "BT_TOKEN=access_token$sandbox${lo:16}${hex:32}"),
    "paypal-secret": ("PAYPAL_CLIENT_SECRET=E{url:79}", "PAYPAL_CLIENT_SECRET=<secret>"),
    "okta": ("OKTA_API_TOKEN=00{url:40}", "OKTA_ORG_URL=https://shop.okta.com"),
    "auth0": ("AUTH0_CLIENT_SECRET={url:64}", "AUTH0_DOMAIN=shop.eu.auth0.com"),
    "onelogin": ("ONELOGIN_CLIENT_SECRET={hex:64}", "ONELOGIN_SUBDOMAIN=shop"),
    "canvas": ("CANVAS_API_TOKEN=7071~{an:64}", "canvas = '7071~course-page'"),
    "clever": ("CLEVER_API_TOKEN={hex:40}", "CLEVER_DISTRICT=springfield-district"),
    "private-key": ("-----BEGIN RSA PRIVATE KEY-----\n{pem}\n-----END RSA PRIVATE KEY-----",
                    "PEM_HEADER = '-----BEGIN RSA PRIVATE KEY-----'"),
    "putty-private-key": ("PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: deploy\n"
                          "Public-Lines: 2\n{b64:64}\n{b64:20}\nPrivate-Lines: 1\n{b64:44}\n",
                          "PuTTY-User-Key-File-3: ssh-ed25519\nPublic-Lines: 2\n{b64:64}\n"),
    "age-secret-key": ("AGE-SECRET-KEY-1{bech:58}",
                       "AGE-SECRET-KEY-1..."),
    "jwt": ("Authorization: Bearer {jwt}", "token = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4eHgifQ.x'"),
    "database-url": ("DATABASE_URL=postgresql://billing:Qz8{an:10}@db.internal:5432/billing",
                     "DATABASE_URL=postgresql://app:${DB_PASSWORD}@db:5432/app"),
    "url-credential": ("git clone https://deploy:{an:20}@git.internal.shop/app.git",
                       "see https://user:password@host.example.com/path"),
    "curl-user": ("curl -u admin:{an:16} https://api.shop.internal/v1/orders",
                  "curl -u $API_USER:$API_PASSWORD https://api.shop.internal/v1/orders"),
    "basic-auth-header": ("curl -H 'Authorization: Basic {basic}' https://api.shop.internal",
                          "curl -H 'Authorization: Basic dXNlcjpwYXNzd29yZA==' https://x"),
    "basic-auth-code": ("requests.get(url, auth=HTTPBasicAuth('deploy', '{an:16}'))",
                        "requests.get(url, auth=HTTPBasicAuth(user, os.environ['PW']))"),
    "basic-auth-encoded": ("header = base64.b64encode(b'deploy:{an:16}')",
                           "header = base64.b64encode(f'{user}:{password}'.encode())"),
    "bearer-token": ("curl -H \"Authorization: Bearer {url:40}\" https://api.shop.internal",
                     "curl -H \"Authorization: Bearer $TOKEN\" https://api.shop.internal"),
    "npmrc-auth": ("//npm.pkg.github.com/:_auth={basic}", "//registry.npmjs.org/:_authToken=${NPM_TOKEN}"),
    "docker-config-auth": ('{"auths": {"registry.shop.io": {"auth": "{basic}"}}}',
                           '{"auths": {"registry.shop.io": {"auth": ""}}}'),
}  # fmt: skip


def test_every_format_has_fixtures() -> None:
    assert {f.name for f in FORMATS} == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_true_positive_is_found_by_its_format(name: str) -> None:
    text = fill(CASES[name][0], seed=len(name))
    found = find_secrets(text)
    assert [m.format.name for m in found] == [name], text
    match = found[0]
    assert text[match.start : match.end] == match.value
    assert match.format.rule.startswith("CF-SECRET-")


@pytest.mark.parametrize("name", sorted(CASES))
def test_false_positive_is_not_found(name: str) -> None:
    text = fill(CASES[name][1], seed=len(name))
    assert find_secrets(text) == [], text


def test_github_checksum_is_the_crc32_of_the_random_part_in_base62() -> None:
    rng = random.Random(7)
    token = "ghp_" + checksummed(rng)
    assert base62_crc32_ok(token)
    broken = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert not base62_crc32_ok(broken)
    assert format_named("github-classic").checksum
    assert find_secrets(f"t = '{broken}'") == []


def test_overlapping_formats_give_one_match_vendor_first() -> None:
    key = fill("sk-proj-{url:100}", 3)
    found = find_secrets(f'curl -H "Authorization: Bearer {key}" https://api.openai.com')
    assert [m.format.name for m in found] == ["openai-project"]


def test_documented_examples_are_not_secrets() -> None:
    assert find_secrets("aws_access_key_id = AKIAIOSFODNN7EXAMPLE") == []
    assert find_secrets("AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6"
                        "tq/K1SZFPTOtr/KBHBeksoGMGw==") == []  # fmt: skip


def test_unknown_format_name_raises() -> None:
    with pytest.raises(KeyError):
        format_named("nope")
