"""confiance.codescan"""
