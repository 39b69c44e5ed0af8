"""Key formats of chat and collaboration tools, social and ads platforms, e-mail and SMS APIs,
payment and commerce platforms, and school / single sign-on platforms."""

from __future__ import annotations

import re

from confiance.codescan.secretformats._model import SecretFormat, keyword_format, prefix_format
from confiance.codescan.secretformats._vendors import mixed

__all__ = ["CHAT_FORMATS", "COMMERCE_FORMATS", "SOCIAL_FORMATS", "SSO_FORMATS"]

_AN = "A-Za-z0-9"
_B64URL = "A-Za-z0-9_-"
_UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def _url(name: str, vendor: str, label: str, rule: str, body: str, hint: str) -> SecretFormat:
    # Webhook URLs are credentials as a whole: whoever has the URL can post.
    return SecretFormat(name, vendor, label, rule,
                        re.compile(rf"(?P<secret>{body})(?![A-Za-z0-9_-])"), (hint,))  # fmt: skip


CHAT_FORMATS: tuple[SecretFormat, ...] = (
    prefix_format("slack-token", "Slack", "Slack token", "CF-SECRET-SLACK",
                  rf"xox[baprs]-(?:[0-9]{{6,}}-){{1,3}}[{_AN}]{{16,}}", keywords=("xox",)),
    prefix_format("slack-rotating-token", "Slack", "Slack rotating token", "CF-SECRET-SLACK",
                  rf"xoxe(?:\.xox[bp])?-1-[{_AN}-]{{100,}}", keywords=("xoxe",)),
    prefix_format("slack-app-token", "Slack", "Slack app-level token", "CF-SECRET-SLACK",
                  r"xapp-1-[A-Z0-9]{9,12}-[0-9]{10,14}-[a-f0-9]{64}", keywords=("xapp-",)),
    _url("slack-webhook", "Slack", "Slack webhook URL", "CF-SECRET-SLACK-WEBHOOK",
         r"https://hooks\.slack\.com/(?:services|workflows|triggers)/T[A-Z0-9]{6,12}/"
         r"[A-Z0-9]{6,12}/(?:[0-9]+/)?[A-Za-z0-9]{20,40}", "hooks.slack.com"),
    _url("discord-webhook", "Discord", "Discord webhook URL", "CF-SECRET-DISCORD",
         r"https://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/[0-9]{17,20}/"
         rf"[{_B64URL}]{{60,68}}", "/api/webhooks/"),
    prefix_format("discord-bot-token", "Discord", "Discord bot token", "CF-SECRET-DISCORD",
                  rf"[MNO][{_B64URL}]{{23,27}}\.[{_B64URL}]{{6}}\.[{_B64URL}]{{27,38}}",
                  keywords=("discord",), validate=mixed),
    _url("teams-webhook", "Microsoft", "Microsoft Teams webhook URL", "CF-SECRET-TEAMS-WEBHOOK",
         rf"https://[a-z0-9-]+\.webhook\.office\.com/webhookb2/{_UUID}@{_UUID}/"
         rf"IncomingWebhook/[a-f0-9]{{32}}/{_UUID}(?:/[{_B64URL}]+)?", "webhook.office.com"),
    _url("teams-workflow", "Microsoft", "Teams / Power Automate workflow URL",
         "CF-SECRET-TEAMS-WEBHOOK",
         r"https://[a-z0-9.-]+\.(?:logic\.azure\.com|api\.powerplatform\.com)(?::443)?/"
         r"[^\s\"'<>]{0,300}?[?&]sig=[A-Za-z0-9_%-]{40,}", "/workflows/"),
    prefix_format("telegram-bot-token", "Telegram", "Telegram bot token", "CF-SECRET-TELEGRAM",
                  rf"[0-9]{{8,10}}:AA[{_B64URL}]{{33}}", keywords=(":aa",)),
    prefix_format("sendgrid", "Twilio SendGrid", "SendGrid API key", "CF-SECRET-SENDGRID",
                  rf"SG\.[{_B64URL}]{{22}}\.[{_B64URL}]{{43}}", keywords=("sg.",)),
    keyword_format("twilio-auth-token", "Twilio", "Twilio auth token", "CF-SECRET-TWILIO",
                   "[a-f0-9]{32}", keywords=("twilio",), validate=mixed),
    prefix_format("mailgun", "Mailgun", "Mailgun API key", "CF-SECRET-MAILGUN",
                  "key-[a-f0-9]{32}", keywords=("key-",), validate=mixed),
    prefix_format("mailchimp", "Mailchimp", "Mailchimp API key", "CF-SECRET-MAILCHIMP",
                  "[a-f0-9]{32}-us[0-9]{1,2}", keywords=("-us",), validate=mixed),
)  # fmt: skip

