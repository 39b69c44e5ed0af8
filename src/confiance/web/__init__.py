"""confiance.web"""
