# labels: CWE-331
"""Password reset links."""

import random
import string
import time


def make_reset_token(length=6):
    random.seed(time.time())
    reset_token = "".join(random.choice(string.digits) for _ in range(length))
    return reset_token
