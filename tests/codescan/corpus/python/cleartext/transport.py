"""Cleartext transmission of credentials and personal data."""
import ftplib
import smtplib
import socket
import telnetlib

import requests

PARTNER = "http://partner-api.net/v2"
SECURE_PARTNER = "https://partner-api.net/v2"


def push_user(user, password):
    requests.post(PARTNER + "/users", json={"login": user, "password": password}, timeout=10)  # expect: CF-PY-CLEARTEXT-TRANSPORT
    requests.post(SECURE_PARTNER + "/users", json={"login": user, "password": password}, timeout=10)  # ok: CF-PY-CLEARTEXT-TRANSPORT


def fetch_report(token):
    return requests.get("http://reports.acme-corp.io/daily", headers={"Authorization": f"Bearer {token}"}, timeout=10)  # expect: CF-PY-CLEARTEXT-TRANSPORT


def local_probe(token):
    return requests.get("http://localhost:8080/health", headers={"Authorization": token}, timeout=3)  # ok: CF-PY-CLEARTEXT-TRANSPORT


def public_page():
    return requests.get("http://www.gnu.org/licenses/gpl-3.0.txt", timeout=10)  # ok: CF-PY-CLEARTEXT-TRANSPORT


def upload_backup(path, password):
    ftp = ftplib.FTP("backup.acme-corp.io")  # expect: CF-PY-CLEARTEXT-TRANSPORT
    ftp.login("backup", password)
    secure = ftplib.FTP_TLS("backup.acme-corp.io")  # ok: CF-PY-CLEARTEXT-TRANSPORT
    secure.login("backup", password)


def router_shell(password):
    session = telnetlib.Telnet("10.0.0.1")  # expect: CF-PY-CLEARTEXT-TRANSPORT
    session.write(password.encode() + b"\n")


def send_mail(user, password, message):
    server = smtplib.SMTP("mail.acme-corp.io", 587)  # expect: CF-PY-CLEARTEXT-TRANSPORT
    server.login(user, password)
    server.sendmail(user, [user], message)


def announce(sock: socket.socket, api_token):
    sock.sendall(api_token.encode())  # expect: CF-PY-CLEARTEXT-TRANSPORT
