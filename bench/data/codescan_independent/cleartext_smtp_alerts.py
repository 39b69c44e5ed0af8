# labels: CWE-319
"""Send alert e-mails through the company relay."""

import os
import smtplib
from email.message import EmailMessage


def send_alert(subject, body, to):
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = "alerts@shop.example"
    message["To"] = to
    message.set_content(body)
    with smtplib.SMTP("smtp.mailrelay.io", 587) as smtp:
        smtp.login("alerts@shop.example", os.environ["SMTP_PASSWORD"])
        smtp.send_message(message)
