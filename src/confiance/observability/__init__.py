"""confiance.observability"""
