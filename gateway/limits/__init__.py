"""Protections against abusive requests: query budget, rate limits, body size."""
