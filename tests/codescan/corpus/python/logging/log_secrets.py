"""Secrets in log calls."""
import logging

logger = logging.getLogger(__name__)
log = logging.getLogger("auth")


def login(username, password):
    logger.info("login attempt %s with %s", username, password)  # expect: CF-PY-SECRET-LOGGING
    logger.info("login attempt for %s", username)  # ok: CF-PY-SECRET-LOGGING
    return True


def call_api(api_key, payload):
    log.debug(f"calling with key {api_key}")  # expect: CF-PY-SECRET-LOGGING
    log.debug("calling with key ending %s", api_key[-4:])  # ok: CF-PY-SECRET-LOGGING
    return payload


def refresh(session, request):
    logging.warning("refresh token: " + session.refresh_token)  # expect: CF-PY-SECRET-LOGGING
    logger.error("bad request headers: %s", request.headers["Authorization"])  # expect: CF-PY-SECRET-LOGGING, CF-PY-LOG-INJECTION
    logger.info("token usage: %d", session.max_tokens)  # ok: CF-PY-SECRET-LOGGING
    print("debug", session.refresh_token)


def store(user):
    logger.info("saved user %s", user.id, extra={"password": user.password})  # expect: CF-PY-SECRET-LOGGING
    logger.info("password changed for %s", user.email)  # ok: CF-PY-SECRET-LOGGING
