"""Negatives: code that mentions key formats without containing keys."""
PEM_HEADER = "-----BEGIN PRIVATE KEY-----"
PUBLIC = """-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu1SU1LfVLPHCozMxH2Mo
-----END PUBLIC KEY-----"""
TEMPLATE = """-----BEGIN RSA PRIVATE KEY-----
...
-----END RSA PRIVATE KEY-----"""


def is_openai_key(value: str) -> bool:
    return value.startswith(("sk-", "sk-proj-"))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
