"""SMTP with STARTTLS before login is fine."""
import smtplib


def send_mail(user, password, message):
    server = smtplib.SMTP("mail.acme-corp.io", 587)  # ok: CF-PY-CLEARTEXT-TRANSPORT
    server.starttls()
    server.login(user, password)
    server.sendmail(user, [user], message)
