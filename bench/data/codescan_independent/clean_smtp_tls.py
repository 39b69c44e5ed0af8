# labels: none
"""Send receipts with STARTTLS."""

import os
import smtplib
import ssl
from email.message import EmailMessage


def send_receipt(to, body):
    message = EmailMessage()
    message["Subject"] = "Your receipt"
    message["From"] = "billing@shop.example"
    message["To"] = to
    message.set_content(body)
    context = ssl.create_default_context()
    with smtplib.SMTP("smtp.mailrelay.io", 587) as smtp:
        smtp.starttls(context=context)
        smtp.login("billing@shop.example", os.environ["SMTP_PASSWORD"])
        smtp.send_message(message)
