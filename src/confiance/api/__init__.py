"""confiance.api"""
