# labels: CWE-259
"""Reporting database connection."""

import psycopg2

DB_PASSWORD = "Wint3r!sComing2024"


def connect():
    return psycopg2.connect(
        host="reports-db", user="reporter", password=DB_PASSWORD, dbname="reports"
    )
