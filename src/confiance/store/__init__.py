"""confiance.store"""
