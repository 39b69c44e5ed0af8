"""Labelled secrets corpus: Python source. Lines ending with an expect label must be reported."""
import os

import anthropic
import openai

OPENAI_API_KEY = "sk-proj-oYmJFw2rBXwwljvEqYIrKi_bDripN9ISEO1HJON_b7KOe7JMwOZYx6IuRCdv0i8fiJgz7YNAyL"  # expect: CF-SECRET-OPENAI
LEGACY_KEY = "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"  # expect: CF-SECRET-OPENAI
client = anthropic.Anthropic(api_key="sk-ant-api03-cgeD8Ej0kxMkplISJIZ_yr1Sle9qEZpAo46LkUfZhl6HvXzappUT2v-lXZAvUOkF9vvs6LGNGnA1ttOeUXxP-ypJF_D0pAA")  # expect: CF-SECRET-ANTHROPIC
GEMINI_KEY = "AIzaZcEQ_52IiWfyeFzaaai89D6Zng8X_A8OQot"  # expect: CF-SECRET-GOOGLE
HF_TOKEN = "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"  # expect: CF-SECRET-HUGGINGFACE
stripe_key = "sk_live_xWy7qANWYOjxuCs83hGVrkYm"  # expect: CF-SECRET-STRIPE
GITHUB_TOKEN = "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"  # expect: CF-SECRET-GITHUB
signing_secret = "ltKM0EqHVgM8WC1wqo8jkHCVs0iXfeJo"  # expect: CF-PY-HARDCODED-CREDENTIAL
DATABASE_URL = "postgresql://billing:Qz8nR4tW1pLk@db.internal:5432/billing"  # expect: CF-SECRET-DATABASE-URL

# Tricky negatives: none of these is a secret.
openai.api_key = os.environ["OPENAI_API_KEY"]
api_key = os.getenv("ANTHROPIC_API_KEY", "")
PLACEHOLDER_KEY = "sk-proj-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
DOCS_KEY = "sk-your-api-key-here"
EXAMPLE_KEY = "sk-ant-api03-EXAMPLEEXAMPLEEXAMPLEEXAMPLEEXAMPLEEXAMPLEEXAMPLEEXAMPLEEXAMPLE"
max_tokens = 4096
token_count = 1532
password = "changeme"
secret_name = "prod/billing/stripe"
token_url = "https://auth.example.com/oauth/token"
api_key_header = "X-Api-Key"
request_id = "3f2b8a9c-1d4e-4f6a-9b7c-2e5d8f1a3b6c"
api_key_uuid = "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d"
password_hash = "$2b$12$KIXQJv7qN0W1t8dRk3vYcO8u2y6pZ4s5q1Ew9rTb7hMxLkPQ2aGzS"
greeting_secret = "SGVsbG8gd29ybGQsIHRoaXMgaXMgbm90IGEgc2VjcmV0IQ=="
LOCAL_DB = "postgresql://postgres:postgres@localhost:5432/dev"
TEMPLATE_DB = "postgresql://app:${DB_PASSWORD}@db:5432/app"
stripe_test = "sk_test_51Hx9ZqK8mN3pQ5rS7tU9vW1x"
publishable = "pk_live_51Hx9ZqK8mN3pQ5rS7tU9vW1x"
AWS_DOCS_ID = "AKIAIOSFODNN7EXAMPLE"
AWS_DOCS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
from huggingface_hub import hf_hub_download
ALLOWED = "ncVxjPou99qCssUOOiVtqWdhdQaS"  # pragma: allowlist secret
