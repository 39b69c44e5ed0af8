# labels: CWE-319
"""Upload the nightly database dump to the backup server."""

import ftplib
import os


def upload_backup(path):
    server = ftplib.FTP("backups.example-hosting.net")
    server.login(os.environ["BACKUP_USER"], os.environ["BACKUP_PASSWORD"])
    with open(path, "rb") as handle:
        server.storbinary(f"STOR {os.path.basename(path)}", handle)
    server.quit()
