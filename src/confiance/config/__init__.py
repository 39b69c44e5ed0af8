"""confiance.config"""
