"""Vendor key formats recognised by their own shape: AI vendors, cloud, developer platforms.

Each entry follows the vendor's documented token format (prefix, alphabet, length, checksum) or,
where the vendor documents none, the shape its issued keys visibly follow; formats without a
distinctive prefix are matched only when assigned to a name with the vendor's keyword.
"""

from __future__ import annotations

import base64
import binascii
import re

from confiance.codescan.secretformats._model import (
    SecretFormat,
    base62_crc32_ok,
    keyword_format,
    prefix_format,
)

__all__ = ["AI_FORMATS", "CLOUD_FORMATS", "DEV_FORMATS", "google_key_ok", "mixed"]

_AN = "A-Za-z0-9"
_B64URL = "A-Za-z0-9_-"


def mixed(value: str) -> bool:
    """Random keys mix letters and digits; words, repeated letters and pure digits do not."""
    return any(c.isdigit() for c in value) and any(c.isalpha() for c in value)


def google_key_ok(value: str) -> bool:
    """A Google API key is ``AIza`` and 35 random URL-safe base64 characters: look-alikes
    (``AIzaSyThisIsNotARealKey...``) lack the digits and both cases of a random string."""
    body = value[4:]
    return (
        any(c.isdigit() for c in body)
        and any(c.isupper() for c in body)
        and any(c.islower() for c in body)
        and not re.search(r"[a-z]{9,}|[A-Z]{7,}", body)
    )


def _bedrock_ok(value: str) -> bool:
    try:
        head = base64.b64decode(value[4:40] + "=" * (-len(value[4:40]) % 4))
    except (binascii.Error, ValueError):
        return False
    return head.startswith(b"BedrockAPIKey")


AI_FORMATS: tuple[SecretFormat, ...] = (
    prefix_format("anthropic-admin", "Anthropic", "Anthropic admin key", "CF-SECRET-ANTHROPIC",
                  rf"sk-ant-admin\d\d-[{_B64URL}]{{80,}}", keywords=("sk-ant-admin",)),
    prefix_format("anthropic-api", "Anthropic", "Anthropic API key", "CF-SECRET-ANTHROPIC",
                  rf"sk-ant-[a-z]{{3,5}}\d\d-[{_B64URL}]{{80,}}", keywords=("sk-ant-",)),
    prefix_format("openai-admin", "OpenAI", "OpenAI admin key", "CF-SECRET-OPENAI",
                  rf"sk-admin-[{_B64URL}]{{40,}}", keywords=("sk-admin-",)),
    prefix_format("openai-project", "OpenAI", "OpenAI project key", "CF-SECRET-OPENAI",
                  rf"sk-(?:proj|svcacct|None)-[{_B64URL}]{{40,}}",
                  keywords=("sk-proj-", "sk-svcacct-", "sk-none-")),
    prefix_format("openai-legacy", "OpenAI", "OpenAI API key", "CF-SECRET-OPENAI",
                  rf"sk-(?!ant-|proj-|svcacct-|admin-)[{_AN}]{{32,}}", keywords=("sk-",),
                  validate=mixed),
    prefix_format("google-api-key", "Google", "Google API key", "CF-SECRET-GOOGLE",
                  rf"AIza[{_B64URL}]{{35}}", keywords=("aiza",), validate=google_key_ok,
                  min_entropy=3.8),
    prefix_format("google-oauth-secret", "Google", "Google OAuth client secret",
                  "CF-SECRET-GOOGLE", rf"GOCSPX-[{_B64URL}]{{28}}", keywords=("gocspx-",)),
    prefix_format("huggingface", "Hugging Face", "Hugging Face token", "CF-SECRET-HUGGINGFACE",
                  rf"(?:hf_|api_org_)[{_AN}]{{30,40}}", keywords=("hf_", "api_org_"),
                  min_entropy=3.5),
    prefix_format("groq", "Groq", "Groq API key", "CF-SECRET-GROQ", rf"gsk_[{_AN}]{{52}}",
                  keywords=("gsk_",)),
    prefix_format("replicate", "Replicate", "Replicate API token", "CF-SECRET-REPLICATE",
                  rf"r8_[{_AN}]{{37}}", keywords=("r8_",), validate=mixed),
    prefix_format("perplexity", "Perplexity", "Perplexity API key", "CF-SECRET-PERPLEXITY",
                  rf"pplx-[{_AN}]{{40,56}}", keywords=("pplx-",), validate=mixed),
    prefix_format("xai", "xAI", "xAI API key", "CF-SECRET-XAI", rf"xai-[{_AN}]{{70,90}}",
                  keywords=("xai-",), validate=mixed),
    prefix_format("together", "Together AI", "Together AI API key", "CF-SECRET-TOGETHER",
                  rf"tgp_v1_[{_B64URL}]{{40,}}", keywords=("tgp_v1_",)),
    keyword_format("together-legacy", "Together AI", "Together AI API key",
                   "CF-SECRET-TOGETHER", "[a-f0-9]{64}", keywords=("together",)),
    keyword_format("cohere", "Cohere", "Cohere API key", "CF-SECRET-COHERE", f"[{_AN}]{{40}}",
                   keywords=("cohere", "co_api_key"), validate=mixed),
    keyword_format("mistral", "Mistral", "Mistral API key", "CF-SECRET-MISTRAL",
                   f"[{_AN}]{{32}}", keywords=("mistral",), validate=mixed),
    prefix_format("langsmith", "LangChain", "LangSmith API key", "CF-SECRET-LANGSMITH",
                  r"lsv2_(?:pt|sk)_[a-f0-9]{32}_[a-f0-9]{10}", keywords=("lsv2_",)),
)  # fmt: skip

