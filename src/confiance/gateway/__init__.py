"""confiance.gateway"""
