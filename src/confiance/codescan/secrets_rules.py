"""The secret rules (``CF-SECRET-<KIND>``, CWE-798): one per vendor or credential shape.

The formats behind them are in :mod:`confiance.codescan.secretformats`; a test checks that every
format's rule is registered here and every rule here has a format or a detector.
"""

from __future__ import annotations

from confiance.codescan.findings import Confidence, Rule, Severity, rules

__all__ = ["CONTEXTUAL_RULES", "SECRET_RULES"]

_ASVS = "ASVS V2.10.4"
_LLM_LEAK = "LLM02"
_FIX = (
    "Revoke and rotate the credential now (it is in the repository history), then load it at run "
    "time from the environment or a secret manager. Use `confiance scan --history` to find other "
    "commits that contain it."
)
_C, _H, _M = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM
_LLM, _MED = "llm", "medium-confidence"

# kind: (name, severity, what it is, flags)
_TABLE: dict[str, tuple[str, Severity, str, tuple[str, ...]]] = {
    "OPENAI": ("OpenAI API key", _C, "An OpenAI API key (project, service-account, admin or "
               "legacy).", (_LLM,)),
    "ANTHROPIC": ("Anthropic API key", _C, "An Anthropic API or admin key.", (_LLM,)),
    "GOOGLE": ("Google API key", _H, "A Google (Gemini, Maps, Firebase) API key or OAuth client "
               "secret.", (_LLM,)),
    "GCP-SERVICE-ACCOUNT": ("GCP service-account key", _C, "A Google Cloud service-account JSON "
                            "key file with its private key.", ()),
    "HUGGINGFACE": ("Hugging Face token", _H, "A Hugging Face user or organisation token.",
                    (_LLM,)),
    "GROQ": ("Groq API key", _H, "A Groq API key.", (_LLM,)),
    "REPLICATE": ("Replicate API token", _H, "A Replicate API token.", (_LLM,)),
    "PERPLEXITY": ("Perplexity API key", _H, "A Perplexity API key.", (_LLM,)),
    "XAI": ("xAI API key", _H, "An xAI (Grok) API key.", (_LLM,)),
    "TOGETHER": ("Together AI API key", _H, "A Together AI API key.", (_LLM,)),
    "COHERE": ("Cohere API key", _H, "A Cohere API key assigned to a Cohere-named setting.",
               (_LLM, _MED)),
    "MISTRAL": ("Mistral API key", _H, "A Mistral API key assigned to a Mistral-named setting.",
                (_LLM, _MED)),
    "LANGSMITH": ("LangSmith API key", _H, "A LangSmith (LangChain) API key.", (_LLM,)),
    "AWS": ("AWS secret access key", _C, "An AWS secret access key, usually with its id.", ()),
    "AWS-KEY-ID": ("AWS access key id", _M, "An AWS access key id without its secret.", ()),
    "AWS-SESSION-TOKEN": ("AWS session token", _H, "A temporary AWS session token (STS).", ()),
    "AWS-BEDROCK": ("Amazon Bedrock API key", _C, "An Amazon Bedrock API key.", (_LLM,)),
    "AZURE": ("Azure key or connection string", _C, "An Azure storage/Service Bus key, SAS "
              "signature, Azure OpenAI/AI services key or Entra ID client secret.", (_LLM,)),
    "ALIBABA": ("Alibaba Cloud AccessKey", _C, "An Alibaba Cloud AccessKey id or secret.", ()),
    "DIGITALOCEAN": ("DigitalOcean token", _C, "A DigitalOcean personal, OAuth or refresh "
                     "token.", ()),
    "HEROKU": ("Heroku API key", _H, "A Heroku API key.", ()),
    "CLOUDFLARE": ("Cloudflare API credential", _H, "A Cloudflare API token, global API key or "
                   "Origin CA key.", ()),
    "VERCEL": ("Vercel token", _H, "A Vercel access or Blob token.", ()),
    "NETLIFY": ("Netlify token", _H, "A Netlify access token.", ()),
    "GITHUB": ("GitHub token", _C, "A GitHub personal, OAuth, app or fine-grained token "
               "(classic tokens checked against their CRC32 checksum).", ()),
    "GITLAB": ("GitLab token", _C, "A GitLab personal, deploy, runner or trigger token.", ()),
    "BITBUCKET": ("Bitbucket app password", _H, "A Bitbucket app password.", ()),
    "ATLASSIAN": ("Atlassian API token", _H, "An Atlassian (Jira, Confluence) API token.", ()),
    "SOURCEGRAPH": ("Sourcegraph token", _H, "A Sourcegraph access token.", ()),
    "NOTION": ("Notion token", _H, "A Notion integration token.", ()),
    "LINEAR": ("Linear API key", _H, "A Linear API key or OAuth token.", ()),
    "NPM": ("npm token", _C, "An npm access token, or registry credentials in .npmrc.", ()),
    "PYPI": ("PyPI API token", _C, "A PyPI (or TestPyPI) upload token.", ()),
    "RUBYGEMS": ("RubyGems API key", _C, "A RubyGems push key.", ()),
    "DOCKERHUB": ("Docker registry credential", _H, "A Docker Hub token or registry "
                  "credentials in config.json.", ()),
    "SIDEKIQ": ("Sidekiq Enterprise credentials", _M, "Sidekiq Pro/Enterprise gem server "
                "credentials.", ()),
    "POSTMAN": ("Postman API key", _H, "A Postman API key.", ()),
    "SENTRY": ("Sentry auth token", _H, "A Sentry organisation or user auth token.", ()),
    "GRAFANA": ("Grafana token", _H, "A Grafana service-account token.", ()),
    "TERRAFORM": ("Terraform Cloud token", _C, "A Terraform Cloud / Enterprise API token.", ()),
    "SLACK": ("Slack token", _H, "A Slack bot, user, app or refresh token.", ()),
    "SLACK-WEBHOOK": ("Slack webhook URL", _M, "An incoming webhook URL lets anyone post.", ()),
    "DISCORD": ("Discord credential", _H, "A Discord bot token or webhook URL.", ()),
    "TEAMS-WEBHOOK": ("Microsoft Teams webhook URL", _M, "A Teams incoming webhook or workflow "
                      "URL lets anyone post.", ()),
    "TELEGRAM": ("Telegram bot token", _H, "A Telegram bot token.", ()),
    "SENDGRID": ("SendGrid API key", _H, "A SendGrid API key.", ()),
    "TWILIO": ("Twilio auth token", _H, "A Twilio auth token.", (_MED,)),
    "MAILGUN": ("Mailgun API key", _H, "A Mailgun API key.", ()),
    "MAILCHIMP": ("Mailchimp API key", _H, "A Mailchimp API key.", ()),
    "FACEBOOK": ("Facebook / Meta credential", _H, "A Facebook/Meta page, user or app access "
                 "token, or app secret.", ()),
    "TWITTER": ("X / Twitter credential", _H, "An X/Twitter bearer token, API secret or access "
                "token.", ()),
    "STRIPE": ("Stripe live key", _C, "A Stripe live secret or restricted key, or webhook "
               "signing secret.", ()),
    "SQUARE": ("Square access token", _C, "A Square access token or OAuth secret.", ()),
    "SHOPIFY": ("Shopify access token", _C, "A Shopify admin, custom app or partner token.", ()),
    "PAYPAL": ("PayPal / Braintree credential", _C, "A Braintree production access token or "
               "PayPal client secret.", ()),
    "OKTA": ("Okta API token", _C, "An Okta API token.", (_MED,)),
    "AUTH0": ("Auth0 client secret", _H, "An Auth0 client secret.", (_MED,)),
    "ONELOGIN": ("OneLogin client secret", _H, "A OneLogin API client secret.", (_MED,)),
    "CANVAS": ("Canvas LMS token", _H, "A Canvas LMS (Instructure) access token.", ()),
    "CLEVER": ("Clever API token", _H, "A Clever (school SSO) API token.", (_MED,)),
    "PRIVATE-KEY": ("Private key", _C, "A PEM, OpenSSH, PGP, PuTTY or age private key with its "
                    "body.", ()),
    "JWT": ("JSON Web Token", _M, "A signed JWT, often a long-lived bearer credential.", (_MED,)),
    "DATABASE-URL": ("Database URL with password", _H, "A database or broker URL (PostgreSQL, "
                     "MySQL, MongoDB, Redis, AMQP...) that embeds a password.", ()),
    "URL-CREDENTIAL": ("Password in a URL", _H, "An HTTP(S), SMTP, FTP, LDAP or git URL that "
                       "embeds a password.", ()),
    "BASIC-AUTH": ("HTTP basic-auth credentials", _H, "A password in `curl -u`, an "
                   "`Authorization: Basic` header or a basic-auth helper in code.", ()),
    "BEARER-TOKEN": ("Bearer token", _H, "A literal token in an `Authorization: Bearer` header "
                     "(curl, HTTP files, code).", (_MED,)),
    "GENERIC": ("High-entropy secret", _H, "A random-looking value assigned to a name such as "
                "api_key, token, secret or password.", (_MED,)),
    "PUBLIC-LLM-KEY": ("LLM key in a public env variable", _H, "An LLM vendor key in a "
                       "NEXT_PUBLIC_/VITE_/REACT_APP_ variable is bundled into the browser "
                       "code.", (_LLM,)),
}  # fmt: skip


def _register(kind: str, name: str, severity: Severity, what: str, flags: tuple[str, ...]) -> Rule:
    owasp = (_ASVS, _LLM_LEAK) if _LLM in flags else (_ASVS,)
    confidence = Confidence.MEDIUM if _MED in flags else Confidence.HIGH
    return rules.register(
        Rule(
            id=f"CF-SECRET-{kind}",
            name=name,
            family="secrets",
            cwe=798,
            severity=severity,
            confidence=confidence,
            description=what,
            fix=_FIX,
            owasp=owasp,
            languages=("any",),
        )
    )


SECRET_RULES: tuple[Rule, ...] = tuple(_register(k, *v) for k, v in _TABLE.items())

CONTEXTUAL_RULES = frozenset(
    f"CF-SECRET-{kind}"
    for kind in ("GENERIC", "JWT", "BEARER-TOKEN", "BASIC-AUTH", "DATABASE-URL", "URL-CREDENTIAL")
)
"""Rules whose findings rest on context rather than a vendor's own format: in test-fixture paths
they are not reported (fixtures are full of passwords and tokens made up for the test)."""