CLOUD_FORMATS: tuple[SecretFormat, ...] = (
    prefix_format("aws-access-key-id", "AWS", "AWS access key id", "CF-SECRET-AWS-KEY-ID",
                  r"(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}",
                  keywords=("akia", "asia", "abia", "acca"), min_entropy=2.5),
    keyword_format("aws-secret-key", "AWS", "AWS secret access key", "CF-SECRET-AWS",
                   r"[A-Za-z0-9/+]{40}",
                   keywords=("aws_secret", "secret_access_key", "secretaccesskey",
                             "aws_secret_key", "awssecretkey"), min_entropy=4.0),
    prefix_format("aws-session-token", "AWS", "AWS session token", "CF-SECRET-AWS-SESSION-TOKEN",
                  r"(?:IQoJb3JpZ2luX2Vj|FwoGZXIvYXdzE|FQoGZXIvYXdzE)[A-Za-z0-9/+]{100,}={0,2}",
                  keywords=("iqojb3jpz2lux2vj", "fwogzxivyxdze", "fqogzxivyxdze")),
    prefix_format("aws-bedrock", "AWS", "Amazon Bedrock API key", "CF-SECRET-AWS-BEDROCK",
                  r"ABSK[A-Za-z0-9+/]{100,}={0,2}", keywords=("absk",), validate=_bedrock_ok),
    prefix_format("aws-bedrock-short", "AWS", "Amazon Bedrock short-term API key",
                  "CF-SECRET-AWS-BEDROCK", r"bedrock-api-key-[A-Za-z0-9+/]{60,}={0,2}",
                  keywords=("bedrock-api-key-",)),
    SecretFormat("azure-storage-key", "Azure", "Azure storage account key", "CF-SECRET-AZURE",
                 re.compile(r"AccountKey=(?P<secret>[A-Za-z0-9+/]{86}==)"),
                 ("accountkey=",)),
    SecretFormat("azure-shared-access-key", "Azure", "Azure shared access key",
                 "CF-SECRET-AZURE",
                 re.compile(r"SharedAccessKey=(?P<secret>[A-Za-z0-9+/]{42,43}=?)"),
                 ("sharedaccesskey=",)),
    SecretFormat("azure-sas", "Azure", "Azure shared access signature (SAS)", "CF-SECRET-AZURE",
                 re.compile(r"[?&;=]sv=\d{4}-\d\d-\d\d[^\s\"'<>`]{0,400}?[?&;]sig="
                            r"(?P<secret>[A-Za-z0-9%+/]{40,100}(?:%3D|=)?)"),
                 ("sig=",)),
    prefix_format("azure-entra-secret", "Azure", "Entra ID client secret", "CF-SECRET-AZURE",
                  r"[A-Za-z0-9_~.-]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34}", keywords=("q~",)),
    prefix_format("azure-annotated-key", "Azure", "Azure API key", "CF-SECRET-AZURE",
                  rf"[{_AN}]{{52}}JQQJ9[9A-D][{_AN}]{{26}}", keywords=("jqqj9",)),
    keyword_format("azure-openai-key", "Azure", "Azure OpenAI / AI services key",
                   "CF-SECRET-AZURE", "[a-f0-9]{32}", keywords=("azure",), validate=mixed),
    prefix_format("alibaba-key-id", "Alibaba Cloud", "Alibaba Cloud AccessKey ID",
                  "CF-SECRET-ALIBABA", rf"LTAI[{_AN}]{{12,20}}", keywords=("ltai",),
                  validate=mixed),
    keyword_format("alibaba-secret", "Alibaba Cloud", "Alibaba Cloud AccessKey secret",
                   "CF-SECRET-ALIBABA", f"[{_AN}]{{30}}",
                   keywords=("alibaba", "aliyun", "access_key_secret", "accesskeysecret"),
                   validate=mixed),
    prefix_format("digitalocean", "DigitalOcean", "DigitalOcean token", "CF-SECRET-DIGITALOCEAN",
                  r"do[opr]_v1_[a-f0-9]{64}", keywords=("dop_v1_", "doo_v1_", "dor_v1_")),
    prefix_format("heroku", "Heroku", "Heroku API key", "CF-SECRET-HEROKU",
                  rf"HRKU-[{_B64URL}]{{58,62}}", keywords=("hrku-",)),
    keyword_format("heroku-legacy", "Heroku", "Heroku API key", "CF-SECRET-HEROKU",
                   r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
                   keywords=("heroku",)),
    prefix_format("cloudflare-origin-ca", "Cloudflare", "Cloudflare Origin CA key",
                  "CF-SECRET-CLOUDFLARE", r"v1\.0-[a-f0-9]{24}-[a-f0-9]{146}",
                  keywords=("v1.0-",)),
    keyword_format("cloudflare-token", "Cloudflare", "Cloudflare API token",
                   "CF-SECRET-CLOUDFLARE", f"[{_B64URL}]{{40}}",
                   keywords=("cloudflare", "cf_api_token", "cf_token"), validate=mixed),
    keyword_format("cloudflare-global-key", "Cloudflare", "Cloudflare global API key",
                   "CF-SECRET-CLOUDFLARE", "[a-f0-9]{37}",
                   keywords=("cloudflare", "cf_api_key")),
    prefix_format("vercel-blob", "Vercel", "Vercel Blob token", "CF-SECRET-VERCEL",
                  rf"vercel_blob_rw_[{_AN}]{{16}}_[{_AN}]{{30}}", keywords=("vercel_blob_rw_",)),
    keyword_format("vercel-token", "Vercel", "Vercel access token", "CF-SECRET-VERCEL",
                   f"[{_AN}]{{24}}", keywords=("vercel",), validate=mixed),
    prefix_format("netlify", "Netlify", "Netlify access token", "CF-SECRET-NETLIFY",
                  rf"nf[pcou]_[{_AN}]{{36,40}}", keywords=("nfp_", "nfc_", "nfo_", "nfu_"),
                  validate=mixed),
    keyword_format("netlify-legacy", "Netlify", "Netlify access token", "CF-SECRET-NETLIFY",
                   f"[{_B64URL}]{{40,46}}", keywords=("netlify",), validate=mixed),
)  # fmt: skip

