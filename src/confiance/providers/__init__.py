"""confiance.providers"""
