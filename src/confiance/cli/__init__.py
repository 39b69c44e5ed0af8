"""confiance.cli"""
