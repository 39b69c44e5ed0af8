"""Return values that must be checked."""
import hmac
import threading

from werkzeug.security import check_password_hash

lock = threading.Lock()


def login(user, password):
    check_password_hash(user.password_hash, password)  # expect: CF-PY-UNCHECKED-RETURN
    return user


def login_checked(user, password):
    if not check_password_hash(user.password_hash, password):  # ok: CF-PY-UNCHECKED-RETURN
        raise PermissionError("bad password")
    return user


def verify_webhook(secret, body, signature):
    expected = hmac.new(secret, body, "sha256").hexdigest()
    hmac.compare_digest(expected, signature)  # expect: CF-PY-UNCHECKED-RETURN
    return True


def clean_name(filename):
    filename.replace("../", "")  # expect: CF-PY-UNCHECKED-RETURN
    return filename


def clean_name_assigned(filename):
    filename = filename.replace("../", "")  # ok: CF-PY-UNCHECKED-RETURN
    return filename


def send_all(sock, payload):
    sock.send(payload)  # expect: CF-PY-UNCHECKED-RETURN
    sock.sendall(payload)  # ok: CF-PY-UNCHECKED-RETURN


def try_work():
    lock.acquire(blocking=False)  # expect: CF-PY-UNCHECKED-RETURN
    try:
        return 1
    finally:
        lock.release()