SOCIAL_FORMATS: tuple[SecretFormat, ...] = (
    prefix_format("facebook-access-token", "Meta", "Facebook / Meta access token",
                  "CF-SECRET-FACEBOOK", rf"EAA[{_AN}]{{90,}}", keywords=("eaa",),
                  validate=mixed, min_entropy=4.0),
    prefix_format("facebook-app-token", "Meta", "Facebook app access token",
                  "CF-SECRET-FACEBOOK", rf"[0-9]{{15,16}}\|[{_B64URL}]{{27,32}}",
                  keywords=("|",), validate=mixed),
    keyword_format("facebook-app-secret", "Meta", "Facebook app secret", "CF-SECRET-FACEBOOK",
                   "[a-f0-9]{32}", keywords=("facebook", "fb_app_secret", "fb_secret",
                                             "meta_app_secret"), validate=mixed),
    prefix_format("twitter-bearer", "X (Twitter)", "X / Twitter bearer token",
                  "CF-SECRET-TWITTER", r"A{20,22}[A-Za-z0-9%]{60,}",
                  keywords=("aaaaaaaaaaaaaaaaaaaa",), validate=mixed),
    keyword_format("twitter-secret", "X (Twitter)", "X / Twitter API secret",
                   "CF-SECRET-TWITTER", f"[{_AN}]{{45,50}}",
                   keywords=("twitter", "consumer_secret", "x_api_secret"), validate=mixed),
    keyword_format("twitter-access-token", "X (Twitter)", "X / Twitter access token",
                   "CF-SECRET-TWITTER", f"[0-9]{{6,20}}-[{_AN}]{{40}}",
                   keywords=("twitter", "x_access_token")),
)  # fmt: skip

COMMERCE_FORMATS: tuple[SecretFormat, ...] = (
    prefix_format("stripe-secret", "Stripe", "Stripe live key", "CF-SECRET-STRIPE",
                  rf"(?:sk|rk)_live_[{_AN}]{{24,247}}", keywords=("_live_",)),
    prefix_format("stripe-webhook-secret", "Stripe", "Stripe webhook signing secret",
                  "CF-SECRET-STRIPE", rf"whsec_[{_AN}+/=]{{32,}}", keywords=("whsec_",),
                  validate=mixed),
    prefix_format("square-access-token", "Square", "Square access token", "CF-SECRET-SQUARE",
                  rf"EAAA[{_B64URL}]{{60}}", keywords=("eaaa",), validate=mixed),
    prefix_format("square-legacy", "Square", "Square access token or OAuth secret",
                  "CF-SECRET-SQUARE", rf"sq0(?:atp-[{_B64URL}]{{22}}|csp-[{_B64URL}]{{43}})",
                  keywords=("sq0atp-", "sq0csp-")),
    prefix_format("shopify", "Shopify", "Shopify access token", "CF-SECRET-SHOPIFY",
                  r"shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}",
                  keywords=("shpat_", "shpca_", "shppa_", "shpss_")),
    prefix_format("braintree", "PayPal", "Braintree / PayPal access token", "CF-SECRET-PAYPAL",
                  r"access_token\$production\$[0-9a-z]{16}\$[0-9a-f]{32}",
                  keywords=("access_token$production$",)),
    keyword_format("paypal-secret", "PayPal", "PayPal client secret", "CF-SECRET-PAYPAL",
                   f"E[{_B64URL}]{{79}}", keywords=("paypal",), validate=mixed),
)  # fmt: skip

SSO_FORMATS: tuple[SecretFormat, ...] = (
    keyword_format("okta", "Okta", "Okta API token", "CF-SECRET-OKTA",
                   f"00[{_B64URL}]{{40}}", keywords=("okta",), validate=mixed),
    keyword_format("auth0", "Auth0", "Auth0 client secret", "CF-SECRET-AUTH0",
                   f"[{_B64URL}]{{64}}", keywords=("auth0",), validate=mixed),
    keyword_format("onelogin", "OneLogin", "OneLogin client secret", "CF-SECRET-ONELOGIN",
                   "[a-f0-9]{64}", keywords=("onelogin",), validate=mixed),
    prefix_format("canvas", "Instructure", "Canvas LMS access token", "CF-SECRET-CANVAS",
                  f"[0-9]{{4,5}}~[{_AN}]{{64}}", keywords=("~",), validate=mixed),
    keyword_format("clever", "Clever", "Clever API token", "CF-SECRET-CLEVER",
                   "[a-f0-9]{40}", keywords=("clever",), validate=mixed),
)  # fmt: skip
