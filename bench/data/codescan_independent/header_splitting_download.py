# labels: CWE-113
"""Export as CSV with the requested file name."""

from flask import Flask, Response, request

app = Flask(__name__)


@app.get("/export")
def export_csv():
    filename = request.args.get("filename", "export.csv")
    response = Response("id,name\n1,Ada\n", mimetype="text/csv")
    response.headers["Content-Disposition"] = f"attachment; filename={filename}"
    return response
