"""confiance.catalog"""
