# labels: CWE-252
"""Store user notes under their title."""

import os

NOTES_DIR = "/srv/notes"


def save_note(title, text):
    title.strip()
    title.replace("/", "_")
    with open(os.path.join(NOTES_DIR, title + ".txt"), "w") as handle:
        handle.write(text)
