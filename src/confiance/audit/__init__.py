"""confiance.audit"""
