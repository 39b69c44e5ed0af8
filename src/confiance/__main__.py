from confiance.cli.main import app

app()