DEV_FORMATS: tuple[SecretFormat, ...] = (
    prefix_format("github-classic", "GitHub", "GitHub token", "CF-SECRET-GITHUB",
                  rf"gh[pousr]_[{_AN}]{{36}}",
                  keywords=("ghp_", "gho_", "ghu_", "ghs_", "ghr_"), validate=base62_crc32_ok,
                  checksum=True),
    prefix_format("github-fine-grained", "GitHub", "GitHub fine-grained token",
                  "CF-SECRET-GITHUB", rf"github_pat_[{_AN}]{{22}}_[{_AN}]{{59}}",
                  keywords=("github_pat_",)),
    prefix_format("gitlab-pat", "GitLab", "GitLab personal access token", "CF-SECRET-GITLAB",
                  rf"glpat-[{_B64URL}]{{20,}}(?:\.[0-9a-z]{{2}}\.[0-9a-z]{{7,9}})?",
                  keywords=("glpat-",)),
    prefix_format("gitlab-token", "GitLab", "GitLab token", "CF-SECRET-GITLAB",
                  rf"gl(?:dt|rt|ptt|cbt|oas|soat|ft|imt|agent|ffct|wt)-[{_B64URL}]{{20,}}",
                  keywords=("gldt-", "glrt-", "glptt-", "glcbt-", "gloas-", "glsoat-", "glft-",
                            "glimt-", "glagent-", "glffct-", "glwt-")),
    prefix_format("bitbucket-app-password", "Atlassian", "Bitbucket app password",
                  "CF-SECRET-BITBUCKET", r"ATBB[A-Za-z0-9_=.-]{28,40}", keywords=("atbb",)),
    prefix_format("atlassian-token", "Atlassian", "Atlassian API token", "CF-SECRET-ATLASSIAN",
                  r"AT(?:ATT|CTT)3xFfG[A-Za-z0-9_=-]{150,}", keywords=("atatt3", "atctt3")),
    keyword_format("atlassian-legacy", "Atlassian", "Atlassian API token",
                   "CF-SECRET-ATLASSIAN", f"[{_AN}]{{24}}",
                   keywords=("jira", "confluence", "atlassian"), validate=mixed),
    prefix_format("sourcegraph", "Sourcegraph", "Sourcegraph access token",
                  "CF-SECRET-SOURCEGRAPH", r"sg[ps]_(?:[a-f0-9]{16}_)?[a-f0-9]{40}",
                  keywords=("sgp_", "sgs_")),
    prefix_format("notion", "Notion", "Notion integration token", "CF-SECRET-NOTION",
                  rf"(?:secret_[{_AN}]{{43}}|ntn_[0-9]{{11}}[{_AN}]{{35}})",
                  keywords=("secret_", "ntn_"), validate=mixed),
    prefix_format("linear", "Linear", "Linear API key", "CF-SECRET-LINEAR",
                  rf"(?:lin_api_[{_AN}]{{40}}|lin_oauth_[a-f0-9]{{64}})",
                  keywords=("lin_api_", "lin_oauth_")),
    prefix_format("npm", "npm", "npm access token", "CF-SECRET-NPM", rf"npm_[{_AN}]{{36}}",
                  keywords=("npm_",), validate=base62_crc32_ok, checksum=True),
    prefix_format("pypi", "PyPI", "PyPI API token", "CF-SECRET-PYPI",
                  rf"pypi-(?:AgEIcHlwaS5vcmc|AgENdGVzdC5weXBpLm9yZw)[{_B64URL}]{{50,}}",
                  keywords=("pypi-ageichlwas5vcmc", "pypi-agendgvzdc5wexbplm9yzw")),
    prefix_format("rubygems", "RubyGems", "RubyGems API key", "CF-SECRET-RUBYGEMS",
                  r"rubygems_[a-f0-9]{48}", keywords=("rubygems_",)),
    prefix_format("dockerhub", "Docker", "Docker Hub access token", "CF-SECRET-DOCKERHUB",
                  rf"dckr_(?:pat|oat)_[{_B64URL}]{{27,}}", keywords=("dckr_pat_", "dckr_oat_")),
    keyword_format("sidekiq", "Sidekiq", "Sidekiq Enterprise / Pro credentials",
                   "CF-SECRET-SIDEKIQ", "[a-f0-9]{8}:[a-f0-9]{8}",
                   keywords=("contribsys__com",), min_entropy=2.5),
    prefix_format("postman", "Postman", "Postman API key", "CF-SECRET-POSTMAN",
                  r"PMAK-[a-f0-9]{24}-[a-f0-9]{34}", keywords=("pmak-",)),
    prefix_format("sentry", "Sentry", "Sentry auth token", "CF-SECRET-SENTRY",
                  r"sntry[su]_[A-Za-z0-9+/=_]{60,}", keywords=("sntrys_", "sntryu_")),
    prefix_format("grafana", "Grafana", "Grafana service account token", "CF-SECRET-GRAFANA",
                  rf"glsa_[{_AN}]{{32}}_[a-f0-9]{{8}}", keywords=("glsa_",)),
    prefix_format("terraform-cloud", "HashiCorp", "Terraform Cloud API token",
                  "CF-SECRET-TERRAFORM", rf"[{_AN}]{{14}}\.atlasv1\.[{_AN}=_-]{{60,70}}",
                  keywords=(".atlasv1.",)),
)  # fmt: skip
